from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.errors import InvalidInputError, ValidationFailedError
from switchboard.knowledge.articles import MAX_CHUNK_CHARS, Article, chunk_article, read_articles


def test_reads_jsonl_and_rejects_bad_lines(tmp_path: Path) -> None:
    good = tmp_path / "kb.jsonl"
    good.write_text(json.dumps({"id": "a1", "title": "T", "body": "B"}) + "\n\n")
    assert [a.id for a in read_articles(good)] == ["a1"]

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a1", "title": "T", "body": "B"}\n{nope\n')
    with pytest.raises(InvalidInputError, match="line 2"):
        read_articles(bad)

    missing = tmp_path / "missing.jsonl"
    missing.write_text('{"id": "a 1", "title": "", "body": "B", "url": "javascript:x"}\n')
    with pytest.raises(ValidationFailedError) as info:
        read_articles(missing)
    assert {p.loc for p in info.value.problems} == {"line 1.id", "line 1.title", "line 1.url"}


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_text("".join(json.dumps({"id": "x", "title": "T", "body": "B"}) + "\n" for _ in range(2)))
    with pytest.raises(ValidationFailedError, match="duplicate"):
        read_articles(path)


def test_reads_a_markdown_folder_with_front_matter(tmp_path: Path) -> None:
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing" / "refunds.md").write_text("# Refunds\n\nRefunds take 5 days.\n")
    (tmp_path / "faq.md").write_text("---\nid: faq-1\ntitle: FAQ\nurl: https://x.example/faq\n---\nBody here.\n")
    articles = {a.id: a for a in read_articles(tmp_path)}
    assert articles["billing:refunds"].title == "Refunds"
    assert articles["billing:refunds"].body == "Refunds take 5 days."
    assert articles["faq-1"].url == "https://x.example/faq"


def test_chunks_keep_sections_apart_and_respect_the_size_limit() -> None:
    body = "# Setup\n" + "\n\n".join(f"Paragraph {i}. " + "word " * 60 for i in range(8)) + "\n# Billing\nPay monthly."
    chunks = chunk_article(Article("a", "Guide", body))
    assert all(len(c.text) <= MAX_CHUNK_CHARS + 20 for c in chunks)
    assert chunks[-1].text == "Billing\nPay monthly."
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert all(c.id == f"a#{c.position}" for c in chunks)
