"""The Chatwoot agent bot (channels/chatwoot_bot.py, core/chatwoot_bot.py; functions chatwoot_bot
and tasks) over in-memory ports and a recording Chatwoot: email verification, answers, handoff."""

from __future__ import annotations

import itertools
import json
import re
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from switchboard.core import bot_texts, phrases
from switchboard.devtools.standins.chatwoot import bot_event, signature_headers
from switchboard.errors import LLMError, LLMUnavailableError, StoreError, UpstreamError, UpstreamUnavailableError
from switchboard.llm.base import AnswerDraft, AnswerRequest
from switchboard.verify_tokens import signer
from tests.conftest import function_client
from tests.support.fast import FastStack, ScriptedLLM

BOT_SECRET = "bot-webhook-secret"
VERIFY_SECRET = "verify-jwt-secret-of-the-fast-tier-0123456789"
BOT = {
    "CHATWOOT_BASE_URL": "https://chatwoot.example",
    "CHATWOOT_ACCOUNT_ID": "1",
    "CHATWOOT_BOT_TOKEN": "bot-token",
    "CHATWOOT_BOT_SECRET": BOT_SECRET,
    "VERIFY_JWT_SECRET": VERIFY_SECRET,
    "PUBLIC_BASE_URL": "https://support.example.com",
}
_ids = itertools.count(1000)


def event(
    text: str, conversation: int = 7, contact: int = 42, status: str = "pending", **overrides: Any
) -> dict[str, Any]:
    """A ``message_created`` event as Chatwoot sends it to an agent bot (inbox 3)."""
    return {**bot_event(text, conversation, next(_ids), contact, status, inbox=3), **overrides}


def signed(raw: bytes, secret: str = BOT_SECRET, at: int | None = None) -> dict[str, str]:
    return signature_headers(raw, secret, at)


def deliver(body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    raw = json.dumps(body).encode()
    return function_client("chatwoot_bot").post("/api/chatwoot/bot", data=raw, headers=headers or signed(raw))


def said(stack: FastStack) -> list[str]:
    assert stack.chatwoot is not None
    return [text for _, text in stack.chatwoot.called("post_message")]


def send(stack: FastStack, text: str, **kwargs: Any) -> list[str]:
    """One customer message delivered and its task run; what the bot said for it."""
    before = len(said(stack))
    response = deliver(event(text, **kwargs))
    assert response.status_code == 200, response.get_data(as_text=True)
    stack.run_tasks()
    return said(stack)[before:]


def link_token(stack: FastStack) -> str:
    mail = stack.mailer.called("send")[-1]
    link = re.search(r"https://support\.example\.com/api/chatwoot/verify\?token=\S+", mail.text)
    assert link, mail.text
    return parse_qs(urlparse(link.group(0)).query)["token"][0]


def open_link(token: str, method: str = "GET") -> Any:
    client = function_client("chatwoot_bot")
    return client.open(f"/api/chatwoot/verify?token={token}", method=method)


def verify(stack: FastStack, email: str = "jane@example.com", **kwargs: Any) -> None:
    send(stack, "hello", **kwargs)
    send(stack, email, **kwargs)
    assert open_link(link_token(stack)).status_code == 200
    stack.run_tasks()


@pytest.fixture
def bot(make_stack: Any) -> FastStack:
    stack = make_stack(**BOT)
    stack.seed()
    return stack


def test_the_whole_conversation_from_hello_to_a_person(bot: FastStack) -> None:
    assert bot.chatwoot is not None
    # hello -> asked for an email
    assert send(bot, "hello") == [bot_texts.TEXTS["ask_email"]["en"]]
    # an invalid address -> asked again, with the reason
    (invalid,) = send(bot, "it is jane@example")
    assert invalid == bot_texts.TEXTS["invalid_email"]["en"].format(reason=bot_texts.REASONS["domain"]["en"])
    # a valid one -> one verification email with a 24 h link, and the chat says so
    assert send(bot, "jane@example.com") == [bot_texts.TEXTS["link_sent"]["en"].format(email="jane@example.com")]
    (mail,) = bot.mailer.called("send")
    assert mail.to == "jane@example.com" and "/api/chatwoot/verify?token=" in mail.html
    # a question before the link is followed -> a reminder, not an answer
    assert send(bot, "How long do card refunds take?") == [
        bot_texts.TEXTS["reminder"]["en"].format(email="jane@example.com")
    ]
    # the link -> the verified page, the attributes and the message in the conversation
    page = open_link(link_token(bot))
    assert page.status_code == 200 and "Email verified" in page.get_data(as_text=True)
    bot.run_tasks()
    assert bot.chatwoot.called("set_attributes") == [
        (7, {"email_verified": True, "verified_email": "jane@example.com"})
    ]
    assert said(bot)[-1] == bot_texts.TEXTS["verified"]["en"]
    # a question -> answered from the knowledge base
    (answer,) = send(bot, "How long do card refunds take?")
    assert "refund" in answer.lower()
    # "хүнтэй ярих" -> handed to people: the notice, status open, one Teams card
    assert send(bot, "хүнтэй ярих") == [bot_texts.TEXTS["handoff"]["mn"]]
    assert bot.chatwoot.called("set_status") == [(7, "open")]
    (card,) = bot.alerts.called("post")
    content = card["attachments"][0]["content"]
    facts = {f["title"]: f["value"] for f in content["body"][-1]["facts"]}
    assert facts["Reason"] == "The customer asked for a person" and facts["Contact"] == "jane@example.com"
    assert facts["Message"] == "хүнтэй ярих" and facts["Time"].endswith("UTC")
    assert content["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open in Chatwoot",
            "url": "https://chatwoot.example/app/accounts/1/conversations/7",
        }
    ]
    # while people own it (status open) the bot says nothing
    assert send(bot, "hello? anyone?", status="open") == []
    assert len(bot.alerts.called("post")) == 1


