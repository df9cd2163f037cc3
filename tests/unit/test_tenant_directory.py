"""The tenant directory's cache: fresh entries are reused, stale ones reloaded, and it stays bounded."""

from __future__ import annotations

from switchboard.core.models import Tenant
from switchboard.core.tenants import TenantDirectory


def test_lookups_are_cached_for_the_ttl_per_kind_and_the_cache_is_bounded() -> None:
    now = [0.0]
    keys = {("h1", "api"): "acme", ("h2", "kommo"): "beta"}
    calls: list[tuple[str, str]] = []

    def resolve(key_hash: str, kind: str) -> str | None:
        calls.append((key_hash, kind))
        return keys.get((key_hash, kind))

    directory = TenantDirectory(lambda t: Tenant(t), resolve, ttl_seconds=30, clock=lambda: now[0], max_entries=3)
    assert directory.tenant_for_key("h1") == "acme"
    assert directory.tenant_for_key("h1") == "acme" and len(calls) == 1
    assert directory.tenant_for_key("h1", "kommo") is None  # the kind is part of the key
    assert directory.tenant_for_key("h2", "kommo") == "beta" and len(calls) == 3
    now[0] = 31.0
    assert directory.tenant_for_key("h1") == "acme" and len(calls) == 4  # stale: asked again
    for i in range(100):  # unknown keys (an attacker's) do not pile up
        assert directory.tenant_for_key(f"random-{i}") is None
    assert len(directory._keys._items) == 3
