"""The console in Chromium against the whole local stack, with Gemini played by the loopback fake
(through the real SDK): sign in, instructions that the next answer follows, a knowledge-base
upload, a conversation handed to people, a chart of a scripted day, integrations."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from switchboard.devtools.bench.loopback import loopback_stack
from switchboard.devtools.fake_gemini import FakeGemini, Reply, answer_body
from tests.browser.conftest import Live, shot

SIGN_OFF = re.compile(r"[Ss]ign off with '([^']+)'")


def model(body: dict[str, Any]) -> Reply:
    """A model that follows its instructions: it answers from the first passage it is given and
    signs off as the system instruction says."""
    system = " ".join(p.get("text", "") for p in body.get("systemInstruction", {}).get("parts", []))
    prompt = body["contents"][-1]["parts"][0]["text"]
    found = re.search(r"^\[([^\]]+)\] (.*)\n(.*)$", prompt, re.MULTILINE)
    cited, text = ([found[1]], found[3].split(". ")[0].rstrip(".") + ".") if found else ([], "I do not know.")
    sign = SIGN_OFF.search(system)
    answer = f"{text} {sign[1]}" if sign else text
    reply = {
        "answer": answer,
        "cited_ids": cited,
        "support": 0.95 if cited else 0.0,
        "answered": bool(cited),
        "language": "en",
        "needs_human": False,
        "reason": "",
    }
    return Reply(200, answer_body(reply))


@pytest.fixture(scope="module")
def live(firestore_emulator: str) -> Iterator[Live]:
    from switchboard.channels.auth import hash_api_key

    fake = FakeGemini(responder=model).start()
    try:
        with loopback_stack(
            "console",
            FIRESTORE_EMULATOR_HOST=firestore_emulator,
            RATE_LIMIT="1000/60",
            ALLOW_ANONYMOUS="false",
            LLM_BACKEND="genai",
            GEMINI_API_KEY="fake-key",
            GEMINI_BASE_URL=fake.url,
            CHATWOOT_PLATFORM_TOKEN="dev-chatwoot-platform-token",  # the stand-in's platform app
        ) as stack:
            admin_key, chat_key = "sb_admin_" + secrets.token_urlsafe(24), "sb_chat_" + secrets.token_urlsafe(24)
            stack.services.store.add_api_key(hash_api_key(admin_key), "default", kind="admin")
            stack.services.store.add_api_key(hash_api_key(chat_key), "default")
            yield Live(stack, str(stack.http.base_url).rstrip("/"), admin_key, chat_key)
    finally:
        fake.stop()


def sign_in(page: Page, live: Live, where: str = "settings") -> None:
    page.goto(f"{live.base}/console/#/{where}")
    page.get_by_label("Admin key").fill(live.admin_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Sections")).to_be_visible()


def test_sign_in_refuses_a_chat_key_then_keeps_the_admin_key_out_of_the_url(page: Page, live: Live) -> None:
    page.goto(f"{live.base}/console/")
    page.get_by_label("Admin key").fill(live.chat_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_contain_text("chat key")
    page.get_by_label("Admin key").fill("sb_nobody")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_contain_text("not known")
    shot(page, "console-sign-in")
    sign_in(page, live)
    expect(page.get_by_role("heading", name="AI settings")).to_be_visible()
    assert live.admin_key not in page.url
    assert page.evaluate("sessionStorage.getItem('switchboard.adminKey')") == live.admin_key
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Admin key")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('switchboard.adminKey')") is None


def test_instructions_saved_in_the_console_shape_the_next_test_chat_answer(page: Page, live: Live) -> None:
    sign_in(page, live, "chat")
    page.get_by_label("Message").fill("How do I export leads?")
    page.get_by_role("button", name="Send").click()
    first = page.locator(".msg.bot").last
    expect(first.locator(".answer")).not_to_be_empty()
    expect(first).to_contain_text("Confidence")
    assert "Team Acme" not in first.locator(".answer").inner_text()
    page.get_by_role("link", name="AI settings").click()
    page.get_by_label("AI instructions").fill("Be brief. Sign off with 'Team Acme'.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#saved")).to_have_text("Saved")
    shot(page, "console-settings")
    page.get_by_role("link", name="Test chat").click()
    page.get_by_label("Message").fill("How do I export leads?")
    page.keyboard.press("Enter")
    answer = page.locator(".msg.bot").last
    expect(answer.locator(".answer")).to_contain_text("Team Acme")
    expect(answer.locator(".sources")).to_contain_text("kb_008")
    expect(answer.locator(".timings")).to_contain_text("llm")
    shot(page, "console-test-chat")


def test_invalid_settings_are_explained_next_to_their_field(page: Page, live: Live) -> None:
    sign_in(page, live)
    page.get_by_label("Temperature (0–2)").fill("7")
    page.get_by_label("Answer only during business hours").check()
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_label("Monday").fill("17:00-09:00")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#err-temperature")).to_have_text("Too large.")
    expect(page.locator("#err-business_hours-timezone")).to_contain_text("IANA time zone")
    expect(page.locator("#err-business_hours-schedule-mon")).to_contain_text("ends after it starts")
    expect(page.locator("#saved")).to_have_text("Not saved")
    page.get_by_label("Temperature (0–2)").fill("0.3")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("Monday").fill("09:00-12:00, 13:00-17:00")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#saved")).to_have_text("Saved")
    config = live.stack.http.get("/api/v1/ai/config/", headers={"Authorization": f"Bearer {live.admin_key}"}).json()
    assert config["business_hours"]["schedule"] == {"mon": ["09:00-12:00", "13:00-17:00"]}
    assert config["temperature"] == 0.3


def test_a_knowledge_base_upload_shows_its_progress_and_the_new_version(page: Page, live: Live, tmp_path: Path) -> None:
    sign_in(page, live, "kb")
    status = page.locator("#kb-status")
    expect(status).to_contain_text("articles")
    before = int(re.search(r"Version (\d+)", status.inner_text())[1])  # type: ignore[index]
    bad = tmp_path / "broken.jsonl"
    bad.write_text(json.dumps({"id": "x", "title": "No body"}) + "\n")
    page.get_by_label(re.compile("^Files")).set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#kb-error")).to_contain_text("previous version keeps serving")
    expect(page.locator("#kb-error")).to_contain_text("broken.jsonl line 1.body")
    good = tmp_path / "shipping.jsonl"
    lines = [
        {"id": f"ship-{n}", "title": f"Shipping to zone {n}", "body": f"Parcels to zone {n} arrive in {n + 2} days."}
        for n in range(40)
    ]
    good.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    page.get_by_label(re.compile("^Files")).set_input_files(str(good))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#kb-result")).to_contain_text("is live: 56 articles (40 from these files)")
    after = int(re.search(r"Version (\d+)", page.locator("#kb-result").inner_text())[1])  # type: ignore[index]
    assert after > before
    assert page.locator("#kb-progress").evaluate("el => el.value") == 100
    expect(page.locator("#kb-status")).to_have_text(f"Version {after} is live: 56 articles.")
    expect(page.locator("#kb-articles")).to_contain_text("Shipping to zone 39")
    shot(page, "console-knowledge-base")


def test_a_conversation_is_read_and_handed_to_people_and_back(page: Page, live: Live) -> None:
    user = {"agent_id": "u-77", "email": "ann@example.com", "name": "Ann Lee", "agency": "Sales", "office": "Oslo"}
    for question in ("How do I export leads?", "And how do I reset a password?"):
        live.stack.http.post(
            "/api/agent/customer/",
            json={"message": question, "session_id": "s-77", "user_info": user},
            headers={"Authorization": f"Bearer {live.chat_key}"},
        )
    sign_in(page, live, "conversations")
    row = page.locator("#conversations tr", has_text="Ann Lee")
    expect(row).to_contain_text("AI")
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Hand selected to people").click()
    expect(page.locator("#conversations tr", has_text="Ann Lee")).to_contain_text("People")
    shot(page, "console-conversations")
    page.get_by_role("button", name="Ann Lee").click()
    expect(page.get_by_role("heading", name="Ann Lee")).to_be_visible()
    expect(page.get_by_role("list", name="Messages")).to_contain_text("reset a password")
    expect(page.locator("#session-status")).to_have_text("People answer")
    page.get_by_role("button", name="Give back to the AI").click()
    expect(page.locator("#session-status")).to_have_text("AI answers")
    status = live.stack.http.get(
        "/api/v1/ai/conversations/crm:u-77:s-77/status/", headers={"Authorization": f"Bearer {live.admin_key}"}
    ).json()
    assert status["status"] == "active"


def test_the_analytics_chart_shows_a_scripted_day(page: Page, live: Live) -> None:
    store = live.stack.services.store
    day = (datetime.now(UTC) - timedelta(days=2)).date()
    rollup = {
        "final": True,
        "conversations": 12,
        "customer_messages": 30,
        "requests": 31,
        "ai_replies": 29,
        "response_ms_median": 800,
        "response_ms_p95": 2100,
        "escalations": 4,
        "escalations_by_reason": {"low_confidence": 3, "user_request": 1},
        "answered_conversations": 12,
        "resolved_without_human": 9,
        "resolved_share": 0.75,
        "feedback_helpful": 5,
        "feedback_unhelpful": 1,
        "tickets_created": 2,
        "llm_calls": 29,
        "prompt_tokens": 40000,
        "output_tokens": 6000,
        "estimated_cost": 0.0123,
    }
    store.save_rollup("default", day.isoformat(), rollup)
    sign_in(page, live, "analytics")
    expect(page.locator(".stats")).to_contain_text("12")
    expect(page.locator(".stats")).to_contain_text("75%")
    bars = page.locator("#chart-conversations rect.bar")
    expect(bars).to_have_count(2)
    assert bars.first.locator("title").text_content() == f"{day.isoformat()} Conversations: 12"
    expect(page.locator("#chart-escalations rect.bar")).to_have_count(2)
    shot(page, "console-analytics")


def test_integrations_show_what_to_paste_and_make_a_working_chat_key(page: Page, live: Live) -> None:
    sign_in(page, live, "integrations")
    expect(page.locator(".copy-row", has_text="Chat API")).to_contain_text(f"{live.base}/api/agent/customer/")
    page.get_by_role("button", name="Make a chat key and widget snippet").click()
    key = page.locator("#new-key .copy-row", has_text="Chat API key").locator("code").inner_text()
    assert key.startswith("sb_")
    answered = live.stack.http.post(
        "/api/agent/customer/",
        json={
            "message": "How do I export leads?",
            "user_info": {"agent_id": "k", "email": "k@example.com", "name": "K", "agency": "A", "office": "O"},
        },
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answered.status_code == 200
    page.get_by_label("Kommo account id").fill("31415926")
    page.get_by_label("Kommo subdomain").fill("acme")
    page.get_by_role("button", name="Connect Kommo").click()
    expect(page.locator("#kommo-out")).to_contain_text("/api/kommo/chat/webhook?key=kw_")
    shot(page, "console-integrations")


def test_the_support_desk_opens_signed_in_through_single_sign_on(page: Page, live: Live) -> None:
    sign_in(page, live, "integrations")
    page.get_by_label("Your email").fill("owner@example.com")
    page.get_by_label("Your name").fill("Olga Owner")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Open the support desk").click()
    desk = opened.value
    assert desk.url.startswith(f"{live.stack.chatwoot.url}/app/login?email=owner%40example.com")
    expect(page.locator("#sso-out")).to_contain_text("Signed in to Chatwoot in a new tab")
    (user,) = [u for u in live.stack.chatwoot.users if u["email"] == "owner@example.com"]
    assert {"account_id": 1, "user_id": user["id"], "role": "agent"} in live.stack.chatwoot.account_users