def test_an_agent_giving_the_conversation_back_lets_the_bot_resume_with_a_fresh_context(bot: FastStack) -> None:
    verify(bot)
    send(bot, "I want to talk to a human")
    assert send(bot, "still there?", status="open") == []
    # the agent sets the conversation back to pending
    (answer,) = send(bot, "How do I export leads to CSV?", status="pending")
    assert "export" in answer.lower()
    from tests.fast.helpers import roles_and_texts

    history = roles_and_texts(bot, "chatwoot:1:7")
    assert history[-2:] == [("user", "How do I export leads to CSV?"), ("assistant", answer)]


def test_a_delivery_repeated_by_chatwoot_gets_one_reply(bot: FastStack) -> None:
    body = event("hello")
    assert [deliver(body).status_code for _ in range(3)] == [200, 200, 200]
    bot.run_tasks()
    assert said(bot) == [bot_texts.TEXTS["ask_email"]["en"]]


def test_a_verified_contact_stays_verified_in_its_next_conversation(bot: FastStack) -> None:
    verify(bot)
    (answer,) = send(bot, "How long do card refunds take?", conversation=8)
    assert "refund" in answer.lower()


def test_mongolian_customers_are_answered_in_mongolian(bot: FastStack) -> None:
    assert send(bot, "Сайн байна уу", contact=77, conversation=9) == [bot_texts.TEXTS["ask_email"]["mn"]]
    assert send(bot, "миний имэйл bat.example.com", contact=77, conversation=9) == [bot_texts.TEXTS["ask_email"]["mn"]]
    (invalid,) = send(bot, "миний имэйл bat@example", contact=77, conversation=9)
    assert invalid == bot_texts.TEXTS["invalid_email"]["mn"].format(reason=bot_texts.REASONS["domain"]["mn"])
    assert send(bot, "bat@example.mn", contact=77, conversation=9) == [
        bot_texts.TEXTS["link_sent"]["mn"].format(email="bat@example.mn")
    ]
    page = open_link(link_token(bot))
    assert page.status_code == 200 and "Имэйл баталгаажлаа" in page.get_data(as_text=True)
    bot.run_tasks()
    assert said(bot)[-1] == bot_texts.TEXTS["verified"]["mn"]


