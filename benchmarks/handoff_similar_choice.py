"""How the handoff similarity model's L2 strength and threshold were chosen (dev messages only).

Each fresh round of 2026-11-30 in ``benchmarks/data/handoff/dev.jsonl`` is left out of the fit in
turn, and judged with the rules as they were *before* that round was read (the commits below,
checked out as git worktrees under /tmp), alone and combined with the model ("rules | model").
The model is fitted as ``switchboard bench fit-handoff`` fits it: the other dev messages, plus
the knowledge-base suite's dev questions as negatives.

    .venv/bin/python benchmarks/handoff_similar_choice.py      # about two minutes
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
#: The rules before each held-out round was read: (round's source, commit).
ROUNDS = (("written-2026-11-30", "05cedad"), ("written-2026-11-30-round3", "0b6d16d"))
GRID_L2 = (1e-4, 3e-4, 1e-3)
GRID_THRESHOLD = (0.5, 0.6, 0.7, 0.8, 0.9)


def rules_at(commit: str, texts: list[str]) -> list[bool]:
    """The rules' verdicts on ``texts`` with the detector of ``commit``."""
    tree = Path(f"/tmp/switchboard-rules-{commit}")
    if not tree.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "-f", str(tree), commit], check=True)
    code = (
        "import json, sys; from switchboard.core.handoff import detect_handoff; "
        "print(json.dumps([detect_handoff(t).wants_human for t in json.load(sys.stdin)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(tree / "shared"), "PATH": "/usr/bin:/bin"},
        cwd="/tmp",
    )
    return json.loads(out.stdout.splitlines()[-1])


def scores(predicted: np.ndarray, actual: np.ndarray) -> str:
    tp = int((predicted & actual).sum())
    p = tp / max(int(predicted.sum()), 1)
    r = tp / max(int(actual.sum()), 1)
    return f"P {p:.3f} R {r:.3f} F1 {2 * p * r / max(p + r, 1e-9):.3f}"


def main() -> None:
    sys.path.insert(0, str(REPO / "shared"))
    from switchboard.devtools.bench.handoff import _logistic, similar_training_data
    from switchboard.llm.local_embedder import LocalEmbedder

    cases, questions = similar_training_data(REPO / "benchmarks" / "data" / "handoff" / "dev.jsonl")
    embedder = LocalEmbedder(batch_size=64)
    x = np.asarray(embedder.embed([c["text"] for c in cases], "query"), dtype=np.float64)
    negatives = np.asarray(embedder.embed(questions, "query"), dtype=np.float64)
    y = np.asarray([bool(c["wants_human"]) for c in cases])
    source = np.asarray([c.get("source", "") for c in cases])
    for held_out, commit in ROUNDS:
        out = source == held_out
        before = np.asarray(rules_at(commit, [c["text"] for c in cases if c.get("source") == held_out]))
        print(f"== {held_out}: {int(out.sum())} messages; rules before it was read: {scores(before, y[out])}")  # noqa: T201
        train_x = np.vstack([x[~out], negatives])
        train_y = np.concatenate([y[~out], np.zeros(len(negatives), dtype=bool)]).astype(np.float64)
        for l2 in GRID_L2:
            weights, bias = _logistic(train_x, train_y, l2)
            probability = 1 / (1 + np.exp(-(x[out] @ np.asarray(weights) + bias)))
            for threshold in GRID_THRESHOLD:
                model = probability >= threshold
                print(f"  l2 {l2:g} threshold {threshold}: rules | model {scores(before | model, y[out])}")  # noqa: T201


if __name__ == "__main__":
    main()
