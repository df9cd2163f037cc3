"""`switchboard bench quality`: retrieval, confidence and escalation through the chat turn."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

from switchboard.devtools.bench import read_jsonl
from switchboard.devtools.bench.metrics import auroc, ece, ece_noise_floor, mrr_at, recall_at

_WORD = re.compile(r"\w+")


def _articles_in_order(article_ids: list[str]) -> list[str]:
    return list(dict.fromkeys(article_ids))


def _bm25_rankings(chunks: list[Any], questions: list[dict[str, Any]]) -> list[list[str]]:
    """Plain BM25 (rank-bm25 Okapi, default parameters) over the same chunks, ranked by article."""
    from rank_bm25 import BM25Okapi

    corpus = [_WORD.findall(f"{c.title}\n{c.text}".lower()) for c in chunks]
    bm25 = BM25Okapi(corpus)
    rankings = []
    for q in questions:
        scores = bm25.get_scores(_WORD.findall(q["text"].lower()))
        order = sorted(range(len(chunks)), key=lambda i: -scores[i])
        rankings.append(_articles_in_order([chunks[i].article_id for i in order])[:10])
    return rankings


def _retrieval(rankings: list[list[str]], questions: list[dict[str, Any]]) -> dict[str, float]:
    answerable = [(r, q["expected_article_ids"]) for r, q in zip(rankings, questions, strict=True) if q["answerable"]]
    ranked = [r for r, _ in answerable]
    expected = [e for _, e in answerable]
    return {
        "recall@1": round(recall_at(ranked, expected, 1), 4),
        "recall@3": round(recall_at(ranked, expected, 3), 4),
        "mrr@10": round(mrr_at(ranked, expected, 10), 4),
    }


def run_quality(kb_path: Path, questions_path: Path, keep_rows: bool = False) -> dict[str, Any]:
    """Import the KB into a scratch tenant and answer every question like the chat function does."""
    os.environ["RATE_LIMIT"] = "1000000/60"
    from switchboard import bootstrap
    from switchboard.core.models import InboundMessage, UserInfo
    from switchboard.core.turn import handle_turn
    from switchboard.knowledge.articles import read_articles
    from switchboard.knowledge.importer import import_articles

    bootstrap.reset()
    services = bootstrap.services()
    tenant = f"bench-{uuid.uuid4().hex[:8]}"
    version = import_articles(
        services.store, tenant, read_articles(kb_path), replace=True, embedder=services.embedder
    ).version
    questions = read_jsonl(questions_path)
    index = services.indexes.get(tenant, version)
    ours, rows = [], []
    threshold = services.settings.escalation_threshold
    for q in questions:
        passages = index.search(q["text"], k=20)
        ours.append(_articles_in_order([p.article_id for p in passages])[:10])
        user = UserInfo(f"bench-{q['id']}", "bench@example.com", "Bench", "bench", "bench")
        result = handle_turn(InboundMessage(tenant, "bench", q["id"], user, q["text"]), services.turn_deps)
        cited = [s.entry_id for s in result.sources]
        right = bool(q["answerable"]) and bool(set(cited) & set(q["expected_article_ids"]))
        rows.append(
            {
                "id": q["id"],
                "answerable": q["answerable"],
                "confidence": result.confidence,
                "escalate": result.requires_escalation,
                "right": right,
                "cited": cited,
                "features": result.debug.get("confidence_features"),
            }
        )
    confidences = [r["confidence"] for r in rows]
    report: dict[str, Any] = {
        "switchboard": {
            **_retrieval(ours, questions),
            "auroc": round(auroc(confidences, [bool(r["answerable"]) for r in rows]), 4),
            "ece": round(ece(confidences, [r["right"] for r in rows]), 4),
            "escalation_accuracy": round(sum(1 for r in rows if r["escalate"] == (not r["right"])) / len(rows), 4),
        },
        "bm25": _retrieval(_bm25_rankings(index.chunks, questions), questions),
        "questions": len(questions),
        # The ece a perfectly calibrated model would read here: small sets cannot resolve 0.05.
        "ece_if_perfectly_calibrated": ece_noise_floor(confidences),
        "threshold": threshold,
        "provider": services.llm.name,
    }
    if keep_rows:
        report["rows"] = rows
    return report
