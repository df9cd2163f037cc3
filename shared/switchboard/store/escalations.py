"""Firestore persistence for escalations, feedback and desk webhooks.

tenants/{t}/escalations/{id}            the escalation (the CRM contract's agent failure)
tenants/{t}/users/{sha(user)}           open_escalations.{id}: {ticket_id, terms, at}
tenants/{t}/feedback/{message_id}       one rating per message (create() refuses a second)
desk_links/{account}:{conversation}     Chatwoot conversation → tenant and escalation
webhook_deliveries/{delivery_id}        Chatwoot deliveries already handled (TTL)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from switchboard.core.models import Escalation
from switchboard.errors import ConflictError
from switchboard.store.firestore_common import call_options, digest, safe_id, tenant_ref, translated, usage_shard
from switchboard.store.records import escalation_from, escalation_record

log = logging.getLogger(__name__)

DELIVERY_TTL = timedelta(days=7)


class FirestoreEscalations:
    """Escalations, feedback and webhook deduplication on Firestore.

    Args:
        client: A ``google.cloud.firestore.Client``.
        timeout: Per-call timeout in seconds.
    """

    def __init__(self, client: firestore.Client, timeout: float) -> None:
        self._db = client
        self._timeout = timeout
        self._call = call_options(timeout)

    def _tenant(self, tenant_id: str) -> Any:
        return tenant_ref(self._db, tenant_id)

    def _user_ref(self, tenant_id: str, agent_id: str) -> Any:
        return self._tenant(tenant_id).collection("users").document(digest(agent_id))

    def create(self, escalation: Escalation) -> None:
        """Store a new escalation and list it among the user's open problems (one commit)."""
        ref = self._tenant(escalation.tenant_id).collection("escalations").document(escalation.id)
        batch = self._db.batch()
        batch.create(ref, escalation_record(escalation))
        batch.set(
            self._user_ref(escalation.tenant_id, escalation.agent_id),
            {
                "open_escalations": {
                    escalation.id: {"ticket_id": None, "terms": escalation.problem_terms, "at": escalation.created_at}
                }
            },
            merge=True,
        )
        with translated("create escalation"):
            batch.commit(**self._call)

    def get(self, tenant_id: str, escalation_id: str) -> Escalation | None:
        """Load one escalation."""
        with translated("load escalation"):
            snap = self._tenant(tenant_id).collection("escalations").document(escalation_id).get(**self._call)
        return escalation_from(tenant_id, snap.id, snap.to_dict() or {}, snap.update_time) if snap.exists else None

    def update(
        self,
        escalation: Escalation,
        fields: dict[str, Any],
        *,
        guarded: bool = False,
        open_problem: dict[str, Any] | None = None,
        close_problem: bool = False,
        pending_add: Sequence[str] = (),
        pending_remove: Sequence[str] = (),
    ) -> None:
        """Update fields (``guarded``: only if unchanged since loaded), ``pending`` (atomic
        ArrayRemove, then ArrayUnion, in the same commit) and the user's open list.

        Raises:
            ConflictError: ``guarded`` and the escalation changed meanwhile.
        """
        ref = self._tenant(escalation.tenant_id).collection("escalations").document(escalation.id)
        batch = self._db.batch()
        option = self._db.write_option(last_update_time=escalation.version) if guarded else None
        first = {**fields, "updated_at": datetime.now(UTC)}
        if pending_remove:
            first["pending"] = firestore.ArrayRemove(list(pending_remove))
        batch.update(ref, first, option=option)
        if pending_add:
            batch.update(ref, {"pending": firestore.ArrayUnion(list(pending_add))})
        user_ref = self._user_ref(escalation.tenant_id, escalation.agent_id)
        if open_problem is not None:
            batch.set(user_ref, {"open_escalations": {escalation.id: open_problem}}, merge=True)
        if close_problem:
            batch.set(user_ref, {"open_escalations": {escalation.id: firestore.DELETE_FIELD}}, merge=True)
        with translated("update escalation"):
            batch.commit(**self._call)

    def ticketed_for_user(self, tenant_id: str, agent_id: str, exclude: str) -> list[Escalation]:
        """The user's other escalations that hold a ticket and are still open, newest first."""
        coll = self._tenant(tenant_id).collection("escalations")
        query = coll.where(filter=firestore.FieldFilter("user.agent_id", "==", agent_id)).where(
            filter=firestore.FieldFilter("status", "==", "ticketed")
        )
        with translated("find open tickets"):
            found = [
                escalation_from(tenant_id, s.id, s.to_dict() or {}, s.update_time) for s in query.stream(**self._call)
            ]
        return sorted((e for e in found if e.id != exclude), key=lambda e: e.created_at, reverse=True)

    def with_pending(self, tenant_id: str, kind: str, older_than: datetime, limit: int = 200) -> list[Escalation]:
        """Escalations whose ``pending`` work includes ``kind`` and that have not moved since ``older_than``."""
        coll = self._tenant(tenant_id).collection("escalations")
        query = coll.where(filter=firestore.FieldFilter("pending", "array_contains", kind)).limit(limit)
        with translated("find pending work"):
            found = [
                escalation_from(tenant_id, s.id, s.to_dict() or {}, s.update_time)
                for s in query.stream(**call_options(30.0))
            ]
        return [e for e in found if e.version is None or e.version <= older_than]

    def tickets_between(self, tenant_id: str, start: datetime, end: datetime) -> int:
        """Tickets created (``ticketed_at``) from ``start`` up to ``end``."""
        coll = self._tenant(tenant_id).collection("escalations")
        query = coll.where(filter=firestore.FieldFilter("ticketed_at", ">=", start)).where(
            filter=firestore.FieldFilter("ticketed_at", "<", end)
        )
        with translated("count tickets"):
            return sum(1 for _ in query.select(["ticketed_at"]).stream(**self._call))

    def tenants_with_pending(self) -> list[str]:
        """Tenant ids (the sweep visits each)."""
        with translated("list tenants"):
            return [ref.id for ref in self._db.collection("tenants").list_documents()]

    def link_desk_conversation(self, account_id: int, conversation_id: int, tenant_id: str, escalation_id: str) -> None:
        """Remember which escalation a Chatwoot conversation belongs to."""
        ref = self._db.collection("desk_links").document(f"{account_id}:{conversation_id}")
        with translated("link desk conversation"):
            ref.set({"tenant_id": tenant_id, "escalation_id": escalation_id}, **self._call)

    def desk_link(self, account_id: int, conversation_id: int) -> tuple[str, str] | None:
        """``(tenant_id, escalation_id)`` of a Chatwoot conversation, if it is ours."""
        ref = self._db.collection("desk_links").document(f"{account_id}:{conversation_id}")
        with translated("read desk link"):
            snap = ref.get(**self._call)
        if not snap.exists:
            return None
        data = snap.to_dict() or {}
        return str(data["tenant_id"]), str(data["escalation_id"])

    def first_delivery(self, delivery_id: str) -> bool:
        """True the first time a webhook delivery id is seen (atomic ``create()``)."""
        ref = self._db.collection("webhook_deliveries").document(safe_id(delivery_id))
        try:
            with translated("record delivery"):
                ref.create({"at": datetime.now(UTC), "expires_at": datetime.now(UTC) + DELIVERY_TTL}, **self._call)
        except ConflictError:
            return False
        return True

    def forget_delivery(self, delivery_id: str) -> None:
        """Undo :meth:`first_delivery` when handling failed, so a redelivery is processed."""
        try:
            self._db.collection("webhook_deliveries").document(safe_id(delivery_id)).delete(**self._call)
        except (gexc.GoogleAPICallError, gexc.RetryError):
            log.warning("could not forget a failed delivery", extra={"delivery": delivery_id})

    def set_conversation_owner(
        self, tenant_id: str, conversation_doc_id: str, owner: str, *, reset_context: bool = False
    ) -> None:
        """Hand a conversation to a human or back to the AI (resolution also clears its context)."""
        ref = self._tenant(tenant_id).collection("conversations").document(conversation_doc_id)
        fields: dict[str, Any] = {"owner": owner, "owner_changed_at": datetime.now(UTC)}
        if reset_context:
            fields.update(recent=[], context_reset_at=datetime.now(UTC), time_escalated=False)
        with translated("set conversation owner"):
            ref.set(fields, merge=True, **self._call)

    def record_feedback(self, tenant_id: str, message_id: str, data: dict[str, Any], helpful: bool) -> None:
        """Store one rating; a second rating of the same message raises ConflictError."""
        tenant = self._tenant(tenant_id)
        now = datetime.now(UTC)
        batch = self._db.batch()
        batch.create(tenant.collection("feedback").document(safe_id(message_id)), {**data, "created_at": now})
        counter = "feedback_helpful" if helpful else "feedback_unhelpful"
        day = now.date().isoformat()
        batch.set(usage_shard(tenant, day), {counter: firestore.Increment(1), "date": day}, merge=True)
        with translated("record feedback"):
            batch.commit(**self._call)
