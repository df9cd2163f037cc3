"""The benchmark data keeps its own rules: disjoint splits, valid labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _texts(path: Path) -> set[str]:
    return {" ".join(r["text"].lower().split()) for r in _rows(path)}


@pytest.mark.parametrize(
    ("dev", "test"),
    [
        ("support-faq/questions.dev.jsonl", "support-faq/questions.test.jsonl"),
        ("handoff/dev.jsonl", "handoff/test.jsonl"),
    ],
)
def test_no_text_is_in_both_the_dev_and_the_test_split(dev: str, test: str) -> None:
    assert _texts(DATA / dev) & _texts(DATA / test) == set()


@pytest.mark.parametrize("split", ["dev", "test"])
def test_faq_questions_have_unique_ids_and_labels_that_match_the_knowledge_base(split: str) -> None:
    articles = {r["id"] for r in _rows(DATA / "support-faq" / "kb.jsonl")}
    rows = _rows(DATA / "support-faq" / f"questions.{split}.jsonl")
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r["expected_article_ids"]) <= articles, r["id"]
        assert bool(r["expected_article_ids"]) == r["answerable"], r["id"]
