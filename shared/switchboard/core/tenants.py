"""Tenant lookup with a short, bounded per-instance cache (settings change rarely; turns are many)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from switchboard.core.models import Tenant

K = TypeVar("K")
V = TypeVar("V")

#: Entries kept per cache: random keys sent by an attacker cannot grow an instance's memory.
MAX_ENTRIES = 10_000


class _Cache(Generic[K, V]):
    """A time-limited LRU map (thread-safe)."""

    def __init__(self, ttl: float, clock: Callable[[], float], limit: int) -> None:
        self._ttl, self._clock, self._limit = ttl, clock, limit
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def forget(self, key: K) -> None:
        with self._lock:
            self._items.pop(key, None)

    def get(self, key: K, load: Callable[[K], V]) -> V:
        now = self._clock()
        with self._lock:
            hit = self._items.get(key)
            if hit and now - hit[0] < self._ttl:
                self._items.move_to_end(key)
                return hit[1]
        value = load(key)
        with self._lock:
            self._items[key] = (now, value)
            self._items.move_to_end(key)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)
        return value


class TenantDirectory:
    """Caches tenants and key lookups for ``ttl_seconds``.

    Args:
        load_tenant: Loads a tenant by id (None when missing).
        resolve_key: Maps a key digest and its kind (``api``, ``kommo``) to a tenant id (None when unknown).
        ttl_seconds: How long an entry is trusted; 0 disables caching.
        clock: Monotonic clock, injectable for tests.
        max_entries: Entries kept per cache, least recently used dropped first.
    """

    def __init__(
        self,
        load_tenant: Callable[[str], Tenant | None],
        resolve_key: Callable[[str, str], str | None],
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._load_tenant = load_tenant
        self._resolve_key = resolve_key
        self._tenants: _Cache[str, Tenant | None] = _Cache(ttl_seconds, clock, max_entries)
        self._keys: _Cache[tuple[str, str], str | None] = _Cache(ttl_seconds, clock, max_entries)

    def tenant(self, tenant_id: str) -> Tenant | None:
        """The tenant, from cache when fresh."""
        return self._tenants.get(tenant_id, self._load_tenant)

    def forget(self, tenant_id: str) -> None:
        """Drop a tenant from this instance's cache (after this instance changed it)."""
        self._tenants.forget(tenant_id)

    def tenant_for_key(self, key_hash: str, kind: str = "api") -> str | None:
        """The tenant id of a key digest of ``kind``, from cache when fresh."""
        return self._keys.get((kind, key_hash), lambda k: self._resolve_key(k[1], k[0]))
