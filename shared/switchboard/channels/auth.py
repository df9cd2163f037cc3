"""API keys → tenants, for the endpoints the CRM calls (chat, agent failures, feedback)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import flask

from switchboard.core.tenants import TenantDirectory
from switchboard.errors import UnauthorizedError


def api_key_of(request: flask.Request) -> str | None:
    """The API key from ``Authorization: Bearer`` or ``X-API-Key``, if any."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer " and auth[7:].strip():
        return auth[7:].strip()
    key = request.headers.get("X-API-Key", "").strip()
    return key or None


def hash_api_key(key: str) -> str:
    """The digest under which an API key is stored (keys themselves are never stored)."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class TenantAuth:
    """Resolves a request's API key to its tenant.

    Attributes:
        tenants: The cached tenant directory.
        allow_anonymous: Serve keyless requests as ``default_tenant``.
        default_tenant: The tenant of keyless requests.
    """

    tenants: TenantDirectory
    allow_anonymous: bool
    default_tenant: str

    def tenant_of(self, request: flask.Request, also: tuple[str, ...] = ()) -> str:
        """Map the request's API key to a tenant; keyless calls go to the default tenant if allowed.

        Args:
            request: The request.
            also: Kinds of key accepted besides chat keys (the ``test`` agent takes admin keys).

        Raises:
            UnauthorizedError: Unknown key, or no key while anonymous access is off.
        """
        key = api_key_of(request)
        if key is None:
            if self.allow_anonymous:
                return self.default_tenant
            raise UnauthorizedError("An API key is required (Authorization: Bearer <key> or X-API-Key)")
        digest = hash_api_key(key)
        for kind in ("api", *also):
            tenant_id = self.tenants.tenant_for_key(digest, kind)
            if tenant_id is not None:
                return tenant_id
        raise UnauthorizedError("Unknown API key")
