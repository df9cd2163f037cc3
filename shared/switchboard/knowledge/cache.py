"""Per-instance cache of built indexes, keyed by tenant and knowledge-base version."""

from __future__ import annotations

import threading
from collections.abc import Callable

from switchboard.knowledge.articles import KnowledgeSnapshot
from switchboard.knowledge.profile import KbProfile
from switchboard.knowledge.retrieval import KnowledgeIndex

Loader = Callable[[str, int], KnowledgeSnapshot]


class IndexCache:
    """Builds a tenant's :class:`KnowledgeIndex` once per version and keeps it.

    Args:
        loader: Loads the :class:`KnowledgeSnapshot` of ``(tenant_id, kb_version)``.
        max_tenants: How many tenants' indexes to keep (least recently built are dropped).
    """

    def __init__(self, loader: Loader, max_tenants: int = 32) -> None:
        self._loader = loader
        self._max = max_tenants
        self._indexes: dict[str, tuple[int, KnowledgeIndex]] = {}
        self._lock = threading.Lock()

    def get(self, tenant_id: str, kb_version: int) -> KnowledgeIndex:
        """The index of ``kb_version``, loading it on first use (one store query)."""
        cached = self._indexes.get(tenant_id)
        if cached and cached[0] == kb_version:
            return cached[1]
        with self._lock:
            cached = self._indexes.get(tenant_id)
            if cached and cached[0] == kb_version:
                return cached[1]
            snapshot = self._loader(tenant_id, kb_version)
            index = KnowledgeIndex(snapshot.chunks, snapshot.vectors, KbProfile.from_dict(snapshot.profile))
            self._indexes.pop(tenant_id, None)
            while len(self._indexes) >= self._max:
                self._indexes.pop(next(iter(self._indexes)))
            self._indexes[tenant_id] = (kb_version, index)
            return index
