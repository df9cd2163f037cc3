"""Stage build/<fn>/ for every function: main.py, requirements.txt and the switchboard package.

Each staged folder is what Cloud Functions deploys (zip it as is): main.py and
requirements.txt at the root, the shared package beside them. Development-only modules
(devtools, the CLI) are left out.

Usage: python scripts/stage_functions.py [--out build] [name ...]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "shared" / "switchboard"
EXCLUDE = ("devtools", "cli", "__pycache__", "*.pyc")


def stage(name: str, out: Path) -> Path:
    """Copy one function and the package into ``out/<name>``; returns the folder."""
    source = REPO / "functions" / name
    if not (source / "main.py").is_file() or not (source / "requirements.txt").is_file():
        raise SystemExit(f"functions/{name} needs main.py and requirements.txt")
    target = out / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(source / "main.py", target / "main.py")
    shutil.copy2(source / "requirements.txt", target / "requirements.txt")
    shutil.copytree(PACKAGE, target / "switchboard", ignore=shutil.ignore_patterns(*EXCLUDE))
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "build"))
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    names = args.names or sorted(p.name for p in (REPO / "functions").iterdir() if (p / "main.py").is_file())
    for name in names:
        sys.stdout.write(f"staged {stage(name, Path(args.out))}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
