"""Per-instance cache of opened indexes, keyed by tenant and knowledge-base version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy (under retrieval) is imported by the opener, not by every function
    from switchboard.knowledge.retrieval import KnowledgeIndex

Opener = Callable[[str, int], "KnowledgeIndex"]


class IndexCache:
    """Opens a tenant's :class:`KnowledgeIndex` once per version and keeps it.

    Args:
        opener: Opens the index of ``(tenant_id, kb_version)``
            (:func:`switchboard.knowledge.stored.open_index`).
        max_tenants: How many tenants' indexes to keep.
        max_bytes: How much all of them may hold together.
    """

    def __init__(self, opener: Opener, max_tenants: int = 32, max_bytes: int = 96_000_000) -> None:
        self._opener = opener
        self._max = max_tenants
        self._max_bytes = max_bytes
        self._indexes: OrderedDict[str, tuple[int, KnowledgeIndex]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tenant_id: str, kb_version: int) -> KnowledgeIndex:
        """The index of ``kb_version``, opened on first use.

        Indexes are dropped least recently used first when more than ``max_tenants`` are held
        or, beyond the one in use, they hold more than ``max_bytes`` (shards, cached chunks).
        """
        with self._lock:
            cached = self._indexes.get(tenant_id)
            if cached and cached[0] == kb_version:
                self._indexes.move_to_end(tenant_id)
                self._trim()
                return cached[1]
        index = self._opener(tenant_id, kb_version)  # outside the lock: other tenants go on
        with self._lock:
            cached = self._indexes.get(tenant_id)
            if cached and cached[0] == kb_version:
                return cached[1]  # another request opened it meanwhile
            self._indexes.pop(tenant_id, None)
            self._indexes[tenant_id] = (kb_version, index)
            self._trim()
            return index

    def _trim(self) -> None:
        while len(self._indexes) > self._max or (
            len(self._indexes) > 1 and sum(i.nbytes for _, i in self._indexes.values()) > self._max_bytes
        ):
            self._indexes.popitem(last=False)
