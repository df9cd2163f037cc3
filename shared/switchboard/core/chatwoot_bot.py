"""The Chatwoot agent bot: email verification first, then the same turn as every channel, and a
handoff to people (status ``open`` and one Teams card) when the customer asks or the AI fails.

One customer message is one task. The task claims ``cwbot:{account}:{message}``, works out a
*plan* once (what to say, whether to hand off, the email to send) and saves it on the claim, then
carries the plan out step by step, saving each finished step: a repeated delivery or a retry
after Chatwoot, SMTP or Teams failed sends nothing twice and never asks the model again.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from switchboard.core import bot_texts, phrases
from switchboard.core.escalation import try_later
from switchboard.core.language import detect_language
from switchboard.core.models import InboundMessage, Tenant, TurnResult, UserInfo
from switchboard.core.tickets import adaptive_card_message
from switchboard.core.turn import TurnDeps, conversation_doc_id, handle_turn
from switchboard.errors import (
    ConfigurationError,
    LLMError,
    LLMUnavailableError,
    RateLimitedError,
    StoreError,
    UpstreamError,
    UpstreamUnavailableError,
)
from switchboard.helpdesk.base import AlertSink, BotConversations, EmailDraft, Mailer
from switchboard.llm.base import AnswerDraft, AnswerRequest, LLMProvider
from switchboard.store.base import BotStates, Claims, EscalationStore
from switchboard.tasks.base import Task, TaskQueue

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=90)
LINK_LIFETIME = timedelta(hours=24)
#: Verification emails one contact may have sent per day, and how soon the same address may be
#: mailed again: the bot must not become a way to mail strangers.
LINKS_PER_DAY = 5
SAME_ADDRESS_AGAIN = timedelta(minutes=10)
#: Answers in a row that needed a retry or failed before the conversation goes to people.
FAILURES_IN_A_ROW = 3
MAX_TASK_ATTEMPTS = 10
#: Why the bot handed a conversation over, as the Teams card says it.
REASONS = {
    "user_request": "The customer asked for a person",
    "ai_error": "The AI failed (LLM error)",
    "timeout": "The AI timed out",
    "no_answer": "The AI found no answer",
    "repeated_failures": f"The AI failed {FAILURES_IN_A_ROW} times in a row",
    "time_exceeded": "The conversation ran past its time limit",
    "duplicate_problem": "The customer already has an open request about this",
    "outside_hours": "The customer wrote outside business hours",
    "people_answer": "People answer this conversation (the AI is off, or new conversations go to people)",
}
_EMAIL_TOKEN = re.compile(r"\S*@\S*")
_DOMAIN = re.compile(
    r"^(?=.{4,253}$)([A-Za-z0-9\u00a1-\uffff]([A-Za-z0-9\u00a1-\uffff-]*[A-Za-z0-9\u00a1-\uffff])?\.)+[A-Za-z\u00a1-\uffff]{2,}$"
)
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\u00a1-\uffff-]{1,64}$")


@dataclass(frozen=True)
class BotMessage:
    """One incoming customer message, as the webhook parsed it (the task's body)."""

    tenant: str
    account: int
    inbox: int
    conversation: int
    contact: int
    message_id: int
    content: str
    status: str
    contact_name: str = ""
    attempt: int = 0
    created_at: float = 0.0


@dataclass
class ChatwootBotDeps:
    """What the bot's tasks need; built by the composition root."""

    turn: TurnDeps
    claims: Claims
    states: BotStates
    owners: EscalationStore
    bot: BotConversations | None
    mailer: Mailer | None
    alerts: AlertSink | None
    queue: TaskQueue | None
    sign_link: Callable[[dict[str, Any], timedelta], str] | None
    public_base_url: str = ""
    max_ai_retries: int = 2
    default_language: str = "en"
    retry_base_seconds: float = 15.0
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def contact_key(account: int, inbox: int, contact: int) -> str:
    return f"contact:{account}:{inbox}:{contact}"


def conversation_state_key(account: int, conversation: int) -> str:
    return f"conversation:{account}:{conversation}"


def check_email(message: str) -> tuple[str | None, str | None]:
    """The email address in a message and, when the message tries one but it is wrong, why."""
    text = message.strip()
    if "@" not in text:
        return None, "no_at"
    if re.search(r"\s@|@\s", text):
        return None, "spaces"
    tokens = [t.strip(".,;:!?()<>[]\"'«»") for t in _EMAIL_TOKEN.findall(text)]
    candidate = tokens[0] if len(tokens) == 1 else ""
    if not candidate or len(candidate) > 254:
        return None, "too_long" if len(candidate) > 254 else "spaces"
    local, _, domain = candidate.rpartition("@")
    if not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return None, "local"
    if not _DOMAIN.match(domain):
        return None, "domain"
    return candidate, None


class _CountingLLM:
    """At most ``attempts`` tries of each answer; counts the tries that failed."""

    def __init__(self, inner: LLMProvider, attempts: int) -> None:
        self.inner, self.attempts = inner, attempts
        self.name = inner.name
        self.failed = 0
        self.timed_out = False

    def answer(self, request: AnswerRequest) -> AnswerDraft:
        for attempt in range(1, self.attempts + 1):
            try:
                return self.inner.answer(request)
            except LLMError as exc:
                self.failed += 1
                self.timed_out = isinstance(exc, LLMUnavailableError) and "timed out" in str(exc).lower()
                if attempt == self.attempts:
                    raise
        raise AssertionError("unreachable")


class _Planner:
    """Works out what one message gets (runs once per message)."""

    def __init__(self, deps: ChatwootBotDeps, message: BotMessage) -> None:
        self.deps, self.m = deps, message
        self.tenant = deps.turn.tenants.tenant(message.tenant) or Tenant(id=message.tenant)
        self.overrides = self.tenant.settings.bot.get("texts") or {}
        default = str(self.tenant.settings.bot.get("language") or deps.default_language)
        self.contact = deps.states.get(message.tenant, contact_key(message.account, message.inbox, message.contact))
        known = bot_texts.language_of(str(self.contact.get("language") or default), "en")
        self.language = bot_texts.choose_language(message.content, known, lambda t, d: detect_language(t, default=d))

    def say(self, key: str, **values: str) -> str:
        return bot_texts.text(key, self.language, self.overrides, **values)

    def plan(self) -> dict[str, Any]:
        m = self.m
        doc_id = conversation_doc_id("chatwoot", f"{m.account}:{m.conversation}")
        if m.status != "pending":  # people own the conversation (open), or it is closed
            self.deps.owners.set_conversation_owner(m.tenant, doc_id, "human")
            return {"messages": [], "note": "human owns the conversation"}
        if self.deps.turn.store.conversation_owner(m.tenant, doc_id) == "human":
            if not self._given_back():
                return {"messages": [], "note": "handed over; the handoff is still taking effect"}
            # An agent set the conversation back to pending: the bot resumes with a fresh context.
            self.deps.owners.set_conversation_owner(m.tenant, doc_id, "ai", reset_context=True)
            self._handed_back()
        if not self.contact.get("verified"):
            return self._verification()
        return self._answer()

    def _given_back(self) -> bool:
        """Whether a ``pending`` message in a conversation we handed over means an agent gave it
        back: only when our status change to ``open`` is done and the message was written after
        it (a message sent during the handoff still says ``pending``)."""
        state = self.deps.states.get(self.m.tenant, conversation_state_key(self.m.account, self.m.conversation))
        opened_at = state.get("opened_at")
        if not isinstance(opened_at, int | float):
            return False
        return bool(self.m.created_at) and self.m.created_at > opened_at

    def _handed_back(self) -> None:
        """Forget when the last handoff took effect: the next handoff sets its own time, and until
        then no ``pending`` message can pass for a give-back."""
        state = conversation_state_key(self.m.account, self.m.conversation)
        self.deps.states.merge(self.m.tenant, state, {"opened_at": None})

    def _remember(self, **fields: Any) -> None:
        key = contact_key(self.m.account, self.m.inbox, self.m.contact)
        self.deps.states.merge(self.m.tenant, key, {"language": self.language, **fields})

    def _verification(self) -> dict[str, Any]:
        state = self.contact.get("state", "new")
        email, problem = check_email(self.m.content)
        if email:
            return self._send_link(email)
        if state == "new":
            self._remember(state="asked")
            return {"messages": [self.say("ask_email")]}
        if problem != "no_at":  # an address was tried and is wrong
            return {"messages": [self.say("invalid_email", reason=bot_texts.reason(problem or "local", self.language))]}
        if state == "sent":
            return {"messages": [self.say("reminder", email=str(self.contact.get("email", "")))]}
        return {"messages": [self.say("ask_email")]}

    def _send_link(self, email: str) -> dict[str, Any]:
        deps, m = self.deps, self.m
        if deps.sign_link is None or deps.mailer is None or not deps.public_base_url:
            raise ConfigurationError("email verification needs VERIFY_JWT_SECRET, PUBLIC_BASE_URL and EMAIL_TRANSPORT")
        now = deps.clock()
        day = now.date().isoformat()
        sent_today = int(self.contact.get("links_sent", 0)) if self.contact.get("links_day") == day else 0
        last = self.contact.get("link_at")
        recent = isinstance(last, datetime) and now - last < SAME_ADDRESS_AGAIN
        if sent_today >= LINKS_PER_DAY or (recent and self.contact.get("email") == email):
            return {"messages": [self.say("too_many_links", email=str(self.contact.get("email") or email))]}
        link_id = secrets.token_urlsafe(16)
        claims = {
            "tenant": m.tenant,
            "account": m.account,
            "inbox": m.inbox,
            "contact": m.contact,
            "conversation": m.conversation,
            "email": email,
            "lang": self.language,
            "jti": link_id,
        }
        link = f"{deps.public_base_url.rstrip('/')}/api/chatwoot/verify?token={deps.sign_link(claims, LINK_LIFETIME)}"
        # Counted now (a refused or failing email still counts); the address and the link become
        # the contact's current ones only once the email has gone (the plan's "remember" step).
        self._remember(links_day=day, links_sent=sent_today + 1, link_at=now)
        mail = {
            "to": email,
            "subject": bot_texts.EMAIL["subject"][self.language],
            "text": bot_texts.EMAIL["body"][self.language].format(link=link),
            "link": link,
            "button": bot_texts.EMAIL["button"][self.language],
        }
        remember = {"state": "sent", "email": email, "link_id": link_id, "language": self.language}
        refused = self.say("email_refused", email=email)
        return {
            "email": mail,
            "remember": remember,
            "refused_message": refused,
            "messages": [self.say("link_sent", email=email)],
        }

    def _answer(self) -> dict[str, Any]:
        deps, m = self.deps, self.m
        llm = _CountingLLM(deps.turn.llm, deps.max_ai_retries)
        user = UserInfo(f"chatwoot:{m.contact}", str(self.contact.get("verified_email", "")), m.contact_name)
        key = f"{m.account}:{m.conversation}"
        # Named after the message: a plan lost before it was saved replays the stored turn on retry.
        inbound = InboundMessage(
            m.tenant,
            "chatwoot",
            key,
            user,
            m.content,
            "customer",
            human_takes_over=True,
            idempotency_key=f"cwbot:{m.account}:{m.message_id}",
        )
        try:
            result = handle_turn(inbound, replace(deps.turn, llm=llm))
        except RateLimitedError as exc:  # the contact used up its answers for now: say when to come back
            return {"messages": [phrases.rate_limited_notice(self.language, exc.reset_in_seconds)]}
        if result.silent:
            # The AI may not answer (outside business hours with "silent", auto-response off, or
            # new conversations going to people): hand it to the agents without a word, or it would
            # wait in the bot's pending queue where they do not look.
            why = result.escalation_reason or "people_answer"
            deps.owners.set_conversation_owner(m.tenant, conversation_doc_id("chatwoot", key), "human")
            return {"messages": [], "handoff": why, "card": self._card(why)}
        state_key = conversation_state_key(m.account, m.conversation)
        failures = int(deps.states.get(m.tenant, state_key).get("failures_in_a_row", 0))
        failures = failures + 1 if llm.failed else 0
        reason = _handoff_reason(result, llm, failures)
        deps.states.merge(m.tenant, state_key, {"failures_in_a_row": 0 if reason else failures})
        if not reason:
            return {"messages": [result.reply] if result.reply else []}
        # From now on people own it (the turn already said so when it escalated by itself).
        deps.owners.set_conversation_owner(m.tenant, conversation_doc_id("chatwoot", key), "human")
        messages = [] if reason in ("user_request", "ai_error", "timeout") or not result.reply else [result.reply]
        if result.escalation_reason != "no_results":  # that reply already says a person will help
            messages.append(self.say("handoff"))
        return {"messages": messages, "handoff": reason, "card": self._card(reason)}

    def _card(self, reason: str) -> dict[str, Any] | None:
        if self.deps.alerts is None:
            return None
        url = self.deps.bot.conversation_url(self.m.conversation) if self.deps.bot else ""
        facts = [
            ("Reason", REASONS.get(reason, reason)),
            ("Contact", str(self.contact.get("verified_email") or self.m.contact_name or self.m.contact)),
            ("Message", self.m.content[:500]),
            ("Time", self.deps.clock().strftime("%Y-%m-%d %H:%M:%S UTC")),
            ("Conversation", f"#{self.m.conversation}"),
        ]
        return adaptive_card_message("🚨 A customer needs a person", facts, actions=[("Open in Chatwoot", url)])


def _handoff_reason(result: TurnResult, llm: _CountingLLM, failures: int) -> str | None:
    if result.escalation_reason == "user_request":
        return "user_request"
    if result.escalation_reason == "ai_error":
        return "timeout" if llm.timed_out else "ai_error"
    if failures >= FAILURES_IN_A_ROW:
        return "repeated_failures"
    if result.escalation_reason in ("no_results", "low_confidence"):
        return "no_answer"
    if result.requires_escalation:
        return result.escalation_reason or "no_answer"
    return None


def _do_steps(
    deps: ChatwootBotDeps, tenant: str, key: str, plan: dict[str, Any], steps: list[tuple[str, Callable[[], Any]]]
) -> None:
    """Run the steps not done yet, in order, saving each one done on the claim's result, so a
    retry goes on where this delivery stopped."""
    done: list[str] = list(plan.get("done", []))
    for name, action in steps:
        if name in done:
            continue
        action()
        done.append(name)
        deps.claims.save_result(tenant, key, {**plan, "done": done})


def _carry_out(deps: ChatwootBotDeps, message: BotMessage, key: str, plan: dict[str, Any]) -> None:
    """The plan's side effects: the email (then the contact's new address and link), the
    messages, then the handoff (status, then the Teams card)."""
    mail = plan.get("email")
    if mail and "email" not in plan.get("done", []):
        if deps.mailer is None:
            raise ConfigurationError("No email transport is configured (EMAIL_TRANSPORT)")
        try:
            deps.mailer.send(EmailDraft(mail["to"], mail["subject"], mail["text"], _email_html(mail)))
        except UpstreamUnavailableError:
            raise
        except UpstreamError as exc:  # the address was refused for good: say so, keep asking
            log.warning("verification email refused", extra={"error": str(exc)})
            plan = {k: v for k, v in plan.items() if k not in ("email", "remember")}
            plan["messages"] = [plan.pop("refused_message")]
            deps.claims.save_result(message.tenant, key, plan)
        else:
            plan = {**plan, "done": [*plan.get("done", []), "email"]}
            deps.claims.save_result(message.tenant, key, plan)
    steps: list[tuple[str, Callable[[], Any]]] = []
    if plan.get("remember"):
        contact = contact_key(message.account, message.inbox, message.contact)
        steps.append(("remember", partial(deps.states.merge, message.tenant, contact, plan["remember"])))
    if plan.get("messages") or plan.get("handoff"):
        if deps.bot is None:
            raise ConfigurationError("CHATWOOT_BOT_TOKEN is not set")
        for i, text in enumerate(plan.get("messages", [])):
            steps.append((f"message-{i}", partial(deps.bot.post_message, message.conversation, text)))
        if plan.get("handoff"):
            steps.append(("status", partial(_open, deps, message)))
    if plan.get("handoff") and plan.get("card") and deps.alerts is not None:
        steps.append(("teams", partial(deps.alerts.post, plan["card"])))
    _do_steps(deps, message.tenant, key, plan, steps)


def _open(deps: ChatwootBotDeps, message: BotMessage) -> None:
    """Hand the conversation to people, and note when that took effect (see ``_given_back``)."""
    assert deps.bot is not None
    deps.bot.set_status(message.conversation, "open")
    state = conversation_state_key(message.account, message.conversation)
    deps.states.merge(message.tenant, state, {"opened_at": deps.clock().timestamp()})


def _email_html(mail: dict[str, str]) -> str:
    import html

    link = html.escape(mail["link"], quote=True)
    body = "<br>".join(html.escape(line) for line in mail["text"].split("\n") if mail["link"] not in line)
    return f'<p>{body}</p><p><a href="{link}">{html.escape(mail["button"])}</a></p>'


def run_bot_message(deps: ChatwootBotDeps, message: BotMessage) -> str:
    """Handle one delivery of a customer message: ``sent``, ``done`` (already handled) or
    ``rescheduled`` (Chatwoot, email, Teams or Firestore failed in a way waiting can fix)."""
    try:
        return _handle(deps, message)
    except (UpstreamUnavailableError, StoreError) as exc:
        later = lambda attempt, delay: bot_task(replace(message, attempt=attempt), delay)  # noqa: E731
        if not try_later(deps.queue, later, message.attempt, exc, deps.retry_base_seconds, MAX_TASK_ATTEMPTS):
            raise
        return "rescheduled"


def _handle(deps: ChatwootBotDeps, message: BotMessage) -> str:
    key = f"cwbot:{message.account}:{message.message_id}"
    claim = deps.claims.claim(message.tenant, key, LEASE)
    if claim.state == "done":
        return "done"
    if claim.state == "busy":
        raise UpstreamUnavailableError("another delivery is handling this message", retry_after=30)
    try:
        plan = claim.result
        if plan is None:
            plan = _Planner(deps, message).plan()
            deps.claims.save_result(message.tenant, key, plan)
        _carry_out(deps, message, key, plan)
    except Exception:
        deps.claims.release(message.tenant, key)
        raise
    deps.claims.finish(message.tenant, key, "handed_off" if plan.get("handoff") else "sent")
    if plan.get("handoff"):
        log.info("chatwoot conversation handed to people", extra={"reason": plan["handoff"]})
    return "sent"


def bot_task(message: BotMessage, delay: float = 0) -> Task:
    """The task that handles one customer message (named by the message, so a repeated
    delivery schedules the same task)."""
    body = dict(message.__dict__)
    return Task(
        "chatwoot-bot", f"{message.tenant}/{message.account}/{message.message_id}", body, message.attempt, delay
    )


@dataclass(frozen=True)
class Verified:
    """A contact who followed a verification link (the verify page's task body)."""

    tenant: str
    account: int
    conversation: int
    email: str
    language: str
    link_id: str
    attempt: int = 0


def verify_contact(deps: ChatwootBotDeps, claims: dict[str, Any]) -> str:
    """Use a verification link whose token checked out: ``verified``, ``used`` (it worked once
    already) or ``replaced`` (the contact asked for a newer link since). The contact is stored
    as verified before anything is said in the chat, which a task does next (:func:`run_verified`)."""
    tenant, link_id = str(claims["tenant"]), str(claims["jti"])
    contact = contact_key(int(claims["account"]), int(claims["inbox"]), int(claims["contact"]))
    current = deps.states.get(tenant, contact)
    if current.get("state") != "sent" or current.get("link_id") != link_id:
        # Verified already, or the contact asked for another link (a typo corrected): this one is void.
        return "used" if current.get("verified") else "replaced"
    key = f"verify:{link_id}"
    claim = deps.claims.claim(tenant, key, LEASE)
    if claim.state != "acquired":
        return "used"
    try:
        now = deps.clock()
        fields = {"verified": True, "verified_email": claims["email"], "verified_at": now, "state": "verified"}
        deps.states.merge(tenant, contact, fields)
        if deps.queue is None:
            raise ConfigurationError("No task queue is configured (TASKS_TARGET_URL)")
        verified = Verified(
            tenant,
            int(claims["account"]),
            int(claims["conversation"]),
            str(claims["email"]),
            str(claims["lang"]),
            link_id,
        )
        deps.queue.enqueue(verified_task(verified))
    except Exception:
        deps.claims.release(tenant, key)
        raise
    deps.claims.finish(tenant, key, "verified")
    return "verified"


def verified_task(verified: Verified, delay: float = 0) -> Task:
    body = dict(verified.__dict__)
    return Task("chatwoot-verified", f"{verified.tenant}/{verified.link_id}", body, verified.attempt, delay)


def run_verified(deps: ChatwootBotDeps, verified: Verified) -> str:
    """Tell the conversation the email is verified and mark it with custom attributes, once."""
    try:
        key = f"cwbot-verified:{verified.link_id}"
        claim = deps.claims.claim(verified.tenant, key, LEASE)
        if claim.state == "done":
            return "done"
        if claim.state == "busy":
            raise UpstreamUnavailableError("another delivery is handling this verification", retry_after=30)
        tenant = deps.turn.tenants.tenant(verified.tenant) or Tenant(id=verified.tenant)
        language = bot_texts.language_of(verified.language, deps.default_language)
        text = bot_texts.text("verified", language, tenant.settings.bot.get("texts") or {})
        attributes = {"email_verified": True, "verified_email": verified.email}
        plan = claim.result or {"attributes": attributes, "messages": [text]}
        try:
            if deps.bot is None:
                raise ConfigurationError("CHATWOOT_BOT_TOKEN is not set")
            steps: list[tuple[str, Callable[[], Any]]] = [
                ("attributes", partial(deps.bot.set_attributes, verified.conversation, plan["attributes"])),
                ("message-0", partial(deps.bot.post_message, verified.conversation, plan["messages"][0])),
            ]
            _do_steps(deps, verified.tenant, key, plan, steps)
        except Exception:
            deps.claims.release(verified.tenant, key)
            raise
        deps.claims.finish(verified.tenant, key, "sent")
        return "sent"
    except (UpstreamUnavailableError, StoreError) as exc:
        later = lambda attempt, delay: verified_task(replace(verified, attempt=attempt), delay)  # noqa: E731
        if not try_later(deps.queue, later, verified.attempt, exc, deps.retry_base_seconds, MAX_TASK_ATTEMPTS):
            raise
        return "rescheduled"


def status_task(tenant: str, conversation_doc: str, attempt: int = 0, delay: float = 0, change: str = "") -> Task:
    """Bring a bot conversation's Chatwoot status in line with who owns it here. ``change`` names
    the ownership change (each change is its own task, so a later one is never deduplicated away)."""
    body = {"tenant": tenant, "conversation": conversation_doc, "attempt": attempt, "change": change}
    return Task("chatwoot-status", f"{tenant}/{conversation_doc}/{change}", body, attempt, delay)


def run_status(deps: ChatwootBotDeps, tenant: str, conversation_doc: str, attempt: int = 0, change: str = "") -> str:
    """Set the Chatwoot status the owner calls for: ``open`` while people own the conversation
    (agents see it, the bot stays out), ``pending`` while the AI does (the bot answers). The owner
    is read now, so deliveries in any order leave Chatwoot as the latest change says."""
    parts = conversation_doc.split(":")
    if len(parts) != 3 or parts[0] != "chatwoot" or not (parts[1].isdigit() and parts[2].isdigit()):
        return "not a chatwoot conversation"
    account, conversation = int(parts[1]), int(parts[2])
    try:
        if deps.bot is None:
            raise ConfigurationError("CHATWOOT_BOT_TOKEN is not set")
        owner = deps.turn.store.conversation_owner(tenant, conversation_doc)
        status = "open" if owner == "human" else "pending"
        deps.bot.set_status(conversation, status)
        # A handoff takes effect now (see _given_back); a give-back forgets the last one, so a
        # later handoff is not mistaken for given back before its own status change lands.
        opened_at = deps.clock().timestamp() if status == "open" else None
        deps.states.merge(tenant, conversation_state_key(account, conversation), {"opened_at": opened_at})
        return status
    except (UpstreamUnavailableError, StoreError) as exc:
        later = lambda n, delay: status_task(tenant, conversation_doc, n, delay, change)  # noqa: E731
        if not try_later(deps.queue, later, attempt, exc, deps.retry_base_seconds, MAX_TASK_ATTEMPTS):
            raise
        return "rescheduled"
