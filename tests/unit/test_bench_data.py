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


def test_handoff_test_texts_differ_from_dev_and_each_other_beyond_case_accents_and_punctuation() -> None:
    import re

    from switchboard.core.handoff import normalize

    def key(text: str) -> str:
        return re.sub(r"[\W_]+", " ", normalize(text)).strip()

    dev = {key(r["text"]) for r in _rows(DATA / "handoff" / "dev.jsonl")}
    test = [key(r["text"]) for r in _rows(DATA / "handoff" / "test.jsonl")]
    assert set(test) & dev == set()
    assert len(set(test)) == len(test)
    for split in ("dev", "test"):
        ids = [r["id"] for r in _rows(DATA / "handoff" / f"{split}.jsonl")]
        assert len(set(ids)) == len(ids), split


@pytest.mark.parametrize("split", ["dev", "test"])
def test_faq_questions_have_unique_ids_and_labels_that_match_the_knowledge_base(split: str) -> None:
    articles = {r["id"] for r in _rows(DATA / "support-faq" / "kb.jsonl")}
    rows = _rows(DATA / "support-faq" / f"questions.{split}.jsonl")
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r["expected_article_ids"]) <= articles, r["id"]
        assert bool(r["expected_article_ids"]) == r["answerable"], r["id"]


MANIFEST = DATA / "kbs" / "manifest.json"


def _suite() -> list[dict]:
    from switchboard.devtools.bench.quality import load_manifest

    return load_manifest(MANIFEST)


def test_the_suite_has_at_least_four_public_kbs_in_several_languages_with_licences() -> None:
    entries = _suite()
    public = [e for e in entries if e["path"].startswith("benchmarks/data/kbs/")]
    assert len(public) >= 4
    assert len({e["lang"] for e in entries}) >= 2
    for entry in public:
        folder = Path(entry["kb"]).parent
        assert (folder / "SOURCE.md").exists() and any(folder.glob("LICENSE*")), entry["name"]


@pytest.mark.parametrize("name", [e["name"] for e in json.loads(MANIFEST.read_text())])
def test_suite_questions_are_split_labelled_and_point_at_real_articles(name: str) -> None:
    entry = next(e for e in _suite() if e["name"] == name)
    articles = {r["id"] for r in _rows(Path(entry["kb"]))}
    questions = entry["questions"]
    assert len({q["id"] for q in questions}) == len(questions)
    by_split: dict[str, set[str]] = {"dev": set(), "test": set()}
    for q in questions:
        assert q["split"] in by_split, q["id"]
        assert set(q["expected_article_ids"]) <= articles, q["id"]
        assert bool(q["expected_article_ids"]) == q["answerable"], q["id"]
        by_split[q["split"]].add(" ".join(q["text"].lower().split()))
    assert by_split["dev"] and by_split["test"]
    assert by_split["dev"] & by_split["test"] == set()


def test_the_shipped_probes_share_no_text_with_any_benchmark_question() -> None:
    from switchboard.knowledge.profile import PROBES_FILE

    probes = _texts(PROBES_FILE)
    for path in DATA.rglob("questions*.jsonl"):
        assert probes & _texts(path) == set(), path
