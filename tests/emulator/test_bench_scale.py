"""`switchboard bench scale` at a small size: the generated help centre, and one whole run against
Google's Firestore emulator (import, a timed and a counted cold start in fresh processes, warm
turns, searches)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from switchboard.devtools.bench.scale import draw_questions, generate_article, generate_articles, run_scale
from switchboard.knowledge.articles import chunk_article

KEYS = {
    "articles",
    "cold_first_answer_ms",
    "warm_turn_p50_ms",
    "warm_turn_p99_ms",
    "search_p99_ms",
    "rss_mb",
    "import_s",
}


def test_generated_articles_are_deterministic_varied_and_help_centre_sized() -> None:
    articles = generate_articles(300, seed=3)
    assert articles == generate_articles(300, seed=3)
    assert generate_article(299, seed=3) == articles[-1]  # article i does not depend on N
    assert generate_articles(5, seed=4) != articles[:5]
    assert len({a.id for a in articles}) == 300 and len({a.title for a in articles}) >= 290
    words = [len(a.body.split()) for a in articles]
    assert min(words) >= 150 and 180 <= sum(words) / len(words) <= 230 and max(words) <= 280
    assert {a.entry_type for a in articles} == {"how_to", "faq", "troubleshooting", "policy", "release_note"}
    assert all(1 <= len(chunk_article(a)) <= 6 for a in articles)
    terms = {w.lower() for a in articles for w in a.body.split()}
    assert len(terms) > 2000  # a long tail of names and ordinary words, not a few hundred repeated
    questions = draw_questions(articles, 50, seed=3)
    assert len({article for _, article in questions}) == 50
    assert all(q.endswith("?") and len(q.split()) >= 3 for q, _ in questions)


@pytest.mark.emulator
def test_a_small_run_reports_every_figure(firestore_emulator: str, env: Any) -> None:
    before = dict(os.environ)
    result = run_scale(articles=200, turns=30)
    assert dict(os.environ) == before  # the run leaves the environment as it found it
    assert set(result) >= KEYS and "error" not in result
    assert result["articles"] == 200 and result["chunks"] >= 200
    assert result["cold_first_answer_ms"] > 0
    parts = {k: v for k, v in result["cold_breakdown_ms"].items() if k != "kb_store_reads"}  # within the others
    assert result["cold_first_answer_ms"] >= sum(parts.values()) - 1
    assert result["cold_breakdown_ms"]["open_index"] > 0 and result["cold_breakdown_ms"]["kb_store_reads"] > 0
    assert 0 < result["warm_turn_p50_ms"] <= result["warm_turn_p99_ms"]
    assert 0 < result["search_p50_ms"] <= result["search_p99_ms"]
    assert 0 < result["rss_mb_after_imports"] <= result["rss_mb_after_first_answer"] <= result["rss_mb"]
    assert result["import_s"] > 0
    # The cold start read the (small, so whole) index and the vectors of the question's
    # candidates, not every chunk's document with its vector (about 9.4 kB per chunk at 768-d).
    assert 0 < result["cold_store_read_bytes"] < 4000 * result["chunks"]
    assert result["cold_store_calls"] >= 3
    assert result["first_answer_found_article"]
    assert result["genai_loaded_by_first_answer"] is True  # the question is embedded through the SDK
    assert result["warm_recall_at_3"] >= 0.5


@pytest.mark.emulator
def test_a_lexical_run_answers_without_loading_the_genai_sdk(firestore_emulator: str, env: Any) -> None:
    result = run_scale(articles=100, turns=10, dimensions=0)
    assert "error" not in result and result["models"]["embeddings"] == "none"
    assert result["genai_loaded_by_first_answer"] is False  # extractive mode: no model SDK on the cold path
    assert result["first_answer_found_article"] and result["warm_turn_p50_ms"] > 0
