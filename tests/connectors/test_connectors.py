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
