"""The benchmark metrics on hand-computed cases."""

from __future__ import annotations

import math

from switchboard.devtools.bench.handoff import seed_baseline
from switchboard.devtools.bench.metrics import auroc, ece, mrr_at, precision_recall_f1, recall_at


def test_recall_and_mrr() -> None:
    ranked = [["a", "b", "c"], ["x", "y", "a"], ["q", "r", "s"]]
    expected = [["a"], ["a"], ["a"]]
    assert recall_at(ranked, expected, 1) == 1 / 3
    assert recall_at(ranked, expected, 3) == 2 / 3
    assert math.isclose(mrr_at(ranked, expected, 10), (1 + 1 / 3) / 3)


def test_auroc_counts_ties_as_half() -> None:
    assert auroc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    assert auroc([0.1, 0.9], [True, False]) == 0.0


def test_ece_is_zero_when_calibrated_and_large_when_not() -> None:
    assert ece([1.0, 1.0, 0.0, 0.0], [True, True, False, False]) == 0.0
    assert math.isclose(ece([0.9, 0.9], [False, False]), 0.9)


def test_precision_recall_f1() -> None:
    assert precision_recall_f1([True, True, False, False], [True, False, True, False]) == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
    }


def test_seed_baseline_is_the_five_keywords() -> None:
    assert seed_baseline("I want a human")
    assert seed_baseline("How do I contact human resources?")  # the seed's false positive
    assert not seed_baseline("quiero hablar con una persona")


def test_logistic_fit_recovers_the_weights_that_generated_the_labels() -> None:
    import math
    import random

    from switchboard.devtools.bench.calibrate import fit_logistic

    rnd = random.Random(7)
    rows = []
    for _ in range(4000):
        x = [rnd.random(), rnd.random()]
        p = 1 / (1 + math.exp(-(4.0 * x[0] - 3.0 * x[1] - 0.5)))
        rows.append((x, rnd.random() < p))
    weights, bias = fit_logistic(rows, l2=0.0)
    assert abs(weights[0] - 4.0) < 0.4 and abs(weights[1] + 3.0) < 0.4 and abs(bias + 0.5) < 0.3
    shrunk, _ = fit_logistic(rows, l2=1.0)
    assert abs(shrunk[0]) < abs(weights[0]) / 2


def test_ece_noise_floor_is_zero_for_certain_confidences_and_large_for_few_uncertain_ones() -> None:
    from switchboard.devtools.bench.metrics import ece_noise_floor

    assert ece_noise_floor([0.0] * 10 + [1.0] * 10) == {"mean": 0.0, "p95": 0.0}
    small, large = ece_noise_floor([0.5] * 20, draws=300), ece_noise_floor([0.5] * 2000, draws=300)
    assert small["mean"] > 0.05 > large["mean"]
    assert small["p95"] >= small["mean"]
