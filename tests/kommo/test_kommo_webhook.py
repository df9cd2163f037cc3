"""The Kommo Salesbot channel on the real Kommo protocol: signed widget_request in, one continue call out."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from switchboard.devtools.standins import Fault
from tests.kommo.conftest import WEBHOOK_KEY, KommoStack, token

pytestmark = pytest.mark.emulator


def shows(call: dict[str, Any]) -> list[str]:
    return [h["params"]["value"] for h in call["body"]["execute_handlers"] if h["handler"] == "show"]


def test_signed_form_request_gives_exactly_one_continue_call_with_bubbles(kommo: KommoStack, db: Any) -> None:
    # GIVEN a form-encoded widget_request signed by the integration
    return_url = kommo.return_url()
    body = kommo.form("How do I create a property listing and publish it?", return_url)
    # WHEN Kommo sends it, and sends it again (as it does while a continue call fails)
    first = kommo.post_form(body)
    second = kommo.post_form(body)
    # THEN both are acknowledged, and the bot is continued exactly once
    assert first.status_code == second.status_code == 200
    kommo.stack.wait_for(lambda: kommo.kommo.continues, what="continue call")
    kommo.stack.settle(1.5)
    (call,) = kommo.kommo.continues
    assert call["path"] == urlsplit(return_url).path
    assert kommo.kommo.requests[-1].headers["Authorization"] == f"Bearer {kommo.kommo.token}"
    data = call["body"]["data"]
    assert data["status"] == "success" and data["handoff"] is False and data["confidence"] > 0.3
    assert "New Listing" in data["reply"]
    bubbles = shows(call)
    assert 1 < len(bubbles) <= 10 and all(len(b) <= 80 for b in bubbles)
    assert " ".join(bubbles) == " ".join(data["reply"].split())
    # AND the turn is stored once in the lead/contact conversation
    conv = (
        db.collection("tenants").document("default").collection("conversations").document("kommo:lead-123-contact-456")
    )
    assert [m.to_dict()["role"] for m in conv.collection("messages").stream()] == ["user", "assistant"]


def test_json_widget_request_works_too_and_reply_mode_json_sends_no_bubbles(kommo: KommoStack) -> None:
    payload = {
        "token": token(),
        "return_url": kommo.return_url(),
        "data": {"message": "How do I export leads?", "contact_id": "9", "lead_id": "8", "reply_mode": "json"},
    }
    assert kommo.stack.http.post(f"/api/kommo/chat/webhook?key={WEBHOOK_KEY}", json=payload).status_code == 200
    call = kommo.stack.wait_for(lambda: kommo.kommo.continues and kommo.kommo.continues[0], what="continue")
    assert call["body"]["execute_handlers"] == [] and "CSV" in call["body"]["data"]["reply"]


def test_request_for_a_human_hands_off_and_the_ai_stays_silent(kommo: KommoStack) -> None:
    assert kommo.post_form(kommo.form("Quiero hablar con una persona")).status_code == 200
    call = kommo.stack.wait_for(lambda: kommo.kommo.continues and kommo.kommo.continues[0], what="handoff")
    assert call["body"]["data"]["handoff"] is True and call["body"]["data"]["status"] == "handoff"
    assert "persona" in " ".join(shows(call))  # in the customer's language
    # the next message in that conversation gets no AI answer, only the bot's human branch
    assert kommo.post_form(kommo.form("How do I export leads?")).status_code == 200
    silent = kommo.stack.wait_for(lambda: len(kommo.kommo.continues) == 2 and kommo.kommo.continues[1], what="silent")
    assert silent["body"]["execute_handlers"] == []
    assert silent["body"]["data"] == {**silent["body"]["data"], "status": "human", "handoff": True, "reply": ""}


def test_kommo_5xx_is_retried_with_the_same_answer_and_401_is_final(kommo: KommoStack, db: Any) -> None:
    kommo.kommo.fail_next(Fault(502, {}))
    assert kommo.post_form(kommo.form("How do I export leads?")).status_code == 200
    kommo.stack.wait_for(lambda: kommo.kommo.continues, timeout=30, what="retried continue")
    posts = [r for r in kommo.kommo.requests if r.method == "POST"]
    assert len(posts) == 2 and posts[0].body == posts[1].body  # computed once, sent twice
    conv = (
        db.collection("tenants").document("default").collection("conversations").document("kommo:lead-123-contact-456")
    )
    assert len(list(conv.collection("messages").stream())) == 2
    # a refused token is final: no retries
    kommo.kommo.token = "rotated"
    before = len(kommo.kommo.requests)
    assert kommo.post_form(kommo.form("How do I reset a password?")).status_code == 200
    kommo.stack.wait_for(lambda: len(kommo.kommo.requests) > before, what="refused continue")
    kommo.stack.settle(1.5)
    assert len(kommo.kommo.requests) == before + 1


def test_a_person_taking_over_before_the_send_wins(kommo: KommoStack) -> None:
    from switchboard import bootstrap

    kommo.kommo.fail_next(Fault(503, {}, {"Retry-After": "1"}))
    assert kommo.post_form(kommo.form("How do I export leads?")).status_code == 200
    kommo.stack.wait_for(lambda: kommo.kommo.requests, what="first attempt")
    bootstrap.services().escalations.set_conversation_owner("default", "kommo:lead-123-contact-456", "human")
    call = kommo.stack.wait_for(lambda: kommo.kommo.continues and kommo.kommo.continues[0], timeout=30, what="send")
    assert call["body"]["execute_handlers"] == [] and call["body"]["data"]["status"] == "human"


def test_notifications_are_stored_once_and_need_the_url_key(kommo: KommoStack, db: Any) -> None:
    body = urlencode(
        {
            "message[add][0][id]": "m-77",
            "message[add][0][text]": "Do you have parking?",
            "message[add][0][chat_id]": "c-1",
            "message[add][0][contact_id]": "456",
            "message[add][0][element_id]": "123",
            "message[add][0][element_type]": "2",
            "message[add][0][type]": "incoming",
            "account[id]": "31415926",
            "account[subdomain]": "acme",
        }
    )
    assert kommo.post_form(body, "").status_code == 401  # no ?key=
    assert kommo.post_form(body, "?key=wrong").status_code == 401
    first = kommo.post_form(body, f"?key={WEBHOOK_KEY}")
    again = kommo.post_form(body, f"?key={WEBHOOK_KEY}")
    assert first.json() == {"status": "stored", "messages": 1, "reply": False}
    assert again.json()["messages"] == 0
    conv = (
        db.collection("tenants").document("default").collection("conversations").document("kommo:lead-123-contact-456")
    )
    (message,) = [m.to_dict() for m in conv.collection("messages").stream()]
    assert message["content"] == "Do you have parking?" and message["role"] == "user"
    other_account = body.replace("31415926", "1")
    assert kommo.post_form(other_account, f"?key={WEBHOOK_KEY}").status_code == 401


def test_seed_000_notification_with_a_return_url_is_answered(kommo: KommoStack) -> None:
    body = urlencode(
        {
            "message[add][0][text]": "How do I export leads?",
            "message[add][0][chat_id]": "123",
            "message[add][0][contact_id]": "456",
            "return_url": kommo.return_url(),
            "account_id": "31415926",
        }
    )
    response = kommo.post_form(body, f"?key={WEBHOOK_KEY}")
    assert response.json() == {"status": "stored", "messages": 0, "reply": True}
    call = kommo.stack.wait_for(lambda: kommo.kommo.continues and kommo.kommo.continues[0], what="answer")
    assert "CSV" in call["body"]["data"]["reply"]
    # the seed's own example return_url is not a Kommo host: refused
    seed = "message%5Badd%5D%5B0%5D%5Btext%5D=Hello%20AI&return_url=http%3A//test.com"
    assert kommo.post_form(seed, f"?key={WEBHOOK_KEY}").status_code == 400
    assert json.loads(kommo.post_form(seed, f"?key={WEBHOOK_KEY}").text)["error"] == "invalid_request"