def test_a_tenant_can_reword_the_fixed_messages(bot: FastStack) -> None:
    from dataclasses import replace

    tenant = bot.store.get_tenant("default")
    assert tenant is not None
    texts = {"ask_email": {"en": "Hi! Your email, please."}, "handoff": {"en": "A colleague takes over now."}}
    bot.store.save_tenant(replace(tenant, settings=replace(tenant.settings, bot={"texts": texts})))
    assert send(bot, "hello", contact=5, conversation=11) == ["Hi! Your email, please."]


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"X-Chatwoot-Signature": "sha256=" + "0" * 64, "X-Chatwoot-Timestamp": str(int(time.time()))}, "forged"),
        ({}, "missing"),
    ],
)
def test_an_unsigned_or_forged_event_is_401_and_queues_nothing(
    bot: FastStack, headers: dict[str, str], why: str
) -> None:
    response = deliver(event("hello"), {**headers, "Content-Type": "application/json"})
    assert response.status_code == 401, why
    assert bot.queue.tasks == []


def test_a_stale_signature_is_401(bot: FastStack) -> None:
    raw = json.dumps(event("hello")).encode()
    response = function_client("chatwoot_bot").post(
        "/api/chatwoot/bot", data=raw, headers=signed(raw, at=int(time.time()) - 3600)
    )
    assert response.status_code == 401 and bot.queue.tasks == []


def test_without_a_secret_events_are_accepted_unsigned(make_stack: Any) -> None:
    stack = make_stack(**{**BOT, "CHATWOOT_BOT_SECRET": ""})
    raw = json.dumps(event("hello")).encode()
    response = function_client("chatwoot_bot").post("/api/chatwoot/bot", data=raw, content_type="application/json")
    assert response.status_code == 200 and len(stack.queue.tasks) == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"message_type": "outgoing"},
        {"private": True},
        {"sender": {"id": 3, "type": "user"}},
        {"event": "conversation_opened"},
        {"content": ""},
    ],
)
def test_what_the_bot_must_not_answer_is_acknowledged_and_ignored(bot: FastStack, overrides: dict[str, Any]) -> None:
    response = deliver(event("hello", **overrides))
    assert response.status_code == 200 and response.get_json() == {"status": "ignored"}
    assert bot.queue.tasks == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps(event("hi", conversation={"id": "seven"})).encode(),
        json.dumps({**event("hi"), "account": {"id": None}}).encode(),
    ],
)
def test_a_malformed_body_is_400_and_queues_nothing(bot: FastStack, body: bytes) -> None:
    response = function_client("chatwoot_bot").post("/api/chatwoot/bot", data=body, headers=signed(body))
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
    assert bot.queue.tasks == []


def test_forged_expired_and_reused_links_change_nothing(bot: FastStack) -> None:
    send(bot, "hello")
    send(bot, "jane@example.com")
    token = link_token(bot)
    # forged: signed with another secret
    claims = {"tenant": "default", "account": 1, "inbox": 3, "contact": 42, "conversation": 7}
    claims |= {"email": "mallory@example.com", "lang": "en", "jti": "forged-link-id"}
    forged = signer("not-our-secret-but-long-enough-to-sign-0123")(claims, timedelta(hours=1))
    assert open_link(forged).status_code == 400
    # expired
    expired = signer(VERIFY_SECRET)({**claims, "jti": "expired-link-id"}, timedelta(seconds=-10))
    page = open_link(expired)
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    # tampered: a valid token with a changed payload
    head, payload, sig = token.split(".")
    assert open_link(f"{head}.{payload[:-2]}xx.{sig}").status_code == 400
    bot.run_tasks()
    assert bot.chatwoot is not None and bot.chatwoot.called("set_attributes") == []
    assert send(bot, "How long do card refunds take?")[0].startswith("Please open the verification link")
    # a link preview (HEAD) does not use it up; the real visit does, once
    assert open_link(token, "HEAD").status_code == 200
    assert open_link(token).status_code == 200
    assert open_link(token).status_code == 410
    bot.run_tasks()
    assert len(bot.chatwoot.called("set_attributes")) == 1
    assert said(bot).count(bot_texts.TEXTS["verified"]["en"]) == 1


def _scripted(make_stack: Any, *replies: Any) -> FastStack:
    stack = make_stack(llm=ScriptedLLM(*replies), **BOT)
    stack.seed()
    verify(stack)
    return stack


def test_an_llm_that_fails_every_attempt_hands_over_with_one_card(make_stack: Any) -> None:
    stack = _scripted(make_stack, LLMError("bad output"), LLMError("bad output again"))
    assert send(stack, "How long do card refunds take?") == [bot_texts.TEXTS["handoff"]["en"]]
    (card,) = stack.alerts.called("post")
    assert "LLM error" in json.dumps(card)
    assert stack.chatwoot is not None and stack.chatwoot.called("set_status") == [(7, "open")]


