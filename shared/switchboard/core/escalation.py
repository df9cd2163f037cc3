"""Escalation use cases: record a failure, create its ticket (once), decline it.

Freshdesk has no idempotency key, so "exactly one ticket per failure" rests on three things:
the escalation's ``ticket_id`` (checked first), a Firestore claim that lets one worker at a time
try, and — when an earlier attempt may have reached Freshdesk without us hearing back — a look
for a ticket carrying the escalation's own tag before posting again.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from switchboard.core import tickets
from switchboard.core.models import Escalation
from switchboard.core.problems import first_similar, problem_terms
from switchboard.errors import ConfigurationError, ConflictError, NotFoundError, UpstreamError, UpstreamUnavailableError
from switchboard.helpdesk.base import AlertSink, ChatDesk, Mailer, TicketDesk, TicketRef
from switchboard.store.base import Claims, EscalationStore
from switchboard.tasks.base import Task, TaskQueue

log = logging.getLogger(__name__)

TICKET_LEASE = timedelta(seconds=120)
WORK_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 10
#: Loads of an escalation that keeps changing under a create-ticket before it answers 409.
ACCEPT_ATTEMPTS = 3


@dataclass
class EscalationDeps:
    """What the escalation use cases need; absent connectors mean "not configured"."""

    store: EscalationStore
    claims: Claims
    queue: TaskQueue | None = None
    tickets: TicketDesk | None = None
    mailer: Mailer | None = None
    alerts: AlertSink | None = None
    desk: ChatDesk | None = None
    desk_account: int = 0
    retry_base_seconds: float = 15.0
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class FailureReport:
    """A failure as the CRM reports it (the CRM contract), already validated."""

    session_id: str
    agent_id: str
    query: str
    agent_response: str
    confidence: float
    reason: str
    user: dict[str, str]
    agent_type: str


@dataclass(frozen=True)
class TicketOutcome:
    """What create-ticket answers: a ticket (new or existing), "queued", or "failed" (given up)."""

    status: Literal["created", "existing", "duplicate", "queued", "failed"]
    escalation: Escalation
    ticket_id: str | None
    message: str


def backoff(attempt: int, retry_after: float | None, base: float = 15.0) -> float:
    """Seconds before the next attempt: the server's Retry-After, else ``base`` doubling up to 1 h."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), 3600.0)
    return float(min(base * 2 ** max(attempt - 1, 0), 3600))


def _enqueue(
    deps: EscalationDeps, kind: str, escalation: Escalation, attempt: int = 0, delay: float = 0, strict: bool = False
) -> bool:
    """Schedule work; False (logged) when the queue is down and not ``strict``: the sweep retries it.

    Raises:
        UpstreamUnavailableError: The queue is down and ``strict`` (a task handler answers 503).
    """
    if deps.queue is None:
        raise ConfigurationError("No task queue is configured (TASKS_TARGET_URL)")
    task = Task(
        kind,
        f"{escalation.tenant_id}/{escalation.id}",
        {"tenant": escalation.tenant_id, "failure_id": escalation.id, "attempt": attempt},
        attempt,
        delay,
    )
    try:
        deps.queue.enqueue(task)
    except UpstreamUnavailableError as exc:
        if strict:
            raise
        log.warning("could not enqueue; the sweep will retry", extra={"kind": kind, "error": str(exc)})
        return False
    return True


def try_later(
    queue: TaskQueue | None,
    next_task: Callable[[int, float], Task],
    attempt: int,
    error: Exception,
    base_seconds: float,
    max_attempts: int,
) -> bool:
    """Schedule the next attempt of work that failed in a way waiting can fix: ``next_task(attempt
    + 1, delay)`` with backoff that honours the vendor's Retry-After. False (nothing scheduled)
    without a queue or once ``max_attempts`` are used up: the caller lets the queue retry."""
    following = attempt + 1
    if queue is None or following > max_attempts:
        return False
    hint = error.retry_after if isinstance(error, UpstreamUnavailableError) else None
    delay = backoff(following, hint, base_seconds)
    queue.enqueue(next_task(following, delay))
    log.warning("rescheduled", extra={"attempt": following, "delay_s": delay, "error": str(error)})
    return True


