"""classification_confidence: retrieval evidence combined with the model's own estimate.

Neither signal alone is honest: retrieval scores say a passage *looks* related, the model's
self-assessment says the passages *support* its answer, and models are over-confident. A
calibration fitted on the benchmark's dev split (``switchboard bench calibrate``, stored in
``calibration.json`` per provider) maps the signals to the probability that the answer came
from the right article, in two parts: the probability that the knowledge base answers the
question at all, times the probability that the article picked is the right one when it does
(each a logistic model). The first transfers well between knowledge bases; keeping the second
apart stops the share of off-topic questions in the fit from setting how much a good match is
trusted. Providers without a fitted calibration use a fixed mix, capped when the answer cites
nothing, so an uncited answer never looks sure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from switchboard.core.models import Passage
from switchboard.knowledge.profile import KbProfile

RETRIEVAL_WEIGHT = 0.45
UNCITED_CAP = 0.2
#: Confidence of a reply whose model judged that the passages do not answer the question.
UNANSWERED_CAP = 0.1
#: Confidence of a reply to an English question that names something neither the KB nor the
#: dictionary knows ("reset my gmail password"): on the benchmark's development questions of all
#: five knowledge bases, 12 of the 139 replies to such questions were right (9 %). The logistic
#: calibration cannot express it, because such questions otherwise match an article well.
FOREIGN_CAP = 0.15
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
FEATURES = (
    "score",
    "coverage",
    "support",
    "margin",
    "cited",
    "unknown",
    "foreign",
    "lexical_z",
    "dense_z",
    "agree",
    "cross",
    "dense",
    "dense_gap",
    "kb_crowding",
)


@dataclass(frozen=True)
class Logistic:
    """A logistic model over a subset of :data:`FEATURES`."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def __call__(self, features: dict[str, float]) -> float:
        """The modelled probability."""
        z = self.bias + sum(w * features[name] for w, name in zip(self.weights, self.features, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def as_dict(self) -> dict[str, object]:
        """The stored form."""
        return {
            "features": list(self.features),
            "weights": [round(w, 6) for w in self.weights],
            "bias": round(self.bias, 6),
        }

    @classmethod
    def from_dict(cls, entry: object) -> Logistic | None:
        """Read a stored model; None when it is missing or names an unknown feature."""
        if not isinstance(entry, dict):
            return None
        names, weights = entry.get("features"), entry.get("weights")
        if not isinstance(names, list) or not isinstance(weights, list) or not names or len(names) != len(weights):
            return None
        if not set(names) <= set(FEATURES):
            return None
        try:
            return cls(tuple(names), tuple(float(w) for w in weights), float(entry["bias"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Calibration:
    """P(the reply is right) = P(the KB answers the question) x P(the pick is right | it does).

    A calibration stored as a single logistic model (``features``/``weights``/``bias``) has no
    ``pick`` part and is that model alone.
    """

    answerable: Logistic
    pick: Logistic | None = None

    def __call__(self, features: dict[str, float]) -> float:
        """The calibrated probability."""
        value = self.answerable(features)
        return value * self.pick(features) if self.pick is not None else value

    def as_dict(self) -> dict[str, object]:
        """The stored form: both parts, or the single model's own form."""
        if self.pick is None:
            return self.answerable.as_dict()
        return {"answerable": self.answerable.as_dict(), "pick": self.pick.as_dict()}

    @classmethod
    def from_dict(cls, entry: object) -> Calibration | None:
        """Read a stored calibration of either form; None when it is unusable."""
        if not isinstance(entry, dict):
            return None
        if "answerable" not in entry and "pick" not in entry:
            single = Logistic.from_dict(entry)
            return cls(single) if single is not None else None
        answerable, pick = Logistic.from_dict(entry.get("answerable")), Logistic.from_dict(entry.get("pick"))
        return cls(answerable, pick) if answerable is not None and pick is not None else None


@lru_cache(maxsize=16)
def calibration_for(key: str) -> Calibration | None:
    """The fitted calibration stored under ``key`` (see :func:`calibration_key`), if any."""
    try:
        table = json.loads(CALIBRATION_FILE.read_text())
    except (OSError, ValueError):
        return None
    return Calibration.from_dict(table.get(key)) if isinstance(table, dict) else None


def calibration_key(provider: str, dense: bool) -> str:
    """Where a provider's calibration is stored: one per retrieval mode (with or without vectors)."""
    return f"{provider}+dense" if dense else provider


def confidence_features(
    passages: Sequence[Passage],
    cited_ids: Sequence[str],
    model_support: float,
    unknown: float = 0.0,
    foreign: float = 0.0,
    profile: KbProfile | None = None,
    cross_language: bool = False,
) -> dict[str, float]:
    """The signals the confidence is made of (also shown in the test agent's debug).

    ``lexical_z`` and ``dense_z`` are the best lexical and dense scores read against this
    knowledge base's off-domain level (:class:`KbProfile`): the same z means the same thing on
    any KB. ``agree`` is 1 when the lexical and the dense side put the same article first.
    """
    profile = profile or KbProfile()
    by_id = {p.id: p for p in passages}
    cited = [by_id[c] for c in cited_ids if c in by_id]
    best = max(cited, key=lambda p: p.score) if cited else passages[0]
    others = [p.score for p in passages if p.article_id != best.article_id]
    lexical_best = max(passages, key=lambda p: p.lexical)
    with_dense = [p for p in passages if p.dense is not None]
    dense_best = max(with_dense, key=lambda p: p.dense or 0.0) if with_dense else None
    runner_up = max(
        (p.dense or 0.0 for p in with_dense if dense_best is not None and p.article_id != dense_best.article_id),
        default=profile.dense_mu,
    )
    return {
        "score": best.score,
        "coverage": best.coverage,
        "support": min(1.0, max(0.0, model_support)),
        "margin": best.score - (max(others) if others else 0.0),
        "cited": 1.0 if cited else 0.0,
        "unknown": unknown,
        "foreign": foreign,
        "lexical_z": round(profile.lexical_z(lexical_best.lexical), 4),
        "dense_z": round(profile.dense_z(dense_best.dense or 0.0), 4) if dense_best else 0.0,
        "agree": 1.0 if dense_best is not None and dense_best.article_id == lexical_best.article_id else 0.0,
        "cross": 1.0 if cross_language else 0.0,
        "dense": 1.0 if dense_best is not None else 0.0,
        "dense_gap": round(profile.dense_z(dense_best.dense or 0.0) - profile.dense_z(runner_up), 4)
        if dense_best
        else 0.0,
        "kb_crowding": profile.crowding,
    }


def confidence_from(features: dict[str, float], provider: str = "", answered: bool | None = None) -> float:
    """The confidence of :func:`confidence_features`.

    The provider's own fitted calibration is used when one is stored for this retrieval mode.
    Otherwise (Gemini until it is calibrated with a key) the retrieval-only calibration gives
    the probability that the retrieved article is the right one (retrieval features only), and
    the model's judgment scales it: its support estimate, and ``answered`` (whether the
    passages answer the question at all). Without any stored calibration a fixed mix is used.
    """
    dense = bool(features.get("dense"))
    calibration = calibration_for(calibration_key(provider, dense))
    if calibration is not None:
        value = calibration(features)
    else:
        retrieval = calibration_for(calibration_key("retrieval", dense))
        if retrieval is not None:
            value = retrieval(features) * (0.25 + 0.75 * features["support"])
        else:
            value = RETRIEVAL_WEIGHT * features["score"] + (1 - RETRIEVAL_WEIGHT) * features["support"]
    if answered is False:
        value = min(value, UNANSWERED_CAP)
    if features.get("foreign"):
        value = min(value, FOREIGN_CAP)
    if not features["cited"]:
        value = min(value, UNCITED_CAP)
    return round(min(1.0, max(0.0, value)), 3)