def test_an_llm_timing_out_hands_over_as_a_timeout(make_stack: Any) -> None:
    stack = _scripted(make_stack, *[LLMUnavailableError("Gemini timed out")] * 2)
    send(stack, "How long do card refunds take?")
    (card,) = stack.alerts.called("post")
    assert "timed out" in json.dumps(card)


def test_a_question_the_knowledge_base_cannot_answer_hands_over(bot: FastStack) -> None:
    verify(bot)
    replies = send(bot, "Can you recommend a good recipe for dumplings?")
    assert replies[0] == phrases.no_answer_notice("en")
    (card,) = bot.alerts.called("post")
    assert "no answer" in json.dumps(card)


class FlakyLLM(ScriptedLLM):
    """Every answer fails on its first attempt and works on the second."""

    def answer(self, request: AnswerRequest) -> AnswerDraft:
        if len(self.called("answer")) % 2 == 0:
            self._record("answer", request)
            raise LLMError("hiccup")
        return super().answer(request)


def test_three_answers_in_a_row_that_needed_a_retry_hand_over_once(make_stack: Any) -> None:
    stack = make_stack(llm=FlakyLLM(), **BOT)
    stack.seed()
    verify(stack)
    for i in range(3):
        replies = send(stack, "How long do card refunds take?")
        assert len(stack.alerts.called("post")) == (1 if i == 2 else 0)
    assert replies[-1] == bot_texts.TEXTS["handoff"]["en"] and "refund" in replies[0].lower()
    assert "3 times in a row" in json.dumps(stack.alerts.called("post")[0])


def test_chatwoot_down_during_a_handoff_sends_each_part_once_when_it_is_back(make_stack: Any) -> None:
    stack = make_stack(**BOT)
    stack.seed()
    verify(stack)
    assert stack.chatwoot is not None
    stack.chatwoot.fail_next(UpstreamUnavailableError("Chatwoot: HTTP 503", status=503))
    deliver(event("I want to talk to a person"))
    (task,) = stack.queue.take()
    assert stack.deliver(task) == "rescheduled"
    stack.alerts.fail_next(UpstreamUnavailableError("Teams: HTTP 429", retry_after=5, status=429))
    (later,) = stack.queue.take()
    assert stack.deliver(later) == "rescheduled"
    stack.run_tasks()
    assert said(stack).count(bot_texts.TEXTS["handoff"]["en"]) == 1
    assert stack.chatwoot.called("set_status") == [(7, "open")] and len(stack.alerts.called("post")) == 1


def test_a_contact_over_the_rate_limit_is_told_when_to_come_back(make_stack: Any) -> None:
    stack = make_stack(**{**BOT, "RATE_LIMIT": "1/3600"})
    stack.seed()
    verify(stack)
    send(stack, "How long do card refunds take?")
    (notice,) = send(stack, "And how do I export leads?")
    assert notice.startswith(phrases.rate_limited_notice("en", 3600)[:20])
    assert stack.alerts.called("post") == [] and stack.queue.tasks == []


# ----------------------------------------------------------------- found by an adversarial review


def test_an_older_link_stops_working_once_the_contact_gives_another_address(bot: FastStack) -> None:
    send(bot, "hello")
    send(bot, "typo@example.com")
    old = link_token(bot)
    send(bot, "jane@example.com")
    new = link_token(bot)
    page = open_link(old)
    assert page.status_code == 410 and "no longer valid" in page.get_data(as_text=True)
    assert open_link(new).status_code == 200
    bot.run_tasks()
    assert bot.chatwoot is not None
    assert bot.chatwoot.called("set_attributes") == [
        (7, {"email_verified": True, "verified_email": "jane@example.com"})
    ]
    assert open_link(old).status_code == 410  # and it cannot overwrite the verified address later


def test_a_message_sent_while_the_handoff_takes_effect_gets_no_ai_answer(bot: FastStack) -> None:
    verify(bot)
    before = len(said(bot))
    assert deliver(event("I want to talk to a human")).status_code == 200
    assert deliver(event("How long do card refunds take?")).status_code == 200  # still "pending"
    bot.run_tasks()
    assert said(bot)[before:] == [bot_texts.TEXTS["handoff"]["en"]]


