"""The second opinion: how much a message's embedding looks like a request for a person.

The frames catch the forms they were written for; people also ask in ways no frame foresaw
("我要找个能解决问题的人", "find me someone who can sort this out"). A logistic model over the
message's embedding, fitted on the labelled development messages of every language and on
ordinary customer questions (``switchboard bench fit-handoff``), is asked when no frame decided.
It fires at :attr:`SimilarModel.threshold`, chosen on rounds of messages left out of the fit
(``benchmarks/handoff_similar_choice.py``).

The model belongs to one embedding space: it is used only when the turn's embedder is the one it
was fitted with (``embedder`` in ``data/similar.json``), and never otherwise. Pure Python: one
dot product of 384 numbers.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MODEL_FILE = Path(__file__).with_name("data") / "similar.json"


@dataclass(frozen=True)
class SimilarModel:
    """A logistic model of "asks for a person" over one embedder's query vectors.

    Attributes:
        embedder: The embedder whose vectors it reads (``LocalEmbedder.name``).
        weights: One weight per dimension.
        bias: The intercept.
        threshold: The probability from which the message counts as a request.
    """

    embedder: str
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, vector: Sequence[float]) -> float:
        """P(the message asks for a person) for a vector of this model's embedder."""
        if len(vector) != len(self.weights):
            raise ValueError(f"expected {len(self.weights)} dimensions, got {len(vector)}")
        z = self.bias + math.fsum(w * x for w, x in zip(self.weights, vector, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimilarModel | None:
        """The model stored as ``data``, or ``None`` when it is malformed."""
        try:
            weights = tuple(float(w) for w in data["weights"])
            model = cls(str(data["embedder"]), weights, float(data["bias"]), float(data["threshold"]))
        except (KeyError, TypeError, ValueError):
            return None
        if not weights or not model.embedder or not 0.0 < model.threshold < 1.0:
            return None
        if not all(math.isfinite(w) for w in (*weights, model.bias)):
            return None
        return model


@lru_cache(maxsize=1)
def similar_model(path: Path = MODEL_FILE) -> SimilarModel | None:
    """The shipped model, read once; ``None`` when there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("no handoff similarity model", extra={"path": str(path)})
        return None
    model = SimilarModel.from_dict(data) if isinstance(data, dict) else None
    if model is None:
        log.warning("handoff similarity model unreadable; frames only", extra={"path": str(path)})
    return model
