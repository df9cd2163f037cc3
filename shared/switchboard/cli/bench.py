"""``switchboard bench ...``: the benchmarks, each printing JSON (``all``: a table for ``make bench``)."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from switchboard.cli.common import REPO_ROOT, Commands, out


@contextmanager
def _bench_firestore() -> Iterator[None]:
    """Benchmarks use FIRESTORE_EMULATOR_HOST, else a fresh in-memory emulator of their own."""
    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        yield
        return
    from switchboard.devtools.emulator import FirestoreEmulator

    os.environ.setdefault("GOOGLE_CLOUD_PROJECT", "demo-bench")
    emulator = FirestoreEmulator().start()
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    try:
        yield
    finally:
        os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
        emulator.stop(export=False)


def _emit(result: dict[str, Any], as_json: bool) -> None:
    out(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))


def cmd_bench(args: argparse.Namespace) -> int:
    """Run one benchmark (or all of them for `make bench`)."""
    kind = args.bench_command
    if kind == "handoff":
        from switchboard.devtools.bench.handoff import run_handoff

        _emit(run_handoff(Path(args.cases)), args.json)
        return 0
    if kind == "fit-handoff":
        from switchboard.core.handoff.similar import MODEL_FILE
        from switchboard.devtools.bench.handoff import fit_similar

        _emit(fit_similar(Path(args.cases), MODEL_FILE, Path(args.manifest)), args.json)
        return 0
    if kind == "faults":  # it runs (and stops, and restarts) its own Firestore emulator
        from switchboard.devtools.bench import faults

        result = faults.run_faults(conversations=args.conversations)
        _emit(result, args.json)
        return 0 if faults.passed(result) else 1
    with _bench_firestore():
        if kind == "quality":
            from switchboard.devtools.bench.quality import run_quality, run_suite

            if bool(args.kb) != bool(args.questions):
                raise SystemExit("--kb and --questions go together (without both: the whole suite)")
            if args.kb:
                _emit(run_quality(Path(args.kb), Path(args.questions)), args.json)
            else:
                _emit(run_suite(Path(args.manifest), args.split), args.json)
        elif kind == "calibrate":
            from switchboard.devtools.bench.calibrate import run_calibrate

            _emit(run_calibrate(Path(args.manifest)), args.json)
        elif kind == "speed":
            from switchboard.devtools.bench.speed import run_speed

            _emit(run_speed(turns=args.turns), args.json)
        elif kind == "scale":
            from switchboard.cli.common import progress
            from switchboard.devtools.bench.scale import run_scale

            kb = Path(args.kb) if args.kb else None
            result = run_scale(args.articles, kb, args.turns, args.dimensions, args.seed, args.profile, progress)
            _emit(result, args.json)
            return 1 if "error" in result else 0
        elif kind == "load":
            from switchboard.devtools.bench.load import passed, run_load

            result = run_load(conversations=args.conversations)
            _emit(result, args.json)
            return 0 if passed(result) else 1
        else:
            from switchboard.devtools.bench.report import run_all, table

            results = run_all()
            if args.json:
                _emit(results, True)
            else:
                out(table(results))
    return 0


def register(sub: Commands) -> None:
    """Add the ``bench`` commands."""
    bench = sub.add_parser("bench", help="benchmarks").add_subparsers(dest="bench_command", required=True)
    manifest = str(REPO_ROOT / "benchmarks" / "data" / "kbs" / "manifest.json")
    quality = bench.add_parser(
        "quality", help="retrieval, confidence and escalation through the chat turn (the suite, leave one KB out)"
    )
    quality.add_argument("--kb", help="one KB (JSONL) instead of the suite; needs --questions")
    quality.add_argument("--questions", help="its questions (JSONL)")
    quality.add_argument("--manifest", default=manifest, help="the suite's manifest")
    quality.add_argument("--split", default="test", choices=("dev", "test"), help="questions reported (suite)")
    calibrate = bench.add_parser("calibrate", help="fit the confidence calibration on the suite's dev questions")
    calibrate.add_argument("--manifest", default=manifest)
    handoff = bench.add_parser("handoff", help="the multilingual handoff detector against a five-keyword baseline")
    handoff.add_argument("--cases", default=str(REPO_ROOT / "benchmarks" / "data" / "handoff" / "test.jsonl"))
    fit_handoff = bench.add_parser(
        "fit-handoff", help="fit the handoff detector's embedding model on the dev messages (core/handoff/data)"
    )
    fit_handoff.add_argument("--cases", default=str(REPO_ROOT / "benchmarks" / "data" / "handoff" / "dev.jsonl"))
    fit_handoff.add_argument("--manifest", default=manifest, help="the suite, whose dev questions are negatives")
    speed = bench.add_parser("speed", help="turn overhead, round trips, Kommo ack, cold starts")
    speed.add_argument("--turns", type=int, default=300)
    scale = bench.add_parser("scale", help="cold start, turns, retrieval, memory and import against a KB of N articles")
    scale.add_argument("--articles", type=int, default=1000, help="articles generated (with --kb: the first N; 0: all)")
    scale.add_argument("--kb", help="a JSONL file (or Markdown folder) of articles instead of generated ones")
    scale.add_argument("--turns", type=int, default=200, help="warm turns measured")
    scale.add_argument("--dimensions", type=int, default=768, help="embedding dimensions (0: no embeddings)")
    scale.add_argument("--seed", type=int, default=0, help="seed of the generated articles and the questions")
    scale.add_argument(
        "--profile",
        type=Path,
        help="write cProfile statistics of the timed cold start here (its times then include the profiler's)",
    )
    load = bench.add_parser("load", help="conversations at once through the whole stack: nothing lost or doubled")
    load.add_argument("--conversations", type=int, default=200)
    faults = bench.add_parser("faults", help="load while Firestore, Gemini and the vendors fail and come back")
    faults.add_argument("--conversations", type=int, default=30)
    bench.add_parser("all", help="everything on the test splits, as a table (make bench)")
    for parser_ in (quality, calibrate, handoff, fit_handoff, speed, scale, load, faults, bench.choices["all"]):
        parser_.add_argument("--json", action="store_true", help="print one JSON object")
        parser_.set_defaults(func=cmd_bench, needs_store=False)
