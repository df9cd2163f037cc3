"""`switchboard bench quality`: retrieval, confidence and escalation through the chat turn.

Two forms:

- one knowledge base (``--kb`` and ``--questions``): every question is answered through the
  chat turn with the shipped calibration; the JSON keeps the keys it always had.
- the suite (``benchmarks/data/kbs/manifest.json``): several knowledge bases written by other
  people, in several domains and languages. Every question of every KB is answered once
  through the chat turn and its confidence features are kept; then, for each KB, the
  calibration is fitted on the *other* KBs' development questions only and scored on this
  KB's test questions (leave one KB out; a KB's translations are left out with it), so no
  figure comes from a KB the fit has seen.
  Plain BM25 and the dense model alone are ranked on the same questions.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

from switchboard.devtools.bench import read_jsonl
from switchboard.devtools.bench.metrics import auroc, ece, ece_noise_floor, mrr_at, recall_at

_WORD = re.compile(r"\w+")
REPO = Path(__file__).resolve().parents[4]
MANIFEST = REPO / "benchmarks" / "data" / "kbs" / "manifest.json"


def _articles_in_order(article_ids: list[str]) -> list[str]:
    return list(dict.fromkeys(article_ids))


def _in_article_order(chunk: Any) -> tuple[str, int]:
    return chunk.article_id, chunk.position


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


def _dense_rankings(index: Any, vectors: list[list[float] | None]) -> list[list[str]]:
    """The dense model alone: chunks by cosine similarity, ranked by article."""
    return [
        _articles_in_order([c.article_id for c in index.dense_ranking(v)])[:10] if v is not None else []
        for v in vectors
    ]


def _retrieval(rankings: list[list[str]], questions: list[dict[str, Any]]) -> dict[str, float]:
    answerable = [(r, q["expected_article_ids"]) for r, q in zip(rankings, questions, strict=True) if q["answerable"]]
    ranked = [r for r, _ in answerable]
    expected = [e for _, e in answerable]
    return {
        "recall@1": round(recall_at(ranked, expected, 1), 4),
        "recall@3": round(recall_at(ranked, expected, 3), 4),
        "mrr@10": round(mrr_at(ranked, expected, 10), 4),
    }


def answer_all(kb_path: Path, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Import the KB into a scratch tenant and answer every question like the chat function does.

    Returns the rows (confidence as served, its features, whether the reply drew on an expected
    article) and three rankings per question: ours, plain BM25 and the dense model alone.
    """
    os.environ["RATE_LIMIT"] = "1000000/60"
    from switchboard import bootstrap
    from switchboard.core.models import InboundMessage, UserInfo
    from switchboard.core.turn import handle_turn
    from switchboard.knowledge.articles import chunk_article, read_articles
    from switchboard.knowledge.importer import import_articles

    bootstrap.reset()
    services = bootstrap.services()
    tenant = f"bench-{uuid.uuid4().hex[:8]}"
    articles = read_articles(kb_path)
    report = import_articles(services.store, tenant, articles, replace=True, embedder=services.embedder)
    index = services.indexes.get(tenant, report.version)
    embedder = services.embedder if index.has_vectors else None
    vectors: list[list[float] | None] = [None] * len(questions)
    if embedder is not None:
        vectors = []
        for start in range(0, len(questions), 64):
            vectors.extend(embedder.embed([q["text"] for q in questions[start : start + 64]], "query"))
    ours, rows = [], []
    for q, vector in zip(questions, vectors, strict=True):
        passages = index.search(q["text"], k=20, query_vector=vector)
        ours.append(_articles_in_order([p.article_id for p in passages])[:10])
        user = UserInfo(f"bench-{q['id']}", "bench@example.com", "Bench", "bench", "bench")
        result = handle_turn(InboundMessage(tenant, "bench", q["id"], user, q["text"]), services.turn_deps)
        drawn = result.debug.get("cited_articles", [])
        right = bool(q["answerable"]) and bool(set(drawn) & set(q["expected_article_ids"]))
        rows.append(
            {
                "id": q["id"],
                "split": q.get("split", ""),
                "kind": q.get("kind", "paraphrase" if q["answerable"] else "unanswerable"),
                "lang": q.get("lang", ""),
                "answerable": bool(q["answerable"]),
                "confidence": result.confidence,
                "escalate": result.requires_escalation,
                "right": right,
                "drawn": drawn,
                "sources": [s.entry_id for s in result.sources],
                "features": result.debug.get("confidence_features"),
            }
        )
    return {
        "rows": rows,
        "ours": ours,
        "bm25": _bm25_rankings(
            sorted((c for a in articles for c in chunk_article(a)), key=_in_article_order), questions
        ),
        "dense": _dense_rankings(index, vectors) if embedder is not None else None,
        "threshold": services.settings.escalation_threshold,
        "provider": services.llm.name,
        "embedder": getattr(embedder, "name", None),
        "profile": report.profile,
    }


