"""Task handlers: ticket retries, confirmation email, Teams card, Chatwoot sync/close, sweep.

Each handler claims its work in Firestore first (``create()`` is atomic), so a task delivered
twice — Cloud Tasks is at-least-once and the emulator never deduplicates — does its work once.
Failures that retrying can fix are rescheduled with backoff (honouring Retry-After) as new tasks;
failures that it cannot fix are recorded and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal

from switchboard.core import tickets
from switchboard.core.escalation import MAX_ATTEMPTS, WORK_LEASE, EscalationDeps, _enqueue, attempt_ticket, backoff
from switchboard.core.models import Escalation
from switchboard.errors import ConflictError, UpstreamError, UpstreamUnavailableError
from switchboard.helpdesk.base import ContactDraft

log = logging.getLogger(__name__)

TaskResult = Literal["done", "rescheduled", "dropped", "busy"]
SWEEP_AGE = timedelta(minutes=2)
_KIND_OF_TASK = {
    "ticket": "create-ticket",
    "email": "send-email",
    "teams": "teams-alert",
    "chatwoot": "chatwoot-sync",
    "chatwoot_close": "chatwoot-close",
}


def _once(deps: EscalationDeps, escalation: Escalation, kind: str, action: Callable[[Escalation], None]) -> TaskResult:
    """Run ``action`` at most once per escalation and kind."""
    key = f"{kind}:{escalation.id}"
    claim = deps.claims.claim(escalation.tenant_id, key, WORK_LEASE)
    if claim.state == "done":
        return "done"
    if claim.state == "busy":
        _enqueue(deps, _KIND_OF_TASK[kind], escalation, claim.attempts + 1, WORK_LEASE.total_seconds(), strict=True)
        return "busy"
    try:
        action(escalation)
    except UpstreamUnavailableError as exc:
        deps.claims.release(escalation.tenant_id, key)
        if claim.attempts >= MAX_ATTEMPTS:
            deps.store.update(escalation, {f"{kind}_status": "failed"}, pending_remove=[kind])
            log.error("giving up", extra={"kind": kind, "failure_id": escalation.id, "error": str(exc)})
            return "dropped"
        delay = backoff(claim.attempts, exc.retry_after, deps.retry_base_seconds)
        _enqueue(deps, _KIND_OF_TASK[kind], escalation, claim.attempts, delay, strict=True)
        log.warning("rescheduled", extra={"kind": kind, "failure_id": escalation.id, "delay_s": delay})
        return "rescheduled"
    except UpstreamError as exc:
        deps.claims.finish(escalation.tenant_id, key)
        deps.store.update(escalation, {f"{kind}_status": "failed"}, pending_remove=[kind])
        log.error("refused; not retrying", extra={"kind": kind, "failure_id": escalation.id, "error": str(exc)})
        return "dropped"
    except Exception:
        deps.claims.release(escalation.tenant_id, key)
        raise
    deps.claims.finish(escalation.tenant_id, key)
    deps.store.update(escalation, {f"{kind}_status": "sent", f"{kind}_at": deps.clock()}, pending_remove=[kind])
    return "done"


def _send_email(deps: EscalationDeps) -> Callable[[Escalation], None]:
    def action(escalation: Escalation) -> None:
        assert deps.mailer is not None and escalation.ticket_id
        deps.mailer.send(tickets.confirmation_email(escalation, escalation.ticket_id))

    return action


def _post_card(deps: EscalationDeps) -> Callable[[Escalation], None]:
    def action(escalation: Escalation) -> None:
        assert deps.alerts is not None
        title = f"🚨 Escalation: ticket #{escalation.ticket_id}" if escalation.ticket_id else "🚨 Escalation"
        links = [("Open ticket", escalation.ticket_url or ""), ("Open in Chatwoot", escalation.desk.get("url", ""))]
        card = tickets.adaptive_card_message(title, tickets.card_facts(escalation, deps.clock()), actions=links)
        deps.alerts.post(card)

    return action


def _sync_desk(deps: EscalationDeps) -> Callable[[Escalation], None]:
    def action(escalation: Escalation) -> None:
        assert deps.desk is not None
        conversation_id = escalation.desk.get("conversation_id")
        if not conversation_id:
            user = escalation.user
            extra = {k: user[k] for k in ("agency", "office", "company", "division") if user.get(k)}
            contact = deps.desk.upsert_contact(
                ContactDraft(escalation.agent_id, user.get("name", ""), user.get("email", ""), user.get("phone"), extra)
            )
            opened = deps.desk.open_conversation(
                contact, tickets.desk_transcript(escalation), tickets.desk_attributes(escalation)
            )
            conversation_id = opened.id
            # Recorded before anything else, so a retry never opens a second conversation.
            deps.store.update(
                escalation,
                {"desk.contact_id": contact.id, "desk.conversation_id": opened.id, "desk.url": opened.url},
            )
            deps.store.link_desk_conversation(deps.desk_account, opened.id, escalation.tenant_id, escalation.id)
            escalation.desk.update(contact_id=contact.id, conversation_id=opened.id, url=opened.url)
        if not escalation.desk.get("note_added"):
            deps.desk.add_private_note(int(conversation_id), tickets.desk_summary(escalation))
            deps.store.update(escalation, {"desk.note_added": True})

    return action


def _close_desk(deps: EscalationDeps) -> Callable[[Escalation], None]:
    def action(escalation: Escalation) -> None:
        assert deps.desk is not None
        conversation_id = escalation.desk.get("conversation_id")
        if conversation_id:
            deps.desk.add_private_note(int(conversation_id), "The customer declined a ticket; closing.")
            deps.desk.set_status(int(conversation_id), "resolved")

    return action


def run_task(deps: EscalationDeps, kind: str, tenant_id: str, failure_id: str) -> TaskResult:
    """Handle one delivery of a task.

    Raises:
        UpstreamUnavailableError: A reschedule could not be enqueued (the caller answers 503).
    """
    escalation = deps.store.get(tenant_id, failure_id)
    if escalation is None:
        log.warning("task for an unknown failure; dropped", extra={"kind": kind, "failure_id": failure_id})
        return "dropped"
    if kind == "create-ticket":
        if escalation.ticket_id or escalation.status in ("declined", "ticket_failed"):
            return "done"
        try:
            outcome = attempt_ticket(deps, escalation)
        except ConflictError:
            return "dropped"
        except UpstreamError as exc:
            deps.store.update(escalation, {"status": "ticket_failed"}, pending_remove=["ticket"])
            log.error("Freshdesk refused the ticket", extra={"failure_id": failure_id, "error": str(exc)})
            return "dropped"
        if outcome.status == "failed":
            return "dropped"
        return "rescheduled" if outcome.status == "queued" else "done"
    if kind == "send-email" and deps.mailer and escalation.ticket_id:
        return _once(deps, escalation, "email", _send_email(deps))
    if kind == "teams-alert" and deps.alerts:
        return _once(deps, escalation, "teams", _post_card(deps))
    if kind == "chatwoot-sync" and deps.desk:
        if escalation.status == "declined":
            deps.store.update(escalation, {}, pending_remove=["chatwoot"])
            return "dropped"
        return _once(deps, escalation, "chatwoot", _sync_desk(deps))
    if kind == "chatwoot-close" and deps.desk:
        return _once(deps, escalation, "chatwoot_close", _close_desk(deps))
    log.warning("task not applicable here; dropped", extra={"kind": kind, "failure_id": failure_id})
    return "dropped"


def sweep(deps: EscalationDeps, generation: int, min_age: timedelta = SWEEP_AGE) -> dict[str, int]:
    """Re-enqueue pending work that has not moved for a while (lost tasks, a restarted emulator).

    Args:
        deps: Dependencies.
        generation: Part of the task names (for example the current 10-minute slot), so a sweep's
            tasks are new names even if an earlier task of the same work ran within the hour.
        min_age: Only work untouched this long (0 after a restart of the local task emulator).
    """
    counts: dict[str, int] = {}
    older_than = deps.clock() - min_age
    for tenant_id in deps.store.tenants_with_pending():
        for kind, task_kind in _KIND_OF_TASK.items():
            for escalation in deps.store.with_pending(tenant_id, kind, older_than):
                if _enqueue(deps, task_kind, escalation, attempt=generation):
                    counts[task_kind] = counts.get(task_kind, 0) + 1
    return counts


def abandon(deps: EscalationDeps, task_kind: str, tenant_id: str, failure_id: str) -> None:
    """A task of ``task_kind`` was given up on: take its work out of ``pending`` (so the sweep does
    not schedule it again) and mark it ``dead_letter``."""
    kind = next((k for k, v in _KIND_OF_TASK.items() if v == task_kind), None)
    escalation = deps.store.get(tenant_id, failure_id)
    if kind is None or escalation is None:
        return
    fields: dict[str, Any] = {f"{kind}_status": "dead_letter"}
    if kind == "ticket" and not escalation.ticket_id:
        fields["status"] = "ticket_failed"
    deps.store.update(escalation, fields, pending_remove=[kind])
