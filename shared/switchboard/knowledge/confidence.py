"""classification_confidence: retrieval evidence combined with the model's own estimate.

Neither signal alone is honest: retrieval scores say a passage *looks* related, the model's
self-assessment says the passages *support* its answer, and models are over-confident. A
logistic calibration fitted on the benchmark's dev split (``switchboard bench calibrate``,
stored in ``calibration.json`` per provider) maps the signals to the probability that the
answer came from the right article. Providers without a fitted calibration use a fixed mix,
capped when the answer cites nothing, so an uncited answer never looks sure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from switchboard.core.models import Passage

RETRIEVAL_WEIGHT = 0.45
UNCITED_CAP = 0.2
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
FEATURES = ("score", "coverage", "support", "margin", "cited", "unknown", "foreign")


@dataclass(frozen=True)
class Calibration:
    """A logistic model over a subset of :data:`FEATURES`."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def __call__(self, features: dict[str, float]) -> float:
        """The calibrated probability."""
        z = self.bias + sum(w * features[name] for w, name in zip(self.weights, self.features, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=8)
def calibration_for(provider: str) -> Calibration | None:
    """The fitted calibration of a provider, if one is stored."""
    try:
        table = json.loads(CALIBRATION_FILE.read_text())
    except (OSError, ValueError):
        return None
    entry = table.get(provider)
    names = tuple(entry.get("features", [])) if entry else ()
    if not entry or not names or not set(names) <= set(FEATURES) or len(names) != len(entry.get("weights", [])):
        return None
    return Calibration(names, tuple(float(w) for w in entry["weights"]), float(entry["bias"]))


def confidence_features(
    passages: Sequence[Passage],
    cited_ids: Sequence[str],
    model_support: float,
    unknown: float = 0.0,
    foreign: float = 0.0,
) -> dict[str, float]:
    """The signals the confidence is made of (also shown in the test agent's debug)."""
    by_id = {p.id: p for p in passages}
    cited = [by_id[c] for c in cited_ids if c in by_id]
    best = max(cited, key=lambda p: p.score) if cited else passages[0]
    others = [p.score for p in passages if p.article_id != best.article_id]
    return {
        "score": best.score,
        "coverage": best.coverage,
        "support": min(1.0, max(0.0, model_support)),
        "margin": best.score - (max(others) if others else 0.0),
        "cited": 1.0 if cited else 0.0,
        "unknown": unknown,
        "foreign": foreign,
    }


def combine_confidence(
    passages: Sequence[Passage],
    cited_ids: Sequence[str],
    model_support: float,
    provider: str = "",
    unknown: float = 0.0,
    foreign: float = 0.0,
) -> float:
    """Combine retrieval evidence and model support into one score in 0..1.

    Args:
        passages: The passages the model was given, best first.
        cited_ids: Passage ids the answer cites (already filtered to the given ones).
        model_support: The model's estimate (0..1) that the passages support its answer.
        provider: The LLM provider's name, to pick its fitted calibration.
        unknown: Share of the question's terms the knowledge base never uses.
        foreign: 1 when the question names something neither the knowledge base nor the
            English dictionary knows (another product, a place), else 0.

    Returns:
        The confidence, rounded to three decimals.
    """
    if not passages:
        return 0.0
    return confidence_from(confidence_features(passages, cited_ids, model_support, unknown, foreign), provider)


def confidence_from(features: dict[str, float], provider: str = "") -> float:
    """The confidence of :func:`confidence_features` under the provider's calibration."""
    calibration = calibration_for(provider)
    if calibration is not None:
        value = calibration(features)
    else:
        value = RETRIEVAL_WEIGHT * features["score"] + (1 - RETRIEVAL_WEIGHT) * features["support"]
    if not features["cited"]:
        value = min(value, UNCITED_CAP)
    return round(min(1.0, max(0.0, value)), 3)