def test_a_message_while_the_status_change_is_retried_gets_no_ai_answer(bot: FastStack) -> None:
    verify(bot)
    assert bot.chatwoot is not None
    before = len(said(bot))
    deliver(event("I want to talk to a human"))
    bot.chatwoot.fail_next(UpstreamUnavailableError("Chatwoot: HTTP 503", status=503))
    (task,) = bot.queue.take()
    assert bot.deliver(task) == "rescheduled"
    retry = bot.queue.take()
    deliver(event("How long do card refunds take?"))  # Chatwoot still says pending
    bot.run_tasks()
    for later in retry:
        bot.deliver(later)
    assert said(bot)[before:] == [bot_texts.TEXTS["handoff"]["en"]]
    assert bot.chatwoot.called("set_status") == [(7, "open")]


def test_a_refused_verification_email_is_said_and_the_contact_asked_again(bot: FastStack) -> None:
    send(bot, "hello")
    bot.mailer.fail_next(UpstreamError("SMTP: 550 mailbox unavailable", status=550))
    assert send(bot, "nobody@example.com") == [
        bot_texts.TEXTS["email_refused"]["en"].format(email="nobody@example.com")
    ]
    # not a reminder about a link that never went out
    assert send(bot, "what now?") == [bot_texts.TEXTS["ask_email"]["en"]]


def test_the_bot_sends_a_bounded_number_of_verification_emails(bot: FastStack) -> None:
    send(bot, "hello")
    for i in range(8):
        send(bot, f"someone{i}@example.com")
    assert len(bot.mailer.called("send")) == 5
    assert send(bot, "someone9@example.com")[0].startswith("I have already sent verification links recently")


def test_the_same_address_is_not_mailed_again_at_once(bot: FastStack) -> None:
    send(bot, "hello")
    send(bot, "jane@example.com")
    assert send(bot, "jane@example.com")[0].startswith("I have already sent verification links recently")
    assert len(bot.mailer.called("send")) == 1


@pytest.mark.parametrize(
    "patch",
    [
        {"id": "\u00b2"},
        {"id": "9" * 5000},
        {"id": 0},
        {"conversation": {"id": "\u00b9", "status": "pending"}},
        {"account": {"id": -1}},
    ],
)
def test_odd_ids_are_400_not_500(bot: FastStack, patch: dict[str, Any]) -> None:
    response = deliver({**event("hi"), **patch})
    assert response.status_code == 400 and bot.queue.tasks == []


def test_a_conversation_without_a_status_is_not_the_bots(bot: FastStack) -> None:
    body = event("hello")
    body["conversation"].pop("status")
    assert deliver(body).status_code == 200
    bot.run_tasks()
    assert said(bot) == []


def test_a_plan_lost_before_it_was_saved_does_not_ask_the_model_twice(make_stack: Any, monkeypatch: Any) -> None:
    stack = make_stack(llm=ScriptedLLM(), **BOT)
    stack.seed()
    verify(stack)
    real = stack.claims.save_result
    lost = iter([True])

    def fail_first_plan(tenant: str, key: str, result: dict[str, Any]) -> None:
        if key.startswith("cwbot:") and "done" not in result and next(lost, False):
            raise StoreError("save claim result: Firestore failed (ServiceUnavailable)")
        real(tenant, key, result)

    monkeypatch.setattr(stack.claims, "save_result", fail_first_plan)
    send(stack, "How long do card refunds take?")
    llm = stack.services.llm
    assert isinstance(llm, ScriptedLLM) and len(llm.called("answer")) == 1
    from tests.fast.helpers import roles_and_texts

    assert [role for role, _ in roles_and_texts(stack, "chatwoot:1:7")] == ["user", "assistant"]
    assert len(said(stack)) == 4  # asked, link sent, verified, and the answer once


def test_an_expired_token_for_another_audience_is_a_400_page_not_a_500(bot: FastStack) -> None:
    import jwt

    stale = {"aud": "someone-else", "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600, "jti": "x"}
    assert open_link(jwt.encode(stale, VERIFY_SECRET, algorithm="HS256")).status_code == 400
