"""The metrics the benchmarks report, in plain Python."""

from __future__ import annotations

import random
from collections.abc import Sequence


def recall_at(ranked: Sequence[Sequence[str]], expected: Sequence[Sequence[str]], k: int) -> float:
    """Share of queries with an expected id among the first ``k`` ranked ids."""
    if not ranked:
        return 0.0
    hits = sum(1 for r, e in zip(ranked, expected, strict=True) if set(r[:k]) & set(e))
    return hits / len(ranked)


def mrr_at(ranked: Sequence[Sequence[str]], expected: Sequence[Sequence[str]], k: int) -> float:
    """Mean reciprocal rank of the first expected id within the first ``k`` (0 when absent)."""
    if not ranked:
        return 0.0
    total = 0.0
    for r, e in zip(ranked, expected, strict=True):
        for position, item in enumerate(r[:k], start=1):
            if item in e:
                total += 1 / position
                break
    return total / len(ranked)


def auroc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Area under the ROC curve: the chance a positive outscores a negative (ties count half)."""
    positives = [s for s, y in zip(scores, labels, strict=True) if y]
    negatives = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def ece(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error over ``bins`` equal-width bins."""
    if not confidences:
        return 0.0
    total = len(confidences)
    error = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [
            (c, y)
            for c, y in zip(confidences, correct, strict=True)
            if (low <= c < high) or (b == bins - 1 and c == 1.0)
        ]
        if members:
            accuracy = sum(1 for _, y in members if y) / len(members)
            mean_conf = sum(c for c, _ in members) / len(members)
            error += len(members) / total * abs(accuracy - mean_conf)
    return error


def ece_noise_floor(confidences: Sequence[float], draws: int = 2000, seed: int = 0) -> dict[str, float]:
    """What :func:`ece` reads for a *perfectly calibrated* model with these confidences.

    Outcomes are drawn as Bernoulli(confidence) ``draws`` times; the mean and 95th percentile
    of the resulting ECE say how much of a measured ECE is sampling noise at this size.
    """
    rnd = random.Random(seed)
    values = sorted(ece(confidences, [rnd.random() < c for c in confidences]) for _ in range(draws))
    return {"mean": round(sum(values) / draws, 4), "p95": round(values[int(0.95 * draws) - 1], 4)}


def precision_recall_f1(predicted: Sequence[bool], actual: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of the positive class."""
    tp = sum(1 for p, a in zip(predicted, actual, strict=True) if p and a)
    fp = sum(1 for p, a in zip(predicted, actual, strict=True) if p and not a)
    fn = sum(1 for p, a in zip(predicted, actual, strict=True) if not p and a)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
