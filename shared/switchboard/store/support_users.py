"""Which Chatwoot user each tenant's dashboard user signs in as, on Firestore.

    tenants/{t}/support_users/{sha256(lower-case email)[:32]}
        email, name, chatwoot_user_id, agent_added, created_at, updated_at

The mapping is stored with ``create()``, so of two first sign-ins running at once only one stores
it (the other reads the winner's). Marking the agent added and forgetting a user Chatwoot deleted
are guarded by the document's update time and the Chatwoot user id, so neither can touch a
mapping another call has replaced meanwhile.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.cloud import firestore

from switchboard.errors import ConflictError
from switchboard.store.base import SupportUser
from switchboard.store.firestore_common import call_options, digest, tenant_ref, translated


def _user(data: dict[str, Any]) -> SupportUser:
    return SupportUser(
        email=str(data.get("email", "")),
        name=str(data.get("name", "")),
        chatwoot_user_id=int(data["chatwoot_user_id"]),
        agent_added=bool(data.get("agent_added", False)),
        created_at=data.get("created_at"),
        updated_at=data.get("updated_at"),
    )


class FirestoreSupportUsers:
    """Dashboard users' Chatwoot users on Firestore.

    Args:
        client: A ``google.cloud.firestore.Client``.
        timeout: Per-call timeout in seconds.
    """

    def __init__(self, client: firestore.Client, timeout: float) -> None:
        self._db = client
        self._call = call_options(timeout)

    def _ref(self, tenant_id: str, email: str) -> Any:
        return tenant_ref(self._db, tenant_id).collection("support_users").document(digest(email.lower()))

    def get(self, tenant_id: str, email: str) -> SupportUser | None:
        with translated("read support user"):
            snap = self._ref(tenant_id, email).get(**self._call)
        data = snap.to_dict()
        return _user(data) if data and data.get("chatwoot_user_id") is not None else None

    def create(self, tenant_id: str, user: SupportUser) -> bool:
        now = datetime.now(UTC)
        fields = {
            "email": user.email.lower(),
            "name": user.name,
            "chatwoot_user_id": user.chatwoot_user_id,
            "agent_added": user.agent_added,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with translated("store support user"):
                self._ref(tenant_id, user.email).create(fields, **self._call)
        except ConflictError:
            return False
        return True

    def _guarded(self, tenant_id: str, email: str, chatwoot_user_id: int) -> tuple[Any, Any] | None:
        """The document and its update time, if it still names that Chatwoot user."""
        ref = self._ref(tenant_id, email)
        with translated("read support user"):
            snap = ref.get(**self._call)
        data = snap.to_dict() or {}
        if data.get("chatwoot_user_id") != chatwoot_user_id:
            return None
        return ref, self._db.write_option(last_update_time=snap.update_time)

    def set_agent_added(self, tenant_id: str, email: str, chatwoot_user_id: int) -> None:
        found = self._guarded(tenant_id, email, chatwoot_user_id)
        if found is None:
            return
        ref, unchanged = found
        try:
            with translated("update support user"):
                ref.update({"agent_added": True, "updated_at": datetime.now(UTC)}, option=unchanged, **self._call)
        except ConflictError:  # changed meanwhile: the next sign-in adds the agent again (that is harmless)
            return

    def forget(self, tenant_id: str, email: str, chatwoot_user_id: int) -> None:
        found = self._guarded(tenant_id, email, chatwoot_user_id)
        if found is None:
            return
        ref, unchanged = found
        try:
            with translated("forget support user"):
                ref.delete(option=unchanged, **self._call)
        except ConflictError:  # replaced meanwhile by another call: theirs stays
            return
