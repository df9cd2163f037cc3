"""`switchboard bench handoff`: the multilingual detector against the Kommo Salesbot spec's keyword list.

`switchboard bench fit-handoff` fits the detector's second opinion (``core/handoff/similar.py``):
a logistic model over the local embedder's query vectors, on the development messages and, as
more negatives, the knowledge-base suite's development questions that no frame calls a request.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from switchboard.core.handoff import detect_handoff
from switchboard.devtools.bench import read_jsonl
from switchboard.devtools.bench.metrics import precision_recall_f1

#: The Kommo Salesbot spec's detector: five English keywords matched as substrings.
SEED_KEYWORDS = ("agent", "human", "representative", "speak to someone", "talk to someone")


#: Languages with fewer cases than this are reported but not ranked as the worst.
MIN_CASES = 30


def seed_baseline(text: str) -> bool:
    """The Kommo Salesbot spec's rule."""
    lower = text.lower()
    return any(k in lower for k in SEED_KEYWORDS)


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Read ``{id, text, lang, wants_human}`` lines."""
    return read_jsonl(path)


#: L2 strength and threshold of the similarity model, chosen on development messages
#: (benchmarks/handoff_similar_choice.py): each 2026-11-30 round of fresh messages left out of the
#: fit in turn and judged with the rules as they were before that round was read; the best f1 of
#: the settings that cost at most 0.005 of precision against the rules alone on both rounds
#: (f1 0.904 -> 0.936 and 0.887 -> 0.921).
SIMILAR_L2 = 1e-4
SIMILAR_THRESHOLD = 0.7


def _embedder() -> Any:
    """The local embedder when the environment uses it, else ``None`` (frames only)."""
    from switchboard import bootstrap

    embedder = bootstrap.services().embedder
    return embedder if embedder is not None and embedder.name.startswith("local:") else None


def run_handoff(path: Path) -> dict[str, Any]:
    """Overall, per-language and baseline precision/recall/F1, of the detector as the turn runs it."""
    cases = load_cases(path)
    actual = [bool(c["wants_human"]) for c in cases]
    embedder = _embedder()
    if embedder is not None:  # one batch: the detector's own calls are then answered from the cache
        embedder.embed([c["text"] for c in cases if c["text"].strip()], "query")
    predicted = [detect_handoff(c["text"], embedder).wants_human for c in cases]
    baseline = [seed_baseline(c["text"]) for c in cases]
    by_language: dict[str, Any] = {}
    for lang in sorted({c["lang"] for c in cases}):
        idx = [i for i, c in enumerate(cases) if c["lang"] == lang]
        scores = precision_recall_f1([predicted[i] for i in idx], [actual[i] for i in idx])
        seed = precision_recall_f1([baseline[i] for i in idx], [actual[i] for i in idx])
        by_language[lang] = {**scores, "n": len(idx), "baseline_f1": seed["f1"]}
    measured = {k: v for k, v in by_language.items() if v["n"] >= MIN_CASES}
    worst = min(measured, key=lambda k: measured[k]["f1"]) if measured else None
    misses = [c["id"] for c, p, a in zip(cases, predicted, actual, strict=True) if p != a]
    return {
        "overall": precision_recall_f1(predicted, actual),
        "by_language": by_language,
        "worst_language": {"lang": worst, **measured[worst]} if worst else None,
        "baseline": precision_recall_f1(baseline, actual),
        "cases": len(cases),
        "detector": "frames+similar" if embedder is not None else "frames",
        "errors": misses,
    }


def similar_training_data(dev_path: Path, manifest: Path | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The similarity model's training data: the labelled dev messages, and the KB suite's dev
    questions that no rule calls a request (negatives)."""
    from switchboard.core.handoff import match_rule
    from switchboard.devtools.bench.quality import MANIFEST, load_manifest

    cases = [c for c in load_cases(dev_path) if c["text"].strip()]
    questions = [
        q["text"]
        for entry in load_manifest(manifest or MANIFEST)
        for q in entry["questions"]
        if q.get("split") == "dev" and q["text"].strip() and not match_rule(q["text"])
    ]
    return cases, questions


def fit_similar(dev_path: Path, out: Path, manifest: Path | None = None, l2: float = SIMILAR_L2) -> dict[str, Any]:
    """Fit the similarity model and write it to ``out``; returns what was written, less the weights."""
    import numpy as np

    from switchboard.llm.local_embedder import LocalEmbedder

    cases, questions = similar_training_data(dev_path, manifest)
    texts = [c["text"] for c in cases]
    labels = [bool(c["wants_human"]) for c in cases]
    embedder = LocalEmbedder(batch_size=64)
    x = np.asarray(embedder.embed(texts + questions, "query"), dtype=np.float64)
    y = np.asarray(labels + [False] * len(questions), dtype=np.float64)
    weights, bias = _logistic(x, y, l2)
    model = {
        "embedder": embedder.name,
        "threshold": SIMILAR_THRESHOLD,
        "l2": l2,
        "fitted_on": {"messages": len(texts), "requests": sum(labels), "kb_questions": len(questions)},
        "date": datetime.now(UTC).date().isoformat(),
        "bias": round(bias, 6),
        "weights": [round(w, 6) for w in weights],
    }
    out.write_text(json.dumps(model) + "\n")
    from switchboard.core.handoff.similar import similar_model

    similar_model.cache_clear()
    return {k: v for k, v in model.items() if k != "weights"}


def _logistic(x: Any, y: Any, l2: float) -> tuple[list[float], float]:
    """L2-regularised logistic regression (bias not penalised) by Newton's method, with numpy."""
    import numpy as np

    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) / len(y) + penalty * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb / len(y) + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return [float(v) for v in w[:-1]], float(w[-1])
