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
