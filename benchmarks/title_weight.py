"""How much of the title, asked as a question, goes into a chunk's vector (a dev tool, see
docs/embeddings.md#chunk-vectors).

For every KB of the quality suite: each chunk's title and text are embedded as a document and
each title as a question (local embedder), and for each weight ``w`` the chunk vectors are
``normalise(document + w * title)`` (what ``importer.embed_chunks`` makes at ``w =
TITLE_WEIGHT``; here each text is embedded once, not once per weight). The index is then built
as an import builds it (off-domain profile included) and the KB's answerable **dev** questions
are searched through the fused lexical + dense ranking. Prints recall@1 / recall@3 per KB and
macro. Test questions are not read. ``importer.TITLE_WEIGHT`` is the weight this chose.

Usage::

    .venv/bin/python benchmarks/title_weight.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))

from switchboard.devtools.bench.metrics import recall_at  # noqa: E402
from switchboard.devtools.bench.quality import load_manifest  # noqa: E402
from switchboard.knowledge.articles import chunk_article, read_articles  # noqa: E402
from switchboard.knowledge.profile import build_profile  # noqa: E402
from switchboard.knowledge.retrieval import KnowledgeIndex  # noqa: E402
from switchboard.llm.local_embedder import LocalEmbedder  # noqa: E402

BATCH = 32
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _embed(embedder: LocalEmbedder, texts: list[str], task: str) -> np.ndarray:
    out: list[list[float]] = []
    for start in range(0, len(texts), BATCH):
        out.extend(embedder.embed(texts[start : start + BATCH], task))
    return np.asarray(out, dtype=np.float32)


def main() -> None:
    embedder = LocalEmbedder()
    table: dict[str, dict[str, list[float]]] = {}
    for entry in load_manifest():
        articles = read_articles(entry["kb"])
        chunks = [c for a in articles for c in chunk_article(a)]
        documents = _embed(embedder, [f"{c.title}\n{c.text}" for c in chunks], "document")
        titles = _embed(embedder, [c.title for c in chunks], "query")
        titles[[not c.title.strip() for c in chunks]] = 0.0  # as importer.embed_chunks: no title, no title part
        questions = [q for q in entry["questions"] if q["split"] == "dev" and q["answerable"]]
        asked = _embed(embedder, [q["text"] for q in questions], "query")
        expected = [q["expected_article_ids"] for q in questions]
        row = {}
        for weight in WEIGHTS:
            matrix = documents + weight * titles
            matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
            vectors = {c.id: v.tolist() for c, v in zip(chunks, matrix, strict=True)}
            profile = build_profile(KnowledgeIndex(chunks, vectors), articles, embedder)
            index = KnowledgeIndex(chunks, vectors, profile)
            rankings = [
                list(dict.fromkeys(p.article_id for p in index.search(q["text"], k=20, query_vector=v.tolist())))
                for q, v in zip(questions, asked, strict=True)
            ]
            row[str(weight)] = [round(recall_at(rankings, expected, 1), 3), round(recall_at(rankings, expected, 3), 3)]
        table[entry["name"]] = row
        print(entry["name"], row, file=sys.stderr)  # noqa: T201
    table["macro"] = {
        str(w): [round(float(np.mean([table[k][str(w)][i] for k in list(table)])), 3) for i in (0, 1)] for w in WEIGHTS
    }
    print(json.dumps(table, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
