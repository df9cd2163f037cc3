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


def test_the_quality_table_prints_every_kb_macro_and_the_targets_it_misses() -> None:
    from switchboard.devtools.bench.report import quality_table, quality_targets

    def side(r1: float, r3: float, auroc: float, ece: float, esc: float) -> dict[str, float]:
        return {"recall@1": r1, "recall@3": r3, "mrr@10": r1, "auroc": auroc, "ece": ece, "escalation_accuracy": esc}

    def kb(lang: str, questions: int, answerable: int, ours: dict[str, float], bm25: float, dense: float) -> dict:
        return {
            "lang": lang,
            "questions": questions,
            "answerable": answerable,
            "switchboard": ours,
            "bm25": {"recall@3": bm25},
            "dense": {"recall@3": dense},
        }

    kbs = {
        "a": kb("en", 10, 7, side(0.8, 0.9, 0.95, 0.04, 0.9), 0.6, 0.85),
        "b": kb("de", 20, 12, side(0.4, 0.6, 0.91, 0.2, 0.7), 0.3, 0.7),
    }
    suite = {
        "kbs": kbs,
        "macro": {
            "switchboard": side(0.6, 0.75, 0.93, 0.12, 0.8),
            "bm25": {"recall@3": 0.45},
            "dense": {"recall@3": 0.775},
        },
        "worst": {
            "auroc": {"kb": "b", "value": 0.91},
            "ece": {"kb": "b", "value": 0.2},
            "escalation_accuracy": {"kb": "b", "value": 0.7},
        },
    }
    table = quality_table(suite)
    assert table[0].count("|") == table[1].count("|") == table[2].count("|") == 10
    assert table[2] == "| a | en | 10 (7 answerable) | 0.900 / 0.600 / 0.850 | 0.800 | 0.800 | 0.950 | 0.040 | 0.900 |"
    assert table[-1].startswith("| **macro** | | | 0.750 / 0.450 / 0.775 | 0.600 |")
    met = {
        line.split(" | ")[0].lstrip("| "): line.rsplit(" | ", 1)[1].rstrip(" |") for line in quality_targets(suite)[2:]
    }
    assert met == {
        "recall@3 on every KB ≥ the better of BM25 and dense alone − 0.01": "NO",  # b: 0.60 under dense's 0.70
        "macro recall@3 ≥ BM25 + 0.10": "yes",
        "auroc ≥ 0.93 on every KB": "NO",
        "ece ≤ 0.05 macro": "NO",
        "ece ≤ 0.08 on the worst KB": "NO",
        "escalation accuracy ≥ 0.85 (macro; worst 0.700 b)": "NO",
    }


def test_escalation_accuracy_counts_a_confident_wrong_pick_as_a_miss_and_the_looser_reading_does_not() -> None:
    from switchboard.devtools.bench.quality import confidence_metrics

    rows = [
        {"answerable": True, "right": True},  # kept, right: both count it
        {"answerable": True, "right": False},  # kept, wrong article: a miss only for the strict reading
        {"answerable": False, "right": False},  # escalated: both count it
        {"answerable": False, "right": False},  # kept although unanswerable: a miss for both
    ]
    metrics = confidence_metrics(rows, [0.9, 0.8, 0.1, 0.6], threshold=0.3)
    assert metrics["escalation_accuracy"] == 0.5
    assert metrics["escalation_vs_answerable"] == 0.75


def test_escalation_misses_are_counted_by_kind_with_the_rank_of_the_article_a_wrong_pick_missed() -> None:
    from switchboard.devtools.bench.quality import escalation_misses

    rows = [
        {"answerable": True, "right": True},  # escalated although right
        {"answerable": True, "right": False},  # kept, the right article second
        {"answerable": True, "right": False},  # escalated (not a miss), the right article nowhere
        {"answerable": False, "right": False},  # kept although unanswerable
        {"answerable": False, "right": False},  # escalated: fine
    ]
    questions = [{"expected_article_ids": ids} for ids in (["a"], ["b"], ["z"], [], [])]
    rankings = [["a", "b"], ["c", "b"], ["c", "d"], ["a"], ["a"]]
    misses = escalation_misses(rows, [0.1, 0.7, 0.2, 0.5, 0.1], 0.3, rankings, questions)
    assert misses == {
        "wrong_pick_kept": 1,
        "right_reply_escalated": 1,
        "unanswerable_kept": 1,
        "wrong_pick_right_article_ranked": {"1": 0, "2": 1, "3": 0, "4-10": 0, "not in 10": 1},
    }
