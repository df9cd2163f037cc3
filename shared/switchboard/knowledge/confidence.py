"""classification_confidence: retrieval evidence combined with the model's own estimate.

Neither signal alone is honest: retrieval scores say a passage *looks* related, the model's
self-assessment says the passages *support* its answer but models are over-confident. The mix
below is capped when the answer cites nothing, so an uncited answer can never look sure.
"""

from __future__ import annotations

from collections.abc import Sequence

from switchboard.core.models import Passage

RETRIEVAL_WEIGHT = 0.45
UNCITED_CAP = 0.2


def combine_confidence(passages: Sequence[Passage], cited_ids: Sequence[str], model_support: float) -> float:
    """Combine retrieval evidence and model support into one score in 0..1.

    Args:
        passages: The passages the model was given, best first.
        cited_ids: Passage ids the answer cites (already filtered to the given ones).
        model_support: The model's estimate (0..1) that the passages support its answer.

    Returns:
        The confidence, rounded to three decimals.
    """
    if not passages:
        return 0.0
    support = min(1.0, max(0.0, model_support))
    by_id = {p.id: p for p in passages}
    cited = [by_id[c] for c in cited_ids if c in by_id]
    evidence = max(p.score for p in cited) if cited else passages[0].score
    value = RETRIEVAL_WEIGHT * evidence + (1 - RETRIEVAL_WEIGHT) * support
    if not cited:
        value = min(value, UNCITED_CAP)
    return round(min(1.0, max(0.0, value)), 3)
