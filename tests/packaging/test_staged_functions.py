"""Each staged function (what Cloud Functions deploys) imports from its own folder, finds its data
files, and imports nothing that its requirements.txt does not bring."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.build

FUNCTIONS = sorted(p.name for p in (REPO / "functions").iterdir() if (p / "main.py").is_file())
#: Loaded by every Cloud Functions Python runtime before main.py, whatever requirements.txt says.
RUNTIME = {"functions-framework"}
#: Imported only when present (httpx tries its CLI's ``rich``/``pygments``); absent in a deployment.
OPTIONAL = {"rich", "pygments"}

PROBE = """
import json, sys
before = set(sys.modules)
sys.path.insert(0, ".")
import main
import switchboard
from importlib import metadata
owners = {}
for dist in metadata.distributions():
    for f in dist.files or []:
        if f.suffix == ".py" and ".." not in f.parts:
            module = ".".join(f.with_suffix("").parts).removesuffix(".__init__")
            owners.setdefault(module, set()).add(dist.metadata["Name"])
new = [m for m in set(sys.modules) - before if not m.startswith(("switchboard", "main"))]
third = sorted({d for m in new for d in owners.get(m, ())})
print(json.dumps({"package": switchboard.__file__, "modules": sorted(sys.modules), "dists": third}))
"""


def _name(requirement: str) -> str:
    return re.split(r"[\s;<>=!~\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _closure(names: set[str]) -> set[str]:
    """The distributions ``names`` install, dependencies included (extras left out)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo.extend(_name(r) for r in requires if "extra ==" not in r)
    return seen


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    subprocess.run([sys.executable, str(REPO / "scripts" / "stage_functions.py"), "--out", str(out)], check=True)
    return out


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_staged_function_imports_only_what_its_requirements_bring(staged: Path, name: str) -> None:
    folder = staged / name
    assert not (folder / "switchboard" / "devtools").exists() and not (folder / "switchboard" / "cli").exists()
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=folder, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["package"].startswith(str(folder)), "the staged package, not the checkout, must be imported"
    assert not any(m.startswith(("switchboard.devtools", "switchboard.cli")) for m in found["modules"])
    requirements = {_name(line) for line in (folder / "requirements.txt").read_text().splitlines() if line.strip()}
    allowed = _closure(requirements | RUNTIME)
    used = {d.lower().replace("_", "-") for d in found["dists"]} - OPTIONAL
    assert used <= allowed, f"{name} imports {sorted(used - allowed)} which its requirements.txt does not bring"


def test_the_chat_function_ships_the_handoff_lexicons_and_answers_with_them(staged: Path) -> None:
    code = "import sys; sys.path.insert(0, '.'); from switchboard.core.handoff import detect_handoff; " + (
        "print(detect_handoff('转人工').wants_human, detect_handoff('how do I reset my password').wants_human)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=staged / "chat", capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]