def failure_id_for(tenant_id: str, agent_id: str, idempotency_key: str) -> str:
    """The failure id a user's idempotency key stands for (UUID-shaped, like the random ones).
    The key is the user's own: the same key from another user is another failure."""
    seed = f"{tenant_id}\x00{agent_id}\x00{idempotency_key}"
    return str(uuid.UUID(hashlib.sha256(seed.encode()).hexdigest()[:32]))


def _same_report(stored: Escalation, report: FailureReport) -> Escalation:
    """The stored failure, when it is the one this request reports again.

    Raises:
        ConflictError: The key was used before for another failure.
    """
    if (stored.session_id, stored.query) != (report.session_id, report.query):
        raise ConflictError("This Idempotency-Key was already used for another failure")
    return stored


def record_failure(
    deps: EscalationDeps, tenant_id: str, report: FailureReport, idempotency_key: str = ""
) -> Escalation:
    """Store a failure (the CRM contract) and, with a chat desk configured, schedule its sync.

    With ``idempotency_key`` the failure's id comes from the user and the key: the same request
    again (a retry after a 503 or a lost answer) returns the failure already stored instead of a
    second one; the same key with another report is a conflict.
    """
    failure_id = failure_id_for(tenant_id, report.agent_id, idempotency_key) if idempotency_key else str(uuid.uuid4())
    if idempotency_key:
        stored = deps.store.get(tenant_id, failure_id)
        if stored is not None:
            return _same_report(stored, report)
    escalation = Escalation(
        id=failure_id,
        tenant_id=tenant_id,
        status="open",
        reason=report.reason,
        session_id=report.session_id,
        query=report.query,
        agent_response=report.agent_response,
        confidence=report.confidence,
        agent_type=report.agent_type,
        user=report.user,
        created_at=deps.clock(),
        problem_terms=problem_terms(report.query),
        pending=["chatwoot"] if deps.desk else [],
    )
    try:
        deps.store.create(escalation)
    except ConflictError:
        stored = deps.store.get(tenant_id, failure_id) if idempotency_key else None
        if stored is None:
            raise
        return _same_report(stored, report)  # the same key at the same moment, or our own create
    if deps.desk:
        _enqueue(deps, "chatwoot-sync", escalation)
    log.info("failure recorded", extra={"failure_id": escalation.id, "reason": escalation.reason})
    return escalation


def _load(deps: EscalationDeps, tenant_id: str, failure_id: str) -> Escalation:
    escalation = deps.store.get(tenant_id, failure_id)
    if escalation is None:
        raise NotFoundError(f"No failure {failure_id}")
    return escalation


def _duplicate_of(deps: EscalationDeps, escalation: Escalation) -> Escalation | None:
    others = deps.store.ticketed_for_user(escalation.tenant_id, escalation.agent_id, exclude=escalation.id)
    match = first_similar(escalation.problem_terms, [(e.id, e.problem_terms) for e in others])
    return next((e for e in others if e.id == match), None)


def _after_ticket(deps: EscalationDeps, escalation: Escalation, ticket: TicketRef, duplicate_of: str | None) -> None:
    """Record the ticket, then schedule the confirmation email and the Teams card."""
    work = [kind for kind, on in (("email", deps.mailer), ("teams", deps.alerts)) if on and not duplicate_of]
    pending = [k for k in escalation.pending if k != "ticket"] + work
    fields: dict[str, Any] = {
        "status": "ticketed",
        "ticket_id": ticket.id,
        "ticket_url": ticket.url,
        "duplicate_of": duplicate_of,
    }
    if not duplicate_of:  # a ticket made now (a duplicate points at an older one)
        fields["ticketed_at"] = datetime.now(UTC)
    problem = {"ticket_id": ticket.id, "terms": escalation.problem_terms, "at": escalation.created_at}
    deps.store.update(escalation, fields, open_problem=problem, pending_remove=["ticket"], pending_add=work)
    escalation.status, escalation.ticket_id, escalation.ticket_url = "ticketed", ticket.id, ticket.url
    escalation.duplicate_of = duplicate_of
    escalation.pending = pending
    for kind in work:
        _enqueue(deps, "send-email" if kind == "email" else "teams-alert", escalation)


