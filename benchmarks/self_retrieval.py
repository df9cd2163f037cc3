"""Can a KB predict, without labels, how often its retriever is right? (a dev tool, see docs/BENCHMARKS.md)

For every KB of the quality suite this script builds the index the way an import does (local
embedder, off-domain profile) and compares two numbers:

* **probes**: top-1 self-retrieval of queries generated from the articles themselves, two kinds:
  ``title_drop`` (the title with about a third of its words dropped at random, seed 0) and
  ``body1`` (the first sentence of the body);
* **real**: recall@1 of the KB's own answerable ``dev`` questions (people's paraphrases).

If the probe rate tracked the real rate across KBs it could set each KB's confidence level at
import. It does not (see docs/BENCHMARKS.md), which is why the confidence has no such feature.

Usage::

    .venv/bin/python benchmarks/self_retrieval.py
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))

from switchboard.devtools.bench.metrics import recall_at  # noqa: E402
from switchboard.devtools.bench.quality import load_manifest  # noqa: E402
from switchboard.knowledge.articles import chunk_article, read_articles  # noqa: E402
from switchboard.knowledge.importer import embed_chunks  # noqa: E402
from switchboard.knowledge.profile import build_profile  # noqa: E402
from switchboard.knowledge.retrieval import KnowledgeIndex  # noqa: E402
from switchboard.llm.local_embedder import LocalEmbedder  # noqa: E402

BATCH = 32


def _embed(embedder: LocalEmbedder, texts: list[str], task: str) -> list[list[float]]:
    out: list[list[float]] = []
    for start in range(0, len(texts), BATCH):
        out.extend(embedder.embed(texts[start : start + BATCH], task))  # type: ignore[arg-type]
    return out


def _top1(index: KnowledgeIndex, texts: list[str], vectors: list[list[float]]) -> list[list[str]]:
    rankings = []
    for text, vector in zip(texts, vectors, strict=True):
        passages = index.search(text, k=20, query_vector=vector)
        rankings.append(list(dict.fromkeys(p.article_id for p in passages)))
    return rankings


def _first_sentence(text: str) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return (parts[0] if parts else text)[:200]


def main() -> None:
    embedder = LocalEmbedder()
    table = {}
    for entry in load_manifest():
        articles = read_articles(entry["kb"])
        chunks = [c for a in articles for c in chunk_article(a)]
        vectors = {c.id: v.tolist() for c, v in zip(chunks, embed_chunks(embedder, chunks), strict=True)}
        profile = build_profile(KnowledgeIndex(chunks, vectors), articles, embedder)
        index = KnowledgeIndex(chunks, vectors, profile)
        rnd = random.Random(0)
        probes: dict[str, list[tuple[str, str]]] = {"title_drop": [], "body1": []}
        for article in articles:
            words = article.title.split()
            kept = [w for w in words if rnd.random() > 0.35] or words
            probes["title_drop"].append((" ".join(kept), article.id))
            probes["body1"].append((_first_sentence(article.body), article.id))
        row = {}
        for kind, pairs in probes.items():
            texts = [t for t, _ in pairs]
            rankings = _top1(index, texts, _embed(embedder, texts, "query"))
            row[kind] = round(recall_at(rankings, [[a] for _, a in pairs], 1), 3)
        questions = [q for q in entry["questions"] if q["split"] == "dev" and q["answerable"]]
        texts = [q["text"] for q in questions]
        rankings = _top1(index, texts, _embed(embedder, texts, "query"))
        row["real"] = round(recall_at(rankings, [q["expected_article_ids"] for q in questions], 1), 3)
        table[entry["name"]] = row
        print(entry["name"], row, file=sys.stderr)  # noqa: T201
    print(json.dumps(table, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
