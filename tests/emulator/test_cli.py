"""The `switchboard` command: kb import (JSONL and Markdown), ask, tenants; its own emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEMO_KB

pytestmark = pytest.mark.emulator

SWITCHBOARD = [sys.executable, "-m", "switchboard.cli"]


def run(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SWITCHBOARD, *args], env=env, capture_output=True, text=True, check=check, timeout=120)


@pytest.fixture
def cli_env(firestore_emulator: str, project: str, tmp_path: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "LLM_BACKEND")}
    environment.update(
        FIRESTORE_EMULATOR_HOST=firestore_emulator,
        GOOGLE_CLOUD_PROJECT=project,
        SWITCHBOARD_STATE_DIR=str(tmp_path / "state"),
        LOG_LEVEL="WARNING",
    )
    return environment


def test_import_jsonl_then_ask_json_gives_the_api_fields(cli_env: dict[str, str]) -> None:
    imported = run(["kb", "import", "--tenant", "acme", str(DEMO_KB)], cli_env)
    assert "16 articles" in imported.stdout
    assert "write [" in imported.stderr  # the progress bar
    # INFO logs (the embedder loading) go to stderr: stdout is exactly one JSON object.
    asked = run(["ask", "--tenant", "acme", "--json", "How do I export leads?"], {**cli_env, "LOG_LEVEL": "INFO"})
    assert "local embedding model loaded" in asked.stderr
    body: dict[str, Any] = json.loads(asked.stdout)
    assert {
        "response",
        "session_id",
        "timestamp",
        "requires_escalation",
        "classification_confidence",
        "sources",
    } <= set(body)
    assert body["sources"][0]["entry_id"] == "kb_008"


def test_markdown_folder_merge_and_replace(cli_env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "md"
    folder.mkdir()
    (folder / "hours.md").write_text("# Opening hours\n\nWe are open from 9 to 5 on weekdays.\n")
    run(["kb", "import", "--tenant", "t1", str(DEMO_KB)], cli_env)
    merged = run(["kb", "import", "--tenant", "t1", str(folder)], cli_env)
    assert "17 articles" in merged.stdout
    replaced = run(["kb", "import", "--tenant", "t1", "--replace", str(folder)], cli_env)
    assert "1 articles" in replaced.stdout
    answer = run(["ask", "--tenant", "t1", "When are you open?"], cli_env)
    assert "9 to 5" in answer.stdout
    assert "source: Opening hours (hours" in answer.stdout


def test_bad_input_is_a_clear_error_and_publishes_nothing(cli_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "title": "A", "body": "ok"}\n{"id": "b", "title": ""}\n')
    result = run(["kb", "import", "--tenant", "t2", str(bad)], cli_env, check=False)
    assert result.returncode == 2
    assert "line 2.title" in result.stderr and "line 2.body" in result.stderr
    asked = run(["ask", "--tenant", "t2", "--json", "anything about a"], cli_env)
    assert json.loads(asked.stdout)["sources"] == []
    assert run(["kb", "import", "--tenant", "bad/id", str(DEMO_KB)], cli_env, check=False).returncode == 2


def test_tenant_create_prints_a_key_that_the_api_accepts(cli_env: dict[str, str], env: Any) -> None:
    from tests.conftest import function_client

    created = run(["tenant", "create", "--tenant", "acme", "--name", "Acme Ltd"], cli_env)
    key = created.stdout.strip()
    assert key.startswith("sb_") and len(key) > 30
    env(ALLOW_ANONYMOUS="false")  # same emulator and project as the CLI
    chat = function_client("chat")
    payload = {
        "message": "hello",
        "user_info": {"agent_id": "u", "email": "u@x.io", "name": "U", "agency": "A", "office": "O"},
    }
    assert (
        chat.post("/api/agent/customer/", json=payload, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    )
    assert chat.post("/api/agent/customer/", json=payload, headers={"X-API-Key": key + "x"}).status_code == 401


def test_tenant_kommo_connects_the_account_and_prints_a_webhook_key_that_names_the_tenant(
    cli_env: dict[str, str], env: Any
) -> None:
    from switchboard import bootstrap
    from switchboard.channels.auth import hash_api_key

    run(["tenant", "create", "--tenant", "acme"], cli_env)
    connected = run(["tenant", "kommo", "--tenant", "acme", "--account-id", "77", "--subdomain", "Acme"], cli_env)
    key = connected.stdout.strip()
    assert key.startswith("kw_") and "webhook" in connected.stderr
    store = bootstrap.services().store  # same emulator and project as the CLI
    assert store.tenant_for_key(hash_api_key(key), "kommo") == "acme"
    assert store.tenant_for_key(hash_api_key(key)) is None  # not an API key
    tenant = store.get_tenant("acme")
    assert tenant is not None and tenant.settings.kommo == {"account_id": 77, "subdomain": "acme"}
    missing = run(
        ["tenant", "kommo", "--tenant", "nobody", "--account-id", "1", "--subdomain", "x"], cli_env, check=False
    )
    assert missing.returncode == 2 and "no tenant nobody" in missing.stderr


def test_without_an_emulator_the_cli_starts_one_and_keeps_the_data(cli_env: dict[str, str]) -> None:
    environment = {k: v for k, v in cli_env.items() if k != "FIRESTORE_EMULATOR_HOST"}
    run(["kb", "import", "--tenant", "solo", str(DEMO_KB)], environment)
    asked = run(["ask", "--tenant", "solo", "--json", "How do I turn on two-factor authentication?"], environment)
    assert json.loads(asked.stdout)["sources"][0]["entry_id"] == "kb_007"


def test_instructions_are_set_shown_and_reach_the_prompt(cli_env: dict[str, str], tmp_path: Path) -> None:
    instructions = tmp_path / "instructions.txt"
    instructions.write_text("You are Acme's assistant. Always answer in two sentences.\n")
    missing_tenant = run(["tenant", "set-instructions", "--tenant", "acme", str(instructions)], cli_env, check=False)
    assert missing_tenant.returncode == 2 and "no tenant acme" in missing_tenant.stderr  # not created silently
    run(["tenant", "create", "--tenant", "acme"], cli_env)
    missing_file = run(
        ["tenant", "set-instructions", "--tenant", "acme", str(tmp_path / "nope.txt")], cli_env, check=False
    )
    assert (
        missing_file.returncode == 2 and "cannot read" in missing_file.stderr and "Traceback" not in missing_file.stderr
    )
    assert run(["tenant", "set-instructions", "--tenant", "acme", str(instructions)], cli_env).returncode == 0
    shown = json.loads(run(["tenant", "show", "--tenant", "acme"], cli_env).stdout)
    assert shown["settings"]["prompts"]["manual_prompt"] == "You are Acme's assistant. Always answer in two sentences."
    assert shown["usage_today"]["date"] == datetime.now(UTC).date().isoformat()
    assert run(["tenant", "show", "--tenant", "nobody"], cli_env, check=False).returncode == 2


def test_conversation_owner_hands_back_to_the_ai(cli_env: dict[str, str]) -> None:
    run(["kb", "import", "--tenant", "t9", str(DEMO_KB)], cli_env)
    ask = ["ask", "--tenant", "t9", "--json", "--session", "s1", "--user", "u1", "How do I export leads?"]
    assert json.loads(run(ask, cli_env).stdout)["sources"]
    run(["conversation", "owner", "--tenant", "t9", "--channel", "cli", "--key", "u1:s1", "human"], cli_env)
    silent = json.loads(run(ask, cli_env).stdout)
    assert silent["sources"] == [] and silent["response"].startswith("A member of our team")
    run(["conversation", "owner", "--tenant", "t9", "--channel", "cli", "--key", "u1:s1", "ai"], cli_env)
    assert json.loads(run(ask, cli_env).stdout)["sources"]


def test_bench_commands_print_one_json_object_with_the_documented_keys(cli_env: dict[str, str]) -> None:
    from tests.conftest import REPO

    data = REPO / "benchmarks" / "data"
    handoff = json.loads(
        run(["bench", "handoff", "--cases", str(data / "handoff" / "dev.jsonl"), "--json"], cli_env).stdout
    )
    assert set(handoff) >= {"overall", "by_language", "baseline"}
    assert set(handoff["overall"]) == {"precision", "recall", "f1"}
    dev_cases = (data / "handoff" / "dev.jsonl").read_text().splitlines()
    assert handoff["by_language"]["mn"]["n"] == sum(1 for line in dev_cases if json.loads(line)["lang"] == "mn")
    quality = json.loads(
        run(
            [
                "bench",
                "quality",
                "--kb",
                str(data / "support-faq" / "kb.jsonl"),
                "--questions",
                str(data / "support-faq" / "questions.dev.jsonl"),
                "--json",
            ],
            cli_env,
        ).stdout
    )
    assert set(quality["switchboard"]) == {"recall@1", "recall@3", "mrr@10", "auroc", "ece", "escalation_accuracy"}
    assert set(quality["bm25"]) == {"recall@1", "recall@3", "mrr@10"}
    assert quality["questions"] == len((data / "support-faq" / "questions.dev.jsonl").read_text().splitlines())
    assert quality["switchboard"]["recall@3"] > quality["bm25"]["recall@3"]


def test_dead_letters_are_listed_newest_first(cli_env: dict[str, str], env: Any) -> None:
    from switchboard import bootstrap
    from switchboard.store.base import DeadLetter

    assert run(["tasks", "dead-letters"], cli_env).stdout.strip() == "no dead letters"
    letters = bootstrap.services().dead_letters  # same emulator and project as the CLI
    at = datetime.now(UTC)
    letters.record(DeadLetter("send-email-x-7", "send-email", "acme", "f-1", "RuntimeError: boom", 8, at))
    listed = run(["tasks", "dead-letters", "--tenant", "acme", "--json"], cli_env).stdout.splitlines()
    assert [json.loads(line)["error"] for line in listed] == ["RuntimeError: boom"]
    assert "send-email  f-1  after 8: RuntimeError: boom" in run(["tasks", "dead-letters"], cli_env).stdout


def test_tenant_bot_sets_the_bots_language_and_wording(cli_env: dict[str, str], env: Any, tmp_path: Path) -> None:
    from switchboard import bootstrap

    run(["tenant", "create", "--tenant", "acme"], cli_env)
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps({"ask_email": {"mn": "Имэйлээ бичээрэй."}, "handoff": {"en": "A colleague is here."}}))
    done = run(["tenant", "bot", "--tenant", "acme", "--language", "mn", "--texts", str(texts)], cli_env)
    assert json.loads(done.stdout)["language"] == "mn"
    tenant = bootstrap.services().store.get_tenant("acme")
    assert tenant is not None and tenant.settings.bot["texts"]["ask_email"] == {"mn": "Имэйлээ бичээрэй."}
    texts.write_text(json.dumps({"greeting": {"en": "Hi"}, "handoff": {"fr": "Bonjour"}}))
    refused = run(["tenant", "bot", "--tenant", "acme", "--texts", str(texts)], cli_env, check=False)
    assert refused.returncode == 2 and "greeting" in refused.stderr and "handoff.fr" in refused.stderr
    tenant = bootstrap.services().store.get_tenant("acme")
    assert tenant is not None and tenant.settings.bot["language"] == "mn"  # nothing changed


def test_an_admin_key_from_the_cli_changes_the_config_in_firestore(cli_env: dict[str, str], env: Any) -> None:
    from switchboard import bootstrap
    from tests.conftest import function_client

    run(["tenant", "create", "--tenant", "acme"], cli_env)
    made = run(["tenant", "add-key", "--tenant", "acme", "--role", "admin"], cli_env)
    key = made.stdout.strip()
    assert "cannot chat" in made.stderr
    headers = {"Authorization": f"Bearer {key}"}
    changed = function_client("admin").put("/api/v1/ai/config/", json={"manual_prompt": "Be brief."}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["overridden"] == ["manual_prompt"]
    tenant = bootstrap.services().store.get_tenant("acme")
    assert tenant is not None and tenant.settings.prompts.manual_prompt == "Be brief."


def test_ai_enable_disable_status_conversations_and_validate(cli_env: dict[str, str]) -> None:
    run(["tenant", "create", "--tenant", "acme"], cli_env)
    failed = run(["ai", "validate", "--tenant", "acme"], cli_env, check=False)
    assert failed.returncode == 1 and "FAIL knowledge base" in failed.stdout  # no articles yet
    run(["kb", "import", "--tenant", "acme", str(DEMO_KB)], cli_env)
    run(["ask", "--tenant", "acme", "How do I export leads?"], cli_env)
    passed = run(["ai", "validate", "--tenant", "acme"], cli_env)
    assert "ok   knowledge base: 16 articles" in passed.stdout and "extractive" in passed.stdout
    assert run(["ai", "disable", "--tenant", "acme"], cli_env).stdout.strip() == "acme: AI answers off"
    off = run(["ai", "validate", "--tenant", "acme"], cli_env, check=False)
    assert off.returncode == 1 and "FAIL auto-response" in off.stdout
    status = json.loads(run(["ai", "status", "--tenant", "acme", "--json"], cli_env).stdout)
    assert status["auto_response"] is False and status["kb_version"] >= 1
    assert status["conversations"]["by_channel"] == {"cli": {"active": 1, "support_active": 0}}
    run(["ai", "enable"], cli_env)  # every tenant
    assert json.loads(run(["ai", "status", "--tenant", "acme", "--json"], cli_env).stdout)["auto_response"] is True
    counts = json.loads(run(["ai", "conversations", "--tenant", "acme", "--json"], cli_env).stdout)
    assert (counts["active"], counts["support_active"]) == (1, 0)
    unknown = run(["ai", "status", "--tenant", "nobody"], cli_env, check=False)
    assert unknown.returncode == 2 and "no tenant nobody" in unknown.stderr


def test_ai_test_runs_one_real_turn(cli_env: dict[str, str]) -> None:
    run(["kb", "import", "--tenant", "acme", str(DEMO_KB)], cli_env)
    run(["tenant", "create", "--tenant", "acme"], cli_env)
    tested = json.loads(
        run(["ai", "test", "--tenant", "acme", "--question", "How do I export leads?", "--json"], cli_env).stdout
    )
    assert tested["sources"][0] == "kb_008" and tested["confidence"] > 0 and not tested["silent"]


def test_analytics_run_rolls_up_a_day_and_the_admin_api_shows_it(cli_env: dict[str, str], env: Any) -> None:
    from tests.conftest import function_client

    run(["kb", "import", "--tenant", "acme", str(DEMO_KB)], cli_env)
    run(["tenant", "create", "--tenant", "acme"], cli_env)
    run(["ask", "--tenant", "acme", "How do I export leads?"], cli_env)
    run(["ask", "--tenant", "acme", "I want to talk to a human"], cli_env)
    today = datetime.now(UTC).date().isoformat()
    ran = json.loads(run(["analytics", "run", "--date", today, "--tenant", "acme", "--json"], cli_env).stdout)
    (rollup,) = ran["tenants"]["acme"]["rollups"]
    assert (rollup["date"], rollup["conversations"], rollup["customer_messages"], rollup["ai_replies"]) == (
        today,
        2,
        2,
        2,
    )
    assert rollup["escalations_by_reason"]["user_request"] == 1 and rollup["resolved_without_human"] == 1
    again = json.loads(run(["analytics", "run", "--date", today, "--tenant", "acme", "--json"], cli_env).stdout)
    assert again["tenants"]["acme"]["rollups"] == [rollup]
    key = run(["tenant", "add-key", "--tenant", "acme", "--role", "admin"], cli_env).stdout.strip()
    shown = function_client("admin").get(
        f"/api/v1/ai/analytics/?from={today}&to={today}", headers={"Authorization": f"Bearer {key}"}
    )
    assert shown.status_code == 200 and shown.get_json()["days"] == [rollup]


def test_a_platform_key_from_the_cli_reads_every_tenants_usage(cli_env: dict[str, str], env: Any) -> None:
    from tests.conftest import function_client

    for tenant in ("acme", "beta"):
        run(["kb", "import", "--tenant", tenant, str(DEMO_KB)], cli_env)
        run(["tenant", "create", "--tenant", tenant], cli_env)
        run(["ask", "--tenant", tenant, "How do I export leads?"], cli_env)
    made = run(["tenant", "add-key", "--platform"], cli_env)
    assert "every tenant" in made.stderr
    body = (
        function_client("admin")
        .get("/api/v1/ai/usage/global/?days=1", headers={"Authorization": f"Bearer {made.stdout.strip()}"})
        .get_json()
    )
    assert body["totals"]["requests"] == 2 and {t["tenant_id"] for t in body["tenants"]} == {"acme", "beta"}
    neither = run(["tenant", "add-key", "--role", "admin"], cli_env, check=False)
    assert neither.returncode == 2  # --tenant or --platform