def _open_ticket(deps: EscalationDeps, escalation: Escalation, attempts: int) -> TicketRef:
    assert deps.tickets is not None
    if attempts > 1:  # an earlier attempt may have reached Freshdesk without us hearing back
        found = deps.tickets.find_ticket(
            escalation.user.get("email", ""), tickets.tag_for(escalation), escalation.created_at - timedelta(minutes=5)
        )
        if found:
            log.info("adopted a ticket from an earlier attempt", extra={"failure_id": escalation.id})
            return found
    return deps.tickets.create_ticket(tickets.ticket_draft(escalation))


def ticket_claim(failure_id: str) -> str:
    """The claim key that serialises making a failure's ticket and declining it."""
    return f"ticket:{failure_id}"


def attempt_ticket(deps: EscalationDeps, escalation: Escalation) -> TicketOutcome:
    """Try once to give the escalation its ticket; on a slow or failing desk, schedule a retry.

    Raises:
        UpstreamError: Freshdesk refused the ticket (4xx): retrying will not help.
    """
    if deps.tickets is None:
        raise ConfigurationError("No ticket desk is configured (FRESHDESK_DOMAIN, FRESHDESK_API_KEY)")
    key = ticket_claim(escalation.id)
    claim = deps.claims.claim(escalation.tenant_id, key, TICKET_LEASE)
    current = deps.store.get(escalation.tenant_id, escalation.id) or escalation
    if current.status == "declined":
        if claim.state == "acquired":
            deps.claims.release(escalation.tenant_id, key)
        raise ConflictError(f"Failure {current.id} was declined")
    if claim.state == "done" or current.ticket_id:
        return _finished(deps, current)
    will_email = deps.mailer is not None
    if claim.state == "busy":
        return TicketOutcome("queued", current, None, tickets.queued_message(current, will_email))
    try:
        duplicate = _duplicate_of(deps, current)
        ticket = TicketRef(duplicate.ticket_id or "", duplicate.ticket_url) if duplicate else None
        if ticket is None:
            ticket = _open_ticket(deps, current, claim.attempts)
    except UpstreamUnavailableError as exc:
        deps.claims.release(escalation.tenant_id, key)
        if "ticket" not in current.pending:
            deps.store.update(current, {"status": "ticket_queued"}, pending_add=["ticket"])
            current.pending.append("ticket")
        if claim.attempts >= MAX_ATTEMPTS:
            deps.store.update(current, {"status": "ticket_failed"}, pending_remove=["ticket"])
            log.error("giving up on the ticket", extra={"failure_id": current.id, "attempts": claim.attempts})
            return TicketOutcome("failed", current, None, tickets.failed_message(current))
        _enqueue(
            deps,
            "create-ticket",
            current,
            claim.attempts,
            backoff(claim.attempts, exc.retry_after, deps.retry_base_seconds),
        )
        log.warning("ticket deferred", extra={"failure_id": current.id, "error": str(exc)})
        return TicketOutcome("queued", current, None, tickets.queued_message(current, will_email))
    except Exception:
        deps.claims.release(escalation.tenant_id, key)
        raise
    _after_ticket(deps, current, ticket, duplicate.id if duplicate else None)
    deps.claims.finish(escalation.tenant_id, key)
    log.info("ticket created", extra={"failure_id": current.id, "ticket_id": ticket.id})
    return _finished(deps, current, fresh=True)


def _finished(deps: EscalationDeps, escalation: Escalation, fresh: bool = False) -> TicketOutcome:
    ticket_id = escalation.ticket_id or ""
    if escalation.duplicate_of:
        return TicketOutcome("duplicate", escalation, ticket_id, tickets.duplicate_message(escalation, ticket_id))
    message = tickets.confirmation_message(escalation, ticket_id, emailed=deps.mailer is not None)
    return TicketOutcome("created" if fresh else "existing", escalation, ticket_id, message)


