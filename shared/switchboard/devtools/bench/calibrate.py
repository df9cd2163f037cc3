"""`switchboard bench calibrate`: fit the confidence calibration on the suite's dev questions.

Runs every question of every knowledge base of the suite through the chat turn, records the
confidence features and whether the reply drew on the right article, fits the calibration (two
logistic regressions, L2, Newton's method: is the question answerable, and is the pick right
when it is) on the development questions only and writes it into ``knowledge/calibration.json``.
The features are read against each KB's own off-domain level
(:mod:`switchboard.knowledge.profile`), which is what lets one fit carry to a KB it has never
seen; ``bench quality`` checks exactly that, leaving each KB out of its own fit.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from switchboard.devtools.bench.quality import MANIFEST, collect_suite
from switchboard.knowledge.confidence import CALIBRATION_FILE, Calibration, Logistic, calibration_for, calibration_key

#: The features of each retrieval mode. "support" is the answering model's own estimate; the
#: "retrieval" calibration leaves it out and is what a provider without a fitted calibration
#: of its own (Gemini until calibrated with a key) scales by its judgment.
#: Chosen on the development questions, leaving each KB group out of its own fit: adding how far
#: the best article stands above the next (dense_gap) and how alike the KB's articles are
#: (kb_crowding) took out-of-KB ece from 0.127 to 0.091 at the same auroc, at the time
#: (docs/BENCHMARKS.md).
DENSE_FEATURES = (
    "score",
    "coverage",
    "support",
    "foreign",
    "lexical_z",
    "dense_z",
    "agree",
    "margin",
    "cross",
    "dense_gap",
    "kb_crowding",
)
LEXICAL_FEATURES = ("score", "coverage", "support", "foreign", "lexical_z", "margin")
L2 = 0.01


def mode_features(provider: str, dense: bool) -> tuple[str, ...]:
    """The features fitted for ``provider`` in one retrieval mode."""
    names = DENSE_FEATURES if dense else LEXICAL_FEATURES
    return tuple(n for n in names if n != "support") if provider == "retrieval" else names


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve a small linear system by Gaussian elimination with partial pivoting."""
    n = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            for c in range(col, n + 1):
                a[r][c] -= factor * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def fit_logistic(rows: list[tuple[list[float], bool]], l2: float = 0.01) -> tuple[list[float], float]:
    """L2-regularised logistic regression (the bias is not penalised) by Newton's method.

    Minimises mean log loss + ``l2``/2 * |w|^2; converges in a handful of iterations.
    """
    n, k = len(rows), len(rows[0][0]) + 1
    xs = [[*x, 1.0] for x, _ in rows]
    ys = [1.0 if y else 0.0 for _, y in rows]
    w = [0.0] * k
    for _ in range(100):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y in zip(xs, ys, strict=True):
            z = sum(a * b for a, b in zip(w, x, strict=True))
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            for i in range(k):
                grad[i] += (p - y) * x[i] / n
                for j in range(k):
                    hess[i][j] += p * (1 - p) * x[i] * x[j] / n
        for i in range(k - 1):
            grad[i] += l2 * w[i]
            hess[i][i] += l2
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(v) for v in step) < 1e-9:
            break
    return w[:-1], w[-1]


def _fit_part(rows: list[dict[str, Any]], features: tuple[str, ...], label: str, l2: float) -> Logistic:
    data = [([r["features"][f] for f in features], bool(r[label])) for r in rows]
    if len({y for _, y in data}) < 2:
        raise SystemExit(f"calibration needs rows with and without {label!r}")
    weights, bias = fit_logistic(data, l2=l2)
    return Logistic(features, tuple(weights), bias)


def fit_calibration(rows: list[dict[str, Any]], features: tuple[str, ...], l2: float = L2) -> Calibration:
    """Fit the calibration of "the reply drew on the right article" on bench rows, in two parts:
    whether the question is answerable (every row), and whether the reply drew on the right
    article when it is (answerable rows only). Their product is the confidence.

    On the development questions, leaving each KB group out of its own fit, the two parts read
    ece 0.1022 macro against 0.1126 for one logistic model of "right" over the same features
    (0.0783 against 0.0962 with the earlier text-only chunk vectors), at the same auroc.
    """
    rows = [r for r in rows if r.get("features")]
    answerable = _fit_part(rows, features, "answerable", l2)
    pick = _fit_part([r for r in rows if r["answerable"]], features, "right", l2)
    return Calibration(answerable, pick)


def run_calibrate(manifest: Path = MANIFEST, out: Path = CALIBRATION_FILE) -> dict[str, Any]:
    """Fit on the development questions of every KB of the suite and store the calibrations.

    Two entries per retrieval mode in use: the provider's own (with its support estimate)
    and ``retrieval`` (without it).
    """
    runs = collect_suite(manifest)
    first = next(iter(runs.values()))
    provider, dense = str(first["provider"]), first["dense"] is not None
    rows = [r for run in runs.values() for r in run["rows"] if r["split"] == "dev"]
    table = json.loads(out.read_text()) if out.exists() else {}
    written = {}
    for name in (provider, "retrieval"):
        features = mode_features(name, dense)
        calibration = fit_calibration(rows, features)
        key = calibration_key(name, dense)
        table[key] = {
            **calibration.as_dict(),
            "fitted_on": sorted(runs),
            "split": "dev",
            "rows": len(rows),
            "embedder": first["embedder"],
            "date": datetime.now(UTC).date().isoformat(),
        }
        written[key] = table[key]
    out.write_text(json.dumps(table, indent=2) + "\n")
    calibration_for.cache_clear()
    return written
