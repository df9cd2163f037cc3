"""The admin API's business hours, sessions, daily analytics and the platform view (function admin,
function analytics) over in-memory ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from switchboard.channels.admin import PLATFORM
from switchboard.channels.auth import hash_api_key
from switchboard.core import phrases
from tests.conftest import function_client
from tests.fast.helpers import ask, create_ticket, record_failure
from tests.fast.test_admin import ADMIN, CHAT, CONFIG, bearer, set_status, status_of
from tests.support.fast import TASK_HEADERS, FastStack, ScriptedLLM

PLATFORM_KEY = "sb_platform_key_for_tests"
#: Monday 30 November 2026 in Berlin: open 09:00-17:00 (08:00-16:00 UTC).
HOURS = {
    "timezone": "Europe/Berlin",
    "schedule": {"mon": ["09:00-12:00", "13:00-17:00"], "tue": ["09:00-17:00"]},
    "outside": "message",
    "message": "We are closed now; a person will answer from 9:00.",
}


@pytest.fixture
def admin(make_stack: Any) -> FastStack:
    stack = make_stack(llm=ScriptedLLM())
    stack.seed()
    stack.store.add_api_key(hash_api_key(ADMIN), "default", kind="admin")
    stack.store.add_api_key(hash_api_key(CHAT), "default")
    return stack


def at(stack: FastStack, when: datetime) -> None:
    """Run the next turns at ``when``."""
    stack.services.turn_deps.clock = lambda: when


# ----------------------------------------------------------------------------------- business hours


def test_outside_business_hours_the_ai_sends_the_tenants_message_and_offers_people(admin: FastStack) -> None:
    client = function_client("admin")
    saved = client.put(CONFIG, json={"business_hours": HOURS}, headers=bearer(ADMIN))
    assert saved.status_code == 200 and saved.get_json()["business_hours"] == HOURS
    assert "business_hours" in saved.get_json()["overridden"]
    chat = function_client("chat")
    at(admin, datetime(2026, 11, 30, 7, 59, tzinfo=UTC))  # 08:59 in Berlin
    closed = ask(chat, "How long do card refunds take?").get_json()
    assert closed["response"] == HOURS["message"]
    assert closed["requires_escalation"] and closed["debug"]["escalation_reason"] == "outside_hours"
    at(admin, datetime(2026, 11, 30, 11, 30, tzinfo=UTC))  # 12:30, the lunch gap
    assert ask(chat, "How long do card refunds take?").get_json()["debug"]["escalation_reason"] == "outside_hours"
    at(admin, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # 09:00 sharp
    open_ = ask(chat, "How long do card refunds take?").get_json()
    assert "refund" in open_["response"].lower() and not open_["requires_escalation"]
    at(admin, datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # a Wednesday: closed all day
    assert ask(chat, "How long do card refunds take?").get_json()["response"] == HOURS["message"]


def test_silent_outside_hours_leaves_it_to_people_and_null_means_always_open(admin: FastStack) -> None:
    client = function_client("admin")
    client.put(CONFIG, json={"business_hours": {**HOURS, "outside": "silent", "message": ""}}, headers=bearer(ADMIN))
    chat = function_client("chat")
    at(admin, datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # Saturday
    quiet = ask(chat, "How long do card refunds take?").get_json()
    assert quiet["response"] == phrases.human_owns_notice("en") and not quiet["requires_escalation"]
    llm = admin.services.llm
    assert isinstance(llm, ScriptedLLM) and llm.called("answer") == []  # no LLM call outside hours
    cleared = client.put(CONFIG, json={"business_hours": None}, headers=bearer(ADMIN)).get_json()
    assert cleared["business_hours"] is None and "business_hours" not in cleared["overridden"]
    assert "refund" in ask(chat, "How long do card refunds take?").get_json()["response"].lower()


@pytest.mark.parametrize(
    ("hours", "loc"),
    [
        ({**HOURS, "timezone": "Mars/Olympus"}, "business_hours.timezone"),
        ({**HOURS, "schedule": {"mon": ["17:00-09:00"]}}, "business_hours.schedule.mon.0"),
        ({**HOURS, "schedule": {"mon": ["09:00-12:00", "11:00-13:00"]}}, "business_hours.schedule.mon"),
        ({**HOURS, "schedule": {"monday": ["09:00-12:00"]}}, "business_hours.schedule"),
        ({**HOURS, "schedule": {"mon": ["9-5"]}}, "business_hours.schedule.mon.0"),
        ({**HOURS, "message": ""}, "business_hours.message"),
        ({**HOURS, "timezone": "America"}, "business_hours.timezone"),  # a folder of zones, not a zone
        ({**HOURS, "timezone": "../../etc/passwd"}, "business_hours.timezone"),
    ],
)
def test_invalid_business_hours_are_422_naming_the_field_and_change_nothing(
    admin: FastStack, hours: dict[str, Any], loc: str
) -> None:
    client = function_client("admin")
    refused = client.put(CONFIG, json={"business_hours": hours, "temperature": 0.5}, headers=bearer(ADMIN))
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert [e["loc"] for e in errors] == [loc] and errors[0]["message"]
    config = client.get(CONFIG, headers=bearer(ADMIN)).get_json()
    assert config["business_hours"] is None and config["overridden"] == []


def test_hours_stored_by_hand_that_do_not_validate_count_as_always_open(admin: FastStack) -> None:
    from dataclasses import replace

    for junk in ({"timezone": "America", "schedule": {}}, {**HOURS, "extra": 1}, {"timezone": "UTC", "schedule": "x"}):
        tenant = admin.store.get_tenant("default")
        assert tenant is not None
        admin.store.save_tenant(replace(tenant, settings=replace(tenant.settings, hours=junk)))
        admin.services.tenants.forget("default")
        config = function_client("admin").get(CONFIG, headers=bearer(ADMIN))
        assert config.status_code == 200 and config.get_json()["business_hours"] is None
        answered = ask(function_client("chat"), "How long do card refunds take?").get_json()
        assert "refund" in answered["response"].lower()


def test_a_chatwoot_conversation_outside_silent_hours_goes_to_the_agents_without_a_word(make_stack: Any) -> None:
    from tests.fast.test_chatwoot_bot import BOT, said, send, verify

    stack = make_stack(**BOT)
    stack.seed()
    stack.store.add_api_key(hash_api_key(ADMIN), "default", kind="admin")
    verify(stack)
    function_client("admin").put(
        CONFIG, json={"business_hours": {**HOURS, "outside": "silent", "message": ""}}, headers=bearer(ADMIN)
    )
    at(stack, datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # Saturday: closed
    before = len(said(stack))
    assert send(stack, "How long do card refunds take?") == []
    assert said(stack)[before:] == []
    assert stack.chatwoot is not None and stack.chatwoot.called("set_status")[-1] == (7, "open")
    assert status_of("chatwoot:1:7").get_json()["status"] == "support_active"
    (card,) = stack.alerts.called("post")
    assert "outside business hours" in str(card)


# ------------------------------------------------------------------------------------------ sessions


def test_sessions_of_every_channel_are_listed_newest_first_a_page_at_a_time(admin: FastStack) -> None:
    chat, client = function_client("chat"), function_client("admin")
    start = datetime.now(UTC) - timedelta(minutes=30)
    for n, session in enumerate(("s1", "s2", "s3")):
        at(admin, start + timedelta(minutes=n))
        ask(chat, "How long do card refunds take?", session_id=session)
    at(admin, start + timedelta(minutes=5))
    body = {"question": "How do I export leads?", "customer_id": "customer@example.com"}
    assert client.post("/api/v1/ai/ask/", json=body, headers=bearer(ADMIN)).status_code == 200
    first = client.get("/api/v1/ai/sessions/?page_size=2", headers=bearer(ADMIN)).get_json()
    assert [s["session_id"] for s in first["results"]] == ["ask:customer@example.com", "crm:crm_user_456:s3"]
    assert first["count"] == 2 and first["next_page_token"]
    second = client.get(
        f"/api/v1/ai/sessions/?page_size=2&page_token={first['next_page_token']}", headers=bearer(ADMIN)
    ).get_json()
    assert [s["session_id"] for s in second["results"]] == ["crm:crm_user_456:s2", "crm:crm_user_456:s1"]
    assert second["next_page_token"] is None
    row = second["results"][0]
    assert (row["channel"], row["customer_id"], row["status"], row["is_active"], row["ai_replies"]) == (
        "crm",
        "crm_user_456",
        "active",
        True,
        1,
    )
    set_status("crm:crm_user_456:s2", "support_active")
    people = client.get("/api/v1/ai/sessions/?status=support_active", headers=bearer(ADMIN)).get_json()
    assert [s["session_id"] for s in people["results"]] == ["crm:crm_user_456:s2"]
    asked = client.get("/api/v1/ai/sessions/?channel=ask", headers=bearer(ADMIN)).get_json()
    assert [s["session_id"] for s in asked["results"]] == ["ask:customer@example.com"]
    for bad in ("page_size=0", "page_size=x", "status=open", "page_token=garbage", "channel=../x"):
        assert client.get(f"/api/v1/ai/sessions/?{bad}", headers=bearer(ADMIN)).status_code == 400, bad
    assert client.get("/api/v1/ai/sessions/", headers=bearer(CHAT)).status_code == 403


def test_a_session_is_read_with_its_messages_and_an_ask_session_continues_with_send(admin: FastStack) -> None:
    client = function_client("admin")
    body = {"question": "How long do card refunds take?", "customer_id": "customer@example.com"}
    client.post("/api/v1/ai/ask/", json=body, headers=bearer(ADMIN))
    sent = client.post(
        "/api/v1/ai/sessions/ask:customer@example.com/send/",
        json={"message": "How do I export all of my leads from the leads list to a file?"},
        headers=bearer(ADMIN),
    )
    assert sent.status_code == 200
    assert sent.get_json()["session_id"] == "ask:customer@example.com" and "export" in sent.get_json()["answer"].lower()
    detail = client.get("/api/v1/ai/sessions/ask:customer@example.com/", headers=bearer(ADMIN)).get_json()
    assert [(m["sender"], m["content"][:20]) for m in detail["messages"]][0] == ("customer", body["question"][:20])
    assert [m["sender"] for m in detail["messages"]] == ["customer", "ai", "customer", "ai"]
    reply = detail["messages"][1]
    assert reply["confidence"] > 0 and reply["sources"] == ["kb_002"] and reply["response_ms"] >= 0
    assert detail["messages"][0]["confidence"] is None and detail["ai_replies"] == 2
    page = client.get("/api/v1/ai/sessions/ask:customer@example.com/?page_size=3", headers=bearer(ADMIN)).get_json()
    assert len(page["messages"]) == 3 and page["next_page_token"]
    rest = client.get(
        f"/api/v1/ai/sessions/ask:customer@example.com/?page_token={page['next_page_token']}", headers=bearer(ADMIN)
    ).get_json()
    assert [m["id"] for m in rest["messages"]] == [detail["messages"][3]["id"]] and rest["next_page_token"] is None
    for token in ("a/b", "..", "x" * 2000):
        bad = client.get(f"/api/v1/ai/sessions/ask:customer@example.com/?page_token={token}", headers=bearer(ADMIN))
        assert bad.status_code == 400, token
    for session in ("..", "__x__", "crm:__x__", "nochannel", "CRM:x"):
        assert client.get(f"/api/v1/ai/sessions/{session}/", headers=bearer(ADMIN)).status_code == 404, session
        assert status_of(session).status_code == 404, session
        assert set_status(session, "active").status_code == 404, session
    assert client.get("/api/v1/ai/sessions/ask:nobody/", headers=bearer(ADMIN)).status_code == 404
    missing = client.post("/api/v1/ai/sessions/ask:nobody/send/", json={"message": "hi"}, headers=bearer(ADMIN))
    assert missing.status_code == 404


def test_send_refuses_a_channels_session_and_stores_nothing(admin: FastStack) -> None:
    ask(function_client("chat"), "How long do card refunds take?")
    session = "crm:crm_user_456:support-session-1707500000123"
    before = len(admin.store.messages("default", session))
    refused = function_client("admin").post(
        f"/api/v1/ai/sessions/{session}/send/", json={"message": "hello"}, headers=bearer(ADMIN)
    )
    assert refused.status_code == 409 and "crm channel" in refused.get_json()["detail"]
    assert len(admin.store.messages("default", session)) == before
    empty = function_client("admin").post(f"/api/v1/ai/sessions/{session}/send/", json={}, headers=bearer(ADMIN))
    assert empty.status_code == 422


# ----------------------------------------------------------------------------------------- analytics


def run_day(day: str, **extra: Any) -> Any:
    return function_client("analytics").post("/analytics/run", json={"date": day, **extra}, headers=TASK_HEADERS)


def test_a_scripted_day_rolls_up_exactly_and_running_it_again_gives_the_same_document(admin: FastStack) -> None:
    from switchboard.errors import LLMError

    chat = function_client("chat")
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    at(admin, day + timedelta(hours=1))
    ask(chat, "How long do card refunds take?", session_id="resolved")  # answered, nobody steps in
    at(admin, day + timedelta(hours=2))
    ask(chat, "How long do card refunds take?", session_id="handoff")
    ask(chat, "I want to talk to a human", session_id="handoff")  # user_request
    llm = admin.services.llm
    assert isinstance(llm, ScriptedLLM)
    llm.replies.append(LLMError("bad output"))
    at(admin, day + timedelta(hours=3))
    ask(chat, "How do I export leads?", session_id="broken")  # ai_error
    at(admin, day - timedelta(hours=1))
    ask(chat, "How do I export leads?", session_id="yesterday")  # another day: not counted
    feedback = {
        "message_id": "m1",
        "session_id": "resolved",
        "feedback_type": "helpful",
        "query": "q",
        "response": "r",
        "agent_type": "support",
        "user_info": {"agent_id": "crm_user_456", "email": "jane@company.com", "full_name": "Jane"},
        "confidence_score": 0.9,
        "sources_used": [],
    }
    assert function_client("feedback").post("/api/feedback", json=feedback).status_code == 200
    escalation = function_client("escalation")
    assert create_ticket(escalation, record_failure(escalation)).status_code == 200
    admin.run_tasks()

    done = run_day(day.date().isoformat())
    assert done.status_code == 200
    assert done.get_json()["tenants"]["default"]["days"] == [day.date().isoformat()]
    first = admin.store.rollups_between("default", day.date().isoformat(), day.date().isoformat())
    rollup = first[day.date().isoformat()]
    assert rollup["final"] is False  # the 24 hours after the day have not passed
    expected = {
        "conversations": 3,
        "customer_messages": 4,
        "ai_replies": 4,
        "escalations": 2,
        "answered_conversations": 3,
        "resolved_without_human": 1,
        "resolved_share": round(1 / 3, 4),
        "feedback_helpful": 1,
        "feedback_unhelpful": 0,
        "tickets_created": 1,
        "llm_calls": 3,
    }
    assert {k: rollup[k] for k in expected} == expected
    assert rollup["escalations_by_reason"]["user_request"] == 1 and rollup["escalations_by_reason"]["ai_error"] == 1
    assert rollup["escalations_by_reason"]["low_confidence"] == 0
    assert rollup["response_ms_median"] is not None and rollup["response_ms_p95"] >= rollup["response_ms_median"]
    assert run_day(day.date().isoformat()).status_code == 200
    assert admin.store.rollups_between("default", day.date().isoformat(), day.date().isoformat()) == first

    shown = function_client("admin").get(
        f"/api/v1/ai/analytics/?from={day.date().isoformat()}&to={day.date().isoformat()}", headers=bearer(ADMIN)
    )
    assert shown.status_code == 200 and shown.get_json()["days"] == [rollup]
    for bad in ("from=yesterday", "from=2026-02-01&to=2026-01-01", "from=2020-01-01&to=2026-01-01"):
        assert function_client("admin").get(f"/api/v1/ai/analytics/?{bad}", headers=bearer(ADMIN)).status_code == 400


def test_the_daily_job_marks_idle_sessions_inactive_and_a_new_message_wakes_them(admin: FastStack) -> None:
    chat = function_client("chat")
    at(admin, datetime.now(UTC) - timedelta(days=3))
    ask(chat, "How long do card refunds take?", session_id="old")
    at(admin, datetime.now(UTC))
    ask(chat, "How long do card refunds take?", session_id="new")
    report = function_client("analytics").post("/analytics/run", json={}, headers=TASK_HEADERS).get_json()
    assert report["tenants"]["default"]["marked_inactive"] == 1 and len(report["tenants"]["default"]["days"]) == 2
    listed = function_client("admin").get("/api/v1/ai/sessions/", headers=bearer(ADMIN)).get_json()["results"]
    assert {s["session_id"]: s["is_active"] for s in listed} == {
        "crm:crm_user_456:new": True,
        "crm:crm_user_456:old": False,
    }
    ask(chat, "And how do I export leads?", session_id="old")
    listed = function_client("admin").get("/api/v1/ai/sessions/", headers=bearer(ADMIN)).get_json()["results"]
    assert all(s["is_active"] for s in listed)


def test_the_analytics_function_refuses_callers_without_the_queues_credentials(admin: FastStack) -> None:
    client = function_client("analytics")
    assert client.post("/analytics/run", json={}).status_code == 401
    assert client.post("/analytics/run", json={}, headers={"X-Switchboard-Task-Secret": "guess"}).status_code == 401
    assert client.post("/analytics/run", json={"date": "someday"}, headers=TASK_HEADERS).status_code == 422
    assert client.get("/analytics/run", headers=TASK_HEADERS).status_code == 405
    assert admin.store.rollups_between("default", "2000-01-01", "2100-01-01") == {}


# ------------------------------------------------------------------------------------ platform view


def test_global_usage_sums_every_tenant_for_a_platform_key_only(admin: FastStack) -> None:
    admin.seed("other")
    other_chat = "sb_other_chat_key"
    admin.store.add_api_key(hash_api_key(other_chat), "other")
    admin.store.add_api_key(hash_api_key(PLATFORM_KEY), PLATFORM, kind="platform")
    chat = function_client("chat")
    ask(chat, "How long do card refunds take?", headers=bearer(CHAT))
    ask(chat, "How long do card refunds take?", session_id="x", headers=bearer(other_chat))
    ask(chat, "How do I export leads?", session_id="y", headers=bearer(other_chat))
    client = function_client("admin")
    found = client.get("/api/v1/ai/usage/global/?days=2", headers=bearer(PLATFORM_KEY))
    assert found.status_code == 200
    body = found.get_json()
    assert body["totals"]["requests"] == 3 and body["totals"]["ai_replies"] == 3
    assert {t["tenant_id"]: t["totals"]["requests"] for t in body["tenants"]} == {"default": 1, "other": 2}
    assert len(body["per_day"]) == 2
    assert client.get("/api/v1/ai/usage/global/", headers=bearer(ADMIN)).status_code == 403
    assert client.get("/api/v1/ai/usage/global/").status_code == 401
    # a platform key is no tenant's admin key
    assert client.get(CONFIG, headers=bearer(PLATFORM_KEY)).status_code == 401


# --------------------------------------------------------------------- Chatwoot status, review cases


def chatwoot_stack(make_stack: Any) -> FastStack:
    from tests.fast.test_chatwoot_bot import BOT, send, verify

    stack = make_stack(**BOT)
    stack.seed()
    stack.store.add_api_key(hash_api_key(ADMIN), "default", kind="admin")
    verify(stack)
    send(stack, "How long do card refunds take?")
    return stack


def test_a_status_change_whose_task_could_not_be_queued_reaches_chatwoot_on_the_retry(make_stack: Any) -> None:
    from switchboard.errors import UpstreamUnavailableError

    stack = chatwoot_stack(make_stack)
    stack.queue.failures.append(UpstreamUnavailableError("queue down"))
    assert set_status("chatwoot:1:7", "support_active").status_code == 503
    assert set_status("chatwoot:1:7", "support_active").status_code == 200  # the caller retries
    stack.run_tasks()
    assert stack.chatwoot is not None and stack.chatwoot.called("set_status")[-1] == (7, "open")


def test_a_second_handoff_is_not_undone_by_a_message_before_chatwoot_took_it(make_stack: Any) -> None:
    from tests.fast.test_chatwoot_bot import said

    stack = chatwoot_stack(make_stack)
    set_status("chatwoot:1:7", "support_active")
    stack.run_tasks()
    set_status("chatwoot:1:7", "active")
    stack.run_tasks()
    set_status("chatwoot:1:7", "support_active")  # its task has not run yet: Chatwoot still says pending
    before = len(said(stack))
    response = send_without_tasks(stack, "How do I export leads?")
    assert response.status_code == 200
    queued = stack.queue.take()
    assert sorted(t.kind for t in queued) == ["chatwoot-bot", "chatwoot-status"]
    for task in sorted(queued, key=lambda t: t.kind != "chatwoot-bot"):  # the message first, then the status
        stack.deliver(task)
    stack.run_tasks()
    assert said(stack)[before:] == []  # the AI stayed out of it
    assert status_of("chatwoot:1:7").get_json()["status"] == "support_active"
    assert stack.chatwoot is not None and stack.chatwoot.called("set_status")[-1] == (7, "open")


def send_without_tasks(stack: FastStack, text: str) -> Any:
    from tests.fast.test_chatwoot_bot import deliver, event

    return deliver(event(text))


def test_kommo_chat_messages_count_and_a_conversation_people_touched_is_not_resolved(admin: FastStack) -> None:
    from switchboard.core.models import Message

    chat = function_client("chat")
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    at(admin, start + timedelta(seconds=1))  # today, before the status changes below
    ask(chat, "How long do card refunds take?", session_id="touched")
    ask(chat, "How long do card refunds take?", session_id="untouched")
    set_status("crm:crm_user_456:touched", "support_active")  # a person took it ...
    set_status("crm:crm_user_456:touched", "active")  # ... and gave it back
    notified = Message("kommo-abc", "user", "Hello?", start + timedelta(seconds=2))
    meta = {"source": "kommo_notification"}
    assert admin.store.append_message("default", "kommo:lead-1", notified, {"channel": "kommo"}, meta)
    day = start.date().isoformat()
    assert run_day(day).status_code == 200
    rollup = admin.store.rollups_between("default", day, day)[day]
    assert (rollup["conversations"], rollup["customer_messages"], rollup["ai_replies"]) == (3, 3, 2)
    assert (rollup["answered_conversations"], rollup["resolved_without_human"]) == (2, 1)


def test_with_auto_response_off_a_chatwoot_conversation_is_handed_to_the_agents(make_stack: Any) -> None:
    from tests.fast.test_chatwoot_bot import send

    stack = chatwoot_stack(make_stack)
    function_client("admin").put(CONFIG, json={"auto_response_enabled": False}, headers=bearer(ADMIN))
    assert send(stack, "How do I export leads?") == []
    assert stack.chatwoot is not None and stack.chatwoot.called("set_status")[-1] == (7, "open")
    assert status_of("chatwoot:1:7").get_json()["status"] == "support_active"