def create_ticket(
    deps: EscalationDeps, tenant_id: str, failure_id: str, history: list[dict[str, str]]
) -> TicketOutcome:
    """The user accepted a ticket (the CRM contract): one ticket per failure, however often called.

    Raises:
        NotFoundError: Unknown failure id.
        ConflictError: The failure was declined.
    """
    if deps.tickets is None:
        raise ConfigurationError("No ticket desk is configured (FRESHDESK_DOMAIN, FRESHDESK_API_KEY)")
    escalation = _load(deps, tenant_id, failure_id)
    before = escalation.status
    for _ in range(ACCEPT_ATTEMPTS):
        if escalation.status == "declined":
            raise ConflictError(f"Failure {failure_id} was declined; record a new failure to open a ticket")
        if escalation.ticket_id:
            return _finished(deps, escalation)
        try:
            _accept(deps, escalation, history)
            break
        except ConflictError:  # declined or accepted meanwhile (or our own write landed unheard)
            escalation = _load(deps, tenant_id, failure_id)
    else:
        raise ConflictError(f"Failure {failure_id} kept changing; try again")
    if before == "ticket_queued" and deps.queue is not None:
        # Asked again while the ticket is queued (a client polling): its retry is scheduled with
        # the desk's own backoff. Answer with where it stands; another attempt now would only
        # spend the retry budget and call a desk that asked us to wait.
        current = deps.store.get(tenant_id, failure_id) or escalation
        if current.ticket_id:
            return _finished(deps, current)
        return TicketOutcome("queued", current, None, tickets.queued_message(current, deps.mailer is not None))
    try:
        return attempt_ticket(deps, escalation)
    except UpstreamUnavailableError:
        raise
    except UpstreamError:
        # Freshdesk refused this ticket (4xx): nothing is left queued, and the user may decline.
        deps.store.update(
            escalation, {"status": before if before != "ticket_queued" else "open"}, pending_remove=["ticket"]
        )
        raise


def _accept(deps: EscalationDeps, escalation: Escalation, history: list[dict[str, str]]) -> None:
    """Record the user's yes before anything else, guarded against a concurrent decline: from
    here on the ticket is pending work that the sweep finishes, whatever fails next (Firestore
    unavailable halfway, a lost answer, a crash). Without this write a request that failed after
    taking the ticket's claim left a failure that nothing would ever ticket.

    Raises:
        ConflictError: The escalation changed since it was loaded.
    """
    fields: dict[str, Any] = {}
    accepting = "ticket" not in escalation.pending
    if accepting:
        fields["status"] = "ticket_queued"
    if history and not escalation.history:
        fields["history"] = history
    if fields:
        deps.store.update(escalation, fields, guarded=True, pending_add=["ticket"] if accepting else ())
        escalation.status = fields.get("status", escalation.status)
        escalation.pending = [*escalation.pending, "ticket"] if accepting else escalation.pending
        escalation.history = fields.get("history", escalation.history)


def decline(deps: EscalationDeps, tenant_id: str, failure_id: str) -> None:
    """The user declined a ticket (the CRM contract).

    Declining takes the ticket's claim, so it cannot interleave with a ticket being made: whichever
    comes first wins and the other answers 409.

    Raises:
        NotFoundError: Unknown failure id.
        ConflictError: A ticket already exists (or is being made) for it.
    """
    escalation = _load(deps, tenant_id, failure_id)
    if escalation.status == "declined":
        return
    taken = ConflictError(f"Failure {failure_id} already has a ticket; it cannot be declined")
    if escalation.ticket_id or escalation.status in ("ticket_queued", "ticket_failed"):
        raise taken
    key = ticket_claim(failure_id)
    if deps.claims.claim(tenant_id, key, TICKET_LEASE).state != "acquired":
        if _load(deps, tenant_id, failure_id).status == "declined":  # a concurrent decline won: same answer
            return
        raise taken
    try:
        latest = _load(deps, tenant_id, failure_id)
        if latest.ticket_id or latest.status in ("ticket_queued", "ticketed", "ticket_failed"):
            raise taken
        deps.store.update(latest, {"status": "declined", "declined_at": deps.clock()}, guarded=True, close_problem=True)
    except Exception:
        deps.claims.release(tenant_id, key)
        raise
    deps.claims.finish(tenant_id, key, "declined")
    if escalation.desk.get("conversation_id") or "chatwoot" in escalation.pending:
        _enqueue(deps, "chatwoot-close", escalation)
