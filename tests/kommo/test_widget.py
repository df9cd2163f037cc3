"""The Kommo widget: the archive Kommo accepts, and the Salesbot step its script emits."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

from tests.conftest import REPO

SCRIPT = REPO / "widgets" / "kommo" / "script.js"


def test_archive_has_the_files_kommo_requires(tmp_path: Path) -> None:
    out = tmp_path / "kommo-widget.zip"
    subprocess.run(["python3", str(REPO / "scripts" / "build_kommo_widget.py"), "--out", str(out)], check=True)
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        assert "salesbot_designer" in manifest["locations"]
        assert set(manifest["settings"]) == {"webhook_url", "secret"}
        for locale in manifest["widget"]["locale"]:
            pack = json.loads(archive.read(f"i18n/{locale}.json"))
            assert pack["widget"]["name"] and pack["salesbot"]["ai_reply"]
        expected = {
            "logo_min.png": (84, 84),
            "logo_medium.png": (240, 84),
            "logo_main.png": (400, 272),
            "logo.png": (130, 100),
            "logo_small.png": (108, 108),
        }
        for name, size in expected.items():
            data = archive.read(f"images/{name}")
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == size
            assert len(data) < 300_000
        assert {"manifest.json", "script.js"} <= names


def test_salesbot_step_posts_the_widget_fields_and_shows_json_reply() -> None:
    node = shutil.which("node")
    assert node, "node is needed to run the widget script"
    harness = """
const fs = require('fs');
let Widget = null;
global.define = (deps, factory) => { Widget = factory(function () {}); };
eval(fs.readFileSync(process.argv[1], 'utf8'));
const w = new Widget();
w.get_settings = () => ({ webhook_url: 'https://sb.example/api/kommo/chat/webhook', secret: 's e/cret' });
w.i18n = () => ({ exit_answered: 'Answered', exit_handoff: 'Handoff' });
const out = { exits: w.callbacks.salesbotDesignerSettings().exits,
              source: JSON.parse(w.callbacks.onSalesbotDesignerSave('ai_reply', { message: '{{message_text}}' })) };
process.stdout.write(JSON.stringify(out));
"""
    result = subprocess.run([node, "-e", harness, str(SCRIPT)], capture_output=True, text=True, check=True)
    out = json.loads(result.stdout)
    assert [e["code"] for e in out["exits"]] == ["answered", "handoff"]
    first, second = out["source"]
    request, goto = first["question"]
    assert request["handler"] == "widget_request"
    assert request["params"]["url"] == "https://sb.example/api/kommo/chat/webhook?key=s%20e%2Fcret"
    assert request["params"]["data"] == {
        "message": "{{message_text}}",
        "lead_id": "{{lead.id}}",
        "contact_id": "{{contact.id}}",
        "contact_name": "{{contact.name}}",
        "reply_mode": "json",
    }
    assert goto == {"handler": "goto", "params": {"type": "question", "step": 1}}
    shows = [h for h in second["question"] if h["handler"] == "show"]
    assert shows == [{"handler": "show", "params": {"type": "text", "value": "{{json.reply}}"}}]
