"""Tenants and API keys on Firestore.

tenants/{t}            name, settings, kb_version
api_keys/{sha256}      tenant_id (the key itself is never stored)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.cloud import firestore

from switchboard.core.models import PromptParts, Tenant, TenantSettings
from switchboard.store.firestore_common import tenant_ref, translated


def _mapping(value: Any) -> dict[str, Any]:
    """A settings map as stored, or empty when something else was stored there by hand."""
    return dict(value) if isinstance(value, dict) else {}


def _tenant(tenant_id: str, data: dict[str, Any]) -> Tenant:
    settings = data.get("settings") or {}
    prompts = settings.get("prompts") or {}
    return Tenant(
        id=tenant_id,
        name=data.get("name", ""),
        kb_version=int(data.get("kb_version", 0)),
        settings=TenantSettings(
            prompts=PromptParts(**{k: str(prompts.get(k, "")) for k in PromptParts.__dataclass_fields__}),
            model=settings.get("model"),
            temperature=settings.get("temperature"),
            max_output_tokens=settings.get("max_output_tokens"),
            escalation_threshold=settings.get("escalation_threshold"),
            kommo=_mapping(settings.get("kommo")),
            bot=_mapping(settings.get("bot")),
            hours=_mapping(settings.get("business_hours")),
            auto_response=bool(settings.get("auto_response", True)),
            default_handler=str(settings.get("default_handler") or "AI"),
        ),
    )


def _tenant_dict(tenant: Tenant) -> dict[str, Any]:
    s = tenant.settings
    return {
        "name": tenant.name,
        "settings": {
            "prompts": dict(s.prompts.__dict__),
            "model": s.model,
            "temperature": s.temperature,
            "max_output_tokens": s.max_output_tokens,
            "escalation_threshold": s.escalation_threshold,
            "kommo": s.kommo,
            "bot": s.bot,
            "auto_response": s.auto_response,
            "default_handler": s.default_handler,
            "business_hours": s.hours,
        },
    }


class TenantRecords:
    """The tenant half of :class:`switchboard.store.firestore.FirestoreStore`."""

    _db: firestore.Client
    _call: dict[str, Any]

    def _tenant_ref(self, tenant_id: str) -> Any:
        return tenant_ref(self._db, tenant_id)

    def get_tenant(self, tenant_id: str) -> Tenant | None:
        """Load a tenant document."""
        with translated("load tenant"):
            snap = self._tenant_ref(tenant_id).get(**self._call)
        return _tenant(tenant_id, snap.to_dict() or {}) if snap.exists else None

    def tenant_for_key(self, key_hash: str, kind: str = "api") -> str | None:
        """Resolve a key digest of ``kind`` (``api``, ``kommo``) to its tenant."""
        with translated("resolve key"):
            snap = self._db.collection("api_keys").document(key_hash).get(**self._call)
        data = (snap.to_dict() or {}) if snap.exists else {}
        tenant_id = data.get("tenant_id")
        return str(tenant_id) if tenant_id and data.get("kind", "api") == kind else None

    def save_tenant(self, tenant: Tenant) -> None:
        """Create or update the tenant's name and settings (kb_version is left alone).

        ``settings`` is replaced as a whole: a plain ``merge=True`` would merge nested maps key by
        key, so a day taken out of the business hours (or a bot text) would stay."""
        with translated("save tenant"):
            self._tenant_ref(tenant.id).set(
                {**_tenant_dict(tenant), "updated_at": datetime.now(UTC)},
                merge=["name", "settings", "updated_at"],
                **self._call,
            )

    def revoke_keys(self, tenant_id: str, kind: str) -> int:
        """Delete every key of ``kind`` the tenant has; returns how many."""
        query = (
            self._db.collection("api_keys")
            .where(filter=firestore.FieldFilter("tenant_id", "==", tenant_id))
            .where(filter=firestore.FieldFilter("kind", "==", kind))
        )
        with translated("revoke keys"):
            refs = [snap.reference for snap in query.stream(**self._call)]
            for ref in refs:
                ref.delete(**self._call)
        return len(refs)

    def add_api_key(self, key_hash: str, tenant_id: str, kind: str = "api") -> None:
        """Store a key digest of ``kind`` (the key itself is never stored)."""
        with translated("add key"):
            self._db.collection("api_keys").document(key_hash).create(
                {"tenant_id": tenant_id, "kind": kind, "created_at": datetime.now(UTC)}, **self._call
            )
