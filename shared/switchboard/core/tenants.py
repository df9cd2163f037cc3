"""Tenant lookup with a short per-instance cache (settings change rarely; turns are many)."""

from __future__ import annotations

import time
from collections.abc import Callable

from switchboard.core.models import Tenant


class TenantDirectory:
    """Caches tenants and API-key lookups for ``ttl_seconds``.

    Args:
        load_tenant: Loads a tenant by id (None when missing).
        resolve_key: Maps an API key digest to a tenant id (None when unknown).
        ttl_seconds: How long an entry is trusted; 0 disables caching.
        clock: Monotonic clock, injectable for tests.
    """

    def __init__(
        self,
        load_tenant: Callable[[str], Tenant | None],
        resolve_key: Callable[[str], str | None],
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load_tenant = load_tenant
        self._resolve_key = resolve_key
        self._ttl = ttl_seconds
        self._clock = clock
        self._tenants: dict[str, tuple[float, Tenant | None]] = {}
        self._keys: dict[str, tuple[float, str | None]] = {}

    def tenant(self, tenant_id: str) -> Tenant | None:
        """The tenant, from cache when fresh."""
        hit = self._tenants.get(tenant_id)
        now = self._clock()
        if hit and now - hit[0] < self._ttl:
            return hit[1]
        tenant = self._load_tenant(tenant_id)
        self._tenants[tenant_id] = (now, tenant)
        return tenant

    def tenant_for_key(self, key_hash: str) -> str | None:
        """The tenant id of an API key digest, from cache when fresh."""
        hit = self._keys.get(key_hash)
        now = self._clock()
        if hit and now - hit[0] < self._ttl:
            return hit[1]
        tenant_id = self._resolve_key(key_hash)
        self._keys[key_hash] = (now, tenant_id)
        return tenant_id
