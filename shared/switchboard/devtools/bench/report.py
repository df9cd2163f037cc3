"""`make bench`: run every benchmark on the test splits and print one table with the targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[4]
DATA = REPO / "benchmarks" / "data"


def _row(name: str, value: Any, target: str, ok: bool | None) -> str:
    mark = "" if ok is None else ("yes" if ok else "NO")
    return f"| {name} | {value} | {target} | {mark} |"


def run_all() -> dict[str, Any]:
    """Quality and handoff on the test splits, then speed."""
    from switchboard.devtools.bench.handoff import run_handoff
    from switchboard.devtools.bench.quality import run_quality
    from switchboard.devtools.bench.speed import run_speed

    faq = DATA / "support-faq"
    return {
        "quality": run_quality(faq / "kb.jsonl", faq / "questions.test.jsonl"),
        "handoff": run_handoff(DATA / "handoff" / "test.jsonl"),
        "speed": run_speed(),
    }


def table(results: dict[str, Any]) -> str:
    """The Markdown table of docs/BENCHMARKS.md."""
    q, h, s = results["quality"], results["handoff"], results["speed"]
    ours, bm25 = q["switchboard"], q["bm25"]
    lines = ["| metric | measured | target | met |", "|---|---|---|---|"]
    lines.append(_row("recall@1 (BM25)", f"{ours['recall@1']:.3f} ({bm25['recall@1']:.3f})", "", None))
    lines.append(
        _row(
            "recall@3 (BM25)",
            f"{ours['recall@3']:.3f} ({bm25['recall@3']:.3f})",
            "> BM25",
            ours["recall@3"] > bm25["recall@3"],
        )
    )
    lines.append(
        _row("mrr@10 (BM25)", f"{ours['mrr@10']:.3f} ({bm25['mrr@10']:.3f})", "> BM25", ours["mrr@10"] > bm25["mrr@10"])
    )
    lines.append(_row("auroc", f"{ours['auroc']:.3f}", ">= 0.95", ours["auroc"] >= 0.95))
    lines.append(_row("ece", f"{ours['ece']:.3f}", "<= 0.05", ours["ece"] <= 0.05))
    floor = q["ece_if_perfectly_calibrated"]
    lines.append(
        _row(
            f"ece of a perfectly calibrated model, n = {q['questions']} (mean / p95)",
            f"{floor['mean']:.3f} / {floor['p95']:.3f}",
            "",
            None,
        )
    )
    lines.append(_row("escalation_accuracy", f"{ours['escalation_accuracy']:.3f}", "", None))
    o = h["overall"]
    lines.append(
        _row(
            "handoff precision / recall / f1",
            f"{o['precision']:.3f} / {o['recall']:.3f} / {o['f1']:.3f}",
            "f1 >= 0.95, precision >= 0.95",
            o["f1"] >= 0.95 and o["precision"] >= 0.95,
        )
    )
    worst = min((v["f1"], k) for k, v in h["by_language"].items() if v["n"] >= 20)
    lines.append(
        _row("handoff f1, worst language (n >= 20)", f"{worst[0]:.3f} ({worst[1]})", ">= 0.9", worst[0] >= 0.9)
    )
    b = h["baseline"]
    lines.append(_row("handoff baseline (seed 000 keywords) f1", f"{b['f1']:.3f}", "", None))
    t = s["turn_overhead_ms"]
    lines.append(
        _row(
            "turn overhead p50 / p99 (ms)",
            f"{t['p50']} / {t['p99']}",
            "<= 15 / <= 50",
            t["p50"] <= 15 and t["p99"] <= 50,
        )
    )
    lines.append(
        _row(
            "overhead ratio (baseline p50 ms)",
            f"{s['overhead_ratio']} ({s['baseline_turn_ms']['p50']})",
            "<= 2",
            s["overhead_ratio"] is not None and s["overhead_ratio"] <= 2,
        )
    )
    lines.append(
        _row(
            "store round trips per turn", s["store_round_trips_per_turn"], "<= 3", s["store_round_trips_per_turn"] <= 3
        )
    )
    k = s["kommo_ack_ms"]
    lines.append(_row("Kommo ack p50 / p99 (ms)", f"{k['p50']} / {k['p99']}", "p99 <= 300", k["p99"] <= 300))
    lines.append(_row("turns per second (one instance, sequential)", s["turns_per_s"], "", None))
    cold = ", ".join(f"{n} {v:.0f}" for n, v in s["cold_import_ms"].items())
    lines.append(_row("cold start to first response (ms)", cold, "", None))
    genai = [n for n, v in s["imports_genai"].items() if v]
    lines.append(
        _row(
            "functions importing google-genai",
            ", ".join(genai),
            "not health, kommo_webhook",
            "health" not in genai and "kommo_webhook" not in genai,
        )
    )
    return "\n".join(lines)
