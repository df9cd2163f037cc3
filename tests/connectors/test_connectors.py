"""Connectors against loopback stand-ins: timeouts, retries, translated errors; SES with moto."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import httpx
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses import ses_backends

from switchboard.core.tickets import adaptive_card_message
from switchboard.devtools.emulator import free_port
from switchboard.devtools.standins import ChatwootStandIn, Fault, FreshdeskStandIn, SmtpSink, TeamsStandIn
from switchboard.errors import UpstreamError, UpstreamUnavailableError
from switchboard.helpdesk.base import ContactDraft, EmailDraft, TicketDraft
from switchboard.helpdesk.chatwoot import ChatwootConnector
from switchboard.helpdesk.chatwoot_platform import NONCE, ChatwootPlatform, EmailTakenError, UserNotFoundError
from switchboard.helpdesk.email import SesMailer, SmtpMailer
from switchboard.helpdesk.freshdesk import FreshdeskConnector, base_url_for
from switchboard.helpdesk.teams import TeamsConnector

DRAFT = TicketDraft("Subject", "<p>Body</p>", "jane@example.com", "Jane", ["a"])
MAIL = EmailDraft("jane@example.com", "Ticket #1", "Hello", "<p>Hello</p>", "Jane")


@pytest.fixture
def freshdesk() -> Iterator[FreshdeskStandIn]:
    stand_in = FreshdeskStandIn().start()
    yield stand_in
    stand_in.stop()


def test_freshdesk_base_url_rules() -> None:
    assert base_url_for("acme", None) == "https://acme.freshdesk.com"
    assert base_url_for("acme.freshdesk.com", None) == "https://acme.freshdesk.com"
    assert base_url_for("acme", "http://127.0.0.1:9/") == "http://127.0.0.1:9"


def test_freshdesk_errors_are_translated(freshdesk: FreshdeskStandIn) -> None:
    fast = httpx.Client(base_url=freshdesk.url, auth=(freshdesk.api_key, "X"), timeout=httpx.Timeout(0.5))
    connector = FreshdeskConnector(freshdesk.url, freshdesk.api_key, client=fast)
    freshdesk.fail_next(Fault(200, {}, delay=1.0))
    with pytest.raises(UpstreamUnavailableError, match="timed out"):
        connector.create_ticket(DRAFT)
    freshdesk.fail_next(Fault(503, {}))
    with pytest.raises(UpstreamUnavailableError, match="503"):
        connector.create_ticket(DRAFT)
    freshdesk.fail_next(Fault(429, {}, {"Retry-After": "7"}))
    with pytest.raises(UpstreamUnavailableError) as info:
        connector.create_ticket(DRAFT)
    assert info.value.retry_after == 7.0
    with pytest.raises(UpstreamError) as refused:
        FreshdeskConnector(freshdesk.url, "wrong-key").create_ticket(DRAFT)
    assert not isinstance(refused.value, UpstreamUnavailableError)
    ref = connector.create_ticket(DRAFT)
    assert ref.id == "9630" and ref.url == f"{freshdesk.url}/a/tickets/9630"
    assert connector.find_ticket("jane@example.com", "a", datetime.now(UTC)) == ref
    assert connector.find_ticket("jane@example.com", "zzz", datetime.now(UTC)) is None


def test_unreachable_peer_is_retried_then_unavailable() -> None:
    connector = FreshdeskConnector(f"http://127.0.0.1:{free_port()}", "k")
    with pytest.raises(UpstreamUnavailableError, match="cannot connect"):
        connector.create_ticket(DRAFT)


def test_teams_posts_an_adaptive_card_and_translates_429() -> None:
    teams = TeamsStandIn().start()
    try:
        connector = TeamsConnector(f"{teams.url}/invoke?sig=s")
        card = adaptive_card_message("Title", [("Customer", "Jane"), ("Empty", "")], actions=[("Open", "https://x")])
        connector.post(card)
        content = teams.cards[0]["attachments"][0]["content"]
        assert content["version"] == "1.4" and content["body"][-1]["facts"] == [{"title": "Customer", "value": "Jane"}]
        teams.fail_next(Fault(429, {}, {"Retry-After": "3"}))
        with pytest.raises(UpstreamUnavailableError) as info:
            connector.post(card)
        assert info.value.retry_after == 3.0
    finally:
        teams.stop()


def test_chatwoot_upsert_finds_existing_contacts_and_rejects_bad_tokens() -> None:
    desk = ChatwootStandIn().start()
    try:
        connector = ChatwootConnector(desk.url, desk.token, desk.account_id, desk.inbox_id)
        first = connector.upsert_contact(ContactDraft("u-1", "Jane", "jane@example.com"))
        again = connector.upsert_contact(ContactDraft("u-1", "Jane S.", "jane@example.com"))
        assert first == again and len(desk.contacts) == 1 and desk.contacts[0]["name"] == "Jane S."
        conversation = connector.open_conversation(first, "transcript", {"session_id": "s"})
        connector.add_private_note(conversation.id, "note")
        connector.set_status(conversation.id, "resolved")
        assert desk.conversations[0]["status"] == "resolved"
        with pytest.raises(UpstreamError):
            ChatwootConnector(desk.url, "bad", 1, 1).upsert_contact(ContactDraft("u-2", "X", "x@example.com"))
    finally:
        desk.stop()


def test_smtp_mailer_sends_multipart_and_translates_connection_errors() -> None:
    sink = SmtpSink(free_port()).start()
    try:
        SmtpMailer("127.0.0.1", sink.port, "support@example.com").send(MAIL)
        (message,) = sink.messages
        assert message["To"] == "Jane <jane@example.com>" and message["From"] == "support@example.com"
        assert message.get_body(("html",)).get_content().strip() == "<p>Hello</p>"
        # A login is never sent over a connection without TLS (the sink offers no STARTTLS).
        with pytest.raises(UpstreamError) as refused:
            SmtpMailer("127.0.0.1", sink.port, "support@example.com", "mailer", "secret").send(MAIL)
        assert not isinstance(refused.value, UpstreamUnavailableError) and "no TLS" in str(refused.value)
        assert len(sink.messages) == 1
    finally:
        sink.stop()
    with pytest.raises(UpstreamUnavailableError):
        SmtpMailer("127.0.0.1", free_port(), "support@example.com", timeout=2).send(MAIL)


@mock_aws
def test_ses_mailer_sends_and_refuses_unverified_senders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    ses = boto3.client("ses", region_name="us-east-1")
    ses.verify_email_identity(EmailAddress="support@example.com")
    SesMailer("support@example.com", "us-east-1").send(MAIL)
    (sent,) = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert sent.subject == "Ticket #1" and "jane@example.com" in str(sent.destinations)
    with pytest.raises(UpstreamError) as info:
        SesMailer("nobody@example.com", "us-east-1").send(MAIL)
    assert not isinstance(info.value, UpstreamUnavailableError)


# --- Chatwoot Platform API (single sign-on) ---------------------------------------------------


@pytest.fixture
def platform_desk() -> Iterator[ChatwootStandIn]:
    stand_in = ChatwootStandIn().start()
    yield stand_in
    stand_in.stop()


def test_chatwoot_platform_makes_a_user_adds_it_once_and_hands_out_one_time_links(
    platform_desk: ChatwootStandIn,
) -> None:
    platform = ChatwootPlatform(platform_desk.url, platform_desk.platform_token, platform_desk.account_id)
    user_id = platform.create_user("Jane", "jane@example.com")
    platform.add_agent(user_id)
    platform.add_agent(user_id)  # a member already: still fine, still one membership
    assert platform_desk.account_users == [{"account_id": 1, "user_id": user_id, "role": "agent"}]
    first, second = platform.login_url(user_id), platform.login_url(user_id)
    assert first != second and first.startswith(f"{platform_desk.url}/app/login?email=jane%40example.com&")
    (create,) = [r for r in platform_desk.requests if r.path == "/platform/api/v1/users"]
    assert create.headers["api_access_token"] == platform_desk.platform_token
    assert set(create.body) == {"name", "email", "password", "custom_attributes"}
    assert set(create.body["custom_attributes"]) == {NONCE} and len(create.body["custom_attributes"][NONCE]) >= 20


def test_chatwoot_platform_refusals_are_translated(platform_desk: ChatwootStandIn) -> None:
    platform = ChatwootPlatform(platform_desk.url, platform_desk.platform_token, platform_desk.account_id)
    user_id = platform.create_user("Jane", "jane@example.com")
    with pytest.raises(EmailTakenError) as taken:
        platform.create_user("Jane", "JANE@example.com")
    assert taken.value.status == 422
    with pytest.raises(UpstreamError, match="platform token") as bad:
        ChatwootPlatform(platform_desk.url, "wrong", 1).create_user("X", "x@example.com")
    assert bad.value.status == 401 and not isinstance(bad.value, UpstreamUnavailableError)
    with pytest.raises(UserNotFoundError):
        platform.login_url(user_id + 100)
    with pytest.raises(UserNotFoundError):
        platform.add_agent(user_id + 100)
    not_ours = platform_desk.add_user("Boss", "boss@example.com", role="administrator")
    with pytest.raises(UpstreamError, match="may not act on user") as foreign:
        platform.login_url(not_ours)
    assert not isinstance(foreign.value, (UserNotFoundError, EmailTakenError))
    platform_desk.platform_account_ids = set()
    with pytest.raises(UpstreamError, match="may not act on account 1"):
        platform.add_agent(user_id)
    with pytest.raises(UpstreamError, match="no account 5"):
        ChatwootPlatform(platform_desk.url, platform_desk.platform_token, 5).add_agent(user_id)
    # Some releases answer a second membership with 422 "has already been taken": a member is a member.
    platform_desk.platform_account_ids = {1}
    platform_desk.fail_next(Fault(422, {"message": "User has already been taken"}))
    platform.add_agent(user_id)


def test_chatwoot_platform_refuses_an_existing_member_that_newer_chatwoot_hands_back() -> None:
    desk = ChatwootStandIn(reuse_existing_users=True).start()
    try:
        platform = ChatwootPlatform(desk.url, desk.platform_token, desk.account_id)
        desk.add_user("Boss", "boss@example.com", role="administrator")
        with pytest.raises(EmailTakenError):
            platform.create_user("Me", "boss@example.com")
        desk.add_user("Loner", "loner@example.com", role=None)  # in no account (a super admin, say)
        with pytest.raises(EmailTakenError):  # still not ours: it does not carry this call's mark
            platform.create_user("Loner", "loner@example.com")
        mine = platform.create_user("Mine", "mine@example.com")  # made by this call: accepted
        with pytest.raises(EmailTakenError):  # made by another call (another tenant, say): refused
            platform.create_user("Mine", "mine@example.com")
        assert mine == next(u["id"] for u in desk.users if u["email"] == "mine@example.com")
    finally:
        desk.stop()


def test_chatwoot_platform_failures_worth_retrying_are_unavailable(platform_desk: ChatwootStandIn) -> None:
    fast = httpx.Client(
        base_url=platform_desk.url,
        headers={"api_access_token": platform_desk.platform_token},
        timeout=httpx.Timeout(0.5),
    )
    platform = ChatwootPlatform(platform_desk.url, platform_desk.platform_token, 1, client=fast)
    platform_desk.fail_next(Fault(200, {}, delay=1.0))
    with pytest.raises(UpstreamUnavailableError, match="timed out"):
        platform.create_user("Jane", "jane@example.com")
    platform_desk.fail_next(Fault(502, {}))
    with pytest.raises(UpstreamUnavailableError, match="502"):
        platform.login_url(1)
    platform_desk.fail_next(Fault(429, {}, {"Retry-After": "4"}))
    with pytest.raises(UpstreamUnavailableError) as limited:
        platform.add_agent(1)
    assert limited.value.retry_after == 4.0
    platform_desk.fail_next(Fault(200, {"url": "/app/login?email=x&sso_auth_token=y"}))
    with pytest.raises(UpstreamError, match="FRONTEND_URL"):
        platform.login_url(1)
    with pytest.raises(UpstreamUnavailableError, match="cannot connect"):
        ChatwootPlatform(f"http://127.0.0.1:{free_port()}", "t", 1).login_url(1)