def confidence_metrics(rows: list[dict[str, Any]], confidences: list[float], threshold: float) -> dict[str, float]:
    """auroc (answerable vs not), ece (vs "the reply drew on the right article") and
    escalation accuracy (escalated exactly when the reply was not right: a confident answer
    from the wrong article counts as a miss). ``escalation_vs_answerable`` is the looser
    reading, escalated exactly when the KB cannot answer the question, shown beside it and held
    to no target."""
    escalated = [c < threshold for c in confidences]
    return {
        "auroc": round(auroc(confidences, [r["answerable"] for r in rows]), 4),
        "ece": round(ece(confidences, [r["right"] for r in rows]), 4),
        "escalation_accuracy": round(
            sum(1 for r, e in zip(rows, escalated, strict=True) if e == (not r["right"])) / len(rows), 4
        ),
        "escalation_vs_answerable": round(
            sum(1 for r, e in zip(rows, escalated, strict=True) if e == (not r["answerable"])) / len(rows), 4
        ),
    }


def escalation_misses(
    rows: list[dict[str, Any]],
    confidences: list[float],
    threshold: float,
    rankings: list[list[str]],
    questions: list[dict[str, Any]],
) -> dict[str, Any]:
    """What the escalation gets wrong, by kind, and where the right article ranked when an
    answerable question was answered from another one ("1": ranked first, yet the reply drew
    on another passage)."""
    misses = {"wrong_pick_kept": 0, "right_reply_escalated": 0, "unanswerable_kept": 0}
    ranks = {"1": 0, "2": 0, "3": 0, "4-10": 0, "not in 10": 0}
    for row, confidence, ranking, question in zip(rows, confidences, rankings, questions, strict=True):
        escalated = confidence < threshold
        if row["right"] and escalated:
            misses["right_reply_escalated"] += 1
        elif not row["right"] and not escalated:
            misses["wrong_pick_kept" if row["answerable"] else "unanswerable_kept"] += 1
        if row["answerable"] and not row["right"]:
            expected = set(question["expected_article_ids"])
            rank = next((i + 1 for i, article in enumerate(ranking) if article in expected), None)
            ranks["not in 10" if rank is None else str(rank) if rank <= 3 else "4-10"] += 1
    return {**misses, "wrong_pick_right_article_ranked": ranks}


def run_quality(kb_path: Path, questions_path: Path, keep_rows: bool = False) -> dict[str, Any]:
    """One KB and one questions file, with the shipped calibration (today's JSON keys)."""
    questions = read_jsonl(questions_path)
    run = answer_all(kb_path, questions)
    rows = run["rows"]
    confidences = [r["confidence"] for r in rows]
    report: dict[str, Any] = {
        "switchboard": {
            **_retrieval(run["ours"], questions),
            "auroc": round(auroc(confidences, [r["answerable"] for r in rows]), 4),
            "ece": round(ece(confidences, [r["right"] for r in rows]), 4),
            "escalation_accuracy": round(sum(1 for r in rows if r["escalate"] == (not r["right"])) / len(rows), 4),
        },
        "bm25": _retrieval(run["bm25"], questions),
        "questions": len(questions),
        # The ece a perfectly calibrated model would read here: small sets cannot resolve 0.05.
        "ece_if_perfectly_calibrated": ece_noise_floor(confidences),
        "threshold": run["threshold"],
        "provider": run["provider"],
        "embedder": run["embedder"],
    }
    if run["dense"] is not None:
        report["dense"] = _retrieval(run["dense"], questions)
    if keep_rows:
        report["rows"] = rows
    return report


