"""`switchboard bench handoff`: the multilingual detector against the Kommo Salesbot spec's keyword list."""

from __future__ import annotations

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


def run_handoff(path: Path) -> dict[str, Any]:
    """Overall, per-language and baseline precision/recall/F1."""
    cases = load_cases(path)
    actual = [bool(c["wants_human"]) for c in cases]
    predicted = [detect_handoff(c["text"]).wants_human for c in cases]
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
        "errors": misses,
    }
