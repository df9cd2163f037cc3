"""Per-instance cache of opened indexes, keyed by tenant and knowledge-base version."""

from __future__ import annotations

import threading
from collections.abc import Callable

from switchboard.knowledge.retrieval import KnowledgeIndex

Opener = Callable[[str, int], KnowledgeIndex]


class IndexCache:
    """Opens a tenant's :class:`KnowledgeIndex` once per version and keeps it.

    Args:
        opener: Opens the index of ``(tenant_id, kb_version)``
            (:func:`switchboard.knowledge.stored.open_index`).
        max_tenants: How many tenants' indexes to keep (least recently built are dropped).
    """

    def __init__(self, opener: Opener, max_tenants: int = 32) -> None:
        self._opener = opener
        self._max = max_tenants
        self._indexes: dict[str, tuple[int, KnowledgeIndex]] = {}
        self._lock = threading.Lock()

    def get(self, tenant_id: str, kb_version: int) -> KnowledgeIndex:
        """The index of ``kb_version``, opened on first use."""
        cached = self._indexes.get(tenant_id)
        if cached and cached[0] == kb_version:
            return cached[1]
        with self._lock:
            cached = self._indexes.get(tenant_id)
            if cached and cached[0] == kb_version:
                return cached[1]
            index = self._opener(tenant_id, kb_version)
            self._indexes.pop(tenant_id, None)
            while len(self._indexes) >= self._max:
                self._indexes.pop(next(iter(self._indexes)))
            self._indexes[tenant_id] = (kb_version, index)
            return index