def load_manifest(path: Path = MANIFEST) -> list[dict[str, Any]]:
    """The suite's knowledge bases, each with its questions (``split`` set on every question)."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for entry in entries:
        folder = REPO / entry["path"]
        questions: list[dict[str, Any]] = []
        for name in entry.get("questions_files", ["questions.jsonl"]):
            default_split = "dev" if ".dev." in name else "test" if ".test." in name else ""
            questions += [{"split": default_split, **q} for q in read_jsonl(folder / name)]
        if entry.get("extra_questions"):
            questions += read_jsonl(REPO / entry["extra_questions"])
        out.append({**entry, "kb": folder / "kb.jsonl", "questions": questions})
    return out


def collect_suite(path: Path = MANIFEST) -> dict[str, Any]:
    """Answer every question of every KB of the suite once (the slow part)."""
    runs = {}
    for entry in load_manifest(path):
        run = answer_all(entry["kb"], entry["questions"])
        run["questions"] = entry["questions"]
        run["lang"] = entry.get("lang", "")
        run["domain"] = entry.get("domain", "")
        run["group"] = entry.get("group", entry["name"])
        runs[entry["name"]] = run
    return runs


def run_suite(path: Path = MANIFEST, split: str = "test", keep_rows: bool = False) -> dict[str, Any]:
    """Leave-one-KB-out quality over the suite, per KB, macro and worst."""
    from switchboard.devtools.bench.calibrate import fit_calibration, mode_features

    runs = collect_suite(path)
    per_kb: dict[str, Any] = {}
    for name, run in runs.items():
        dense = run["dense"] is not None
        features = mode_features(run["provider"], dense)
        # Leave the KB out, and its translations with it (one group: the same articles).
        train = [r for o in runs.values() if o["group"] != run["group"] for r in o["rows"] if r["split"] == "dev"]
        calibration = fit_calibration(train, features)
        picked = [i for i, r in enumerate(run["rows"]) if r["split"] == split]
        rows = [run["rows"][i] for i in picked]
        questions = [run["questions"][i] for i in picked]
        loko = [_served(calibration(r["features"]), r) if r["features"] else 0.0 for r in rows]
        entry = {
            "switchboard": {
                **_retrieval([run["ours"][i] for i in picked], questions),
                **confidence_metrics(rows, loko, run["threshold"]),
            },
            "as_served": confidence_metrics(rows, [r["confidence"] for r in rows], run["threshold"]),
            "bm25": _retrieval([run["bm25"][i] for i in picked], questions),
            "questions": len(rows),
            "answerable": sum(1 for r in rows if r["answerable"]),
            "lang": run["lang"],
            "domain": run["domain"],
            "ece_if_perfectly_calibrated": ece_noise_floor(loko, draws=500),
            "escalation_misses": escalation_misses(
                rows, loko, run["threshold"], [run["ours"][i] for i in picked], questions
            ),
            "profile": run["profile"],
        }
        if dense:
            entry["dense"] = _retrieval([run["dense"][i] for i in picked], questions)
        if keep_rows:
            entry["rows"] = [{**r, "loko_confidence": c} for r, c in zip(rows, loko, strict=True)]
        per_kb[name] = entry
    first = next(iter(runs.values()))
    return {
        "kbs": per_kb,
        "macro": _macro(per_kb),
        "worst": _worst(per_kb),
        "split": split,
        "provider": first["provider"],
        "embedder": first["embedder"],
        "threshold": first["threshold"],
    }


def _served(probability: float, row: dict[str, Any]) -> float:
    """The calibrated probability with the caps the turn applies."""
    from switchboard.knowledge.confidence import FOREIGN_CAP, UNCITED_CAP

    if not row["features"].get("cited"):
        probability = min(probability, UNCITED_CAP)
    if row["features"].get("foreign"):
        probability = min(probability, FOREIGN_CAP)
    return round(probability, 3)


_HIGHER = ("recall@1", "recall@3", "mrr@10", "auroc", "escalation_accuracy")


def _macro(per_kb: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for side in ("switchboard", "bm25", "dense"):
        entries = [e[side] for e in per_kb.values() if side in e]
        if entries:
            out[side] = {k: round(sum(e[k] for e in entries) / len(entries), 4) for k in entries[0]}
    return out


def _worst(per_kb: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in (*_HIGHER, "ece"):
        pick = max if key == "ece" else min
        name = pick(per_kb, key=lambda n: per_kb[n]["switchboard"][key])
        out[key] = {"kb": name, "value": per_kb[name]["switchboard"][key]}
    return out
