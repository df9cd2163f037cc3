"""Knowledge-base versions on Firestore: publish a complete version, switch to it, load it.

tenants/{t}/kb_versions/{v}                  created_at, counts, profile (the import-time KB profile)
tenants/{t}/kb_versions/{v}/articles/{id}    one article of the version
tenants/{t}/kb_versions/{v}/chunks/{id}      its chunks (+ embedding)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.vector import Vector

from switchboard.knowledge.articles import Article, Chunk, KnowledgeSnapshot
from switchboard.store.firestore_common import call_options, tenant_ref, translated

log = logging.getLogger(__name__)

BATCH_WRITES = 400


class KnowledgeVersions:
    """The knowledge-base half of :class:`switchboard.store.firestore.FirestoreStore`."""

    _db: firestore.Client
    _timeout: float
    _call: dict[str, Any]

    def _tenant_ref(self, tenant_id: str) -> Any:
        return tenant_ref(self._db, tenant_id)

    def load_knowledge(self, tenant_id: str, kb_version: int) -> KnowledgeSnapshot:
        """Stream every chunk of one knowledge-base version, with the version's profile."""
        chunks: list[Chunk] = []
        vectors: dict[str, list[float]] = {}
        if kb_version <= 0:
            return KnowledgeSnapshot(chunks, vectors)
        vref = self._tenant_ref(tenant_id).collection("kb_versions").document(str(kb_version))
        with translated("load knowledge base"):
            meta = vref.get(**self._call).to_dict() or {}
            for snap in vref.collection("chunks").stream(**call_options(max(self._timeout, 30.0))):
                d = snap.to_dict() or {}
                chunks.append(
                    Chunk(
                        id=d["id"],
                        article_id=d["article_id"],
                        title=d["title"],
                        text=d["text"],
                        entry_type=d.get("entry_type", "article"),
                        url=d.get("url"),
                        position=int(d.get("position", 0)),
                    )
                )
                if d.get("embedding") is not None:
                    vectors[d["id"]] = list(d["embedding"])
        chunks.sort(key=lambda c: (c.article_id, c.position))
        profile = meta.get("profile")
        return KnowledgeSnapshot(chunks, vectors, dict(profile) if isinstance(profile, dict) else {})

    def list_articles(self, tenant_id: str) -> list[Article]:
        """Every article of the tenant's current version."""
        with translated("read tenant"):
            snap = self._tenant_ref(tenant_id).get(field_paths=["kb_version"], **self._call)
        version = int((snap.to_dict() or {}).get("kb_version", 0)) if snap.exists else 0
        if version <= 0:
            return []
        coll = self._tenant_ref(tenant_id).collection("kb_versions").document(str(version))
        with translated("list articles"):
            docs = [s.to_dict() or {} for s in coll.collection("articles").stream(**call_options(30.0))]
        return [
            Article(
                d["id"], d["title"], d["body"], d.get("entry_type", "article"), d.get("url"), tuple(d.get("tags", []))
            )
            for d in docs
        ]

    def publish_knowledge(
        self,
        tenant_id: str,
        articles: Sequence[Article],
        chunks: Sequence[Chunk],
        vectors: dict[str, list[float]],
        progress: Callable[[int], None] | None = None,
        profile: dict[str, Any] | None = None,
    ) -> int:
        """Write a complete new version, then switch the tenant to it in one guarded update.

        Readers only ever see a finished version: a failed import leaves the old one in place.
        Raises:
            ConflictError: When another import switched the tenant meanwhile.
        """
        tenant_ref = self._tenant_ref(tenant_id)
        with translated("read tenant"):
            snap = tenant_ref.get(**self._call)
        old = int((snap.to_dict() or {}).get("kb_version", 0)) if snap.exists else 0
        version = max(old + 1, int(datetime.now(UTC).timestamp() * 1000))
        vref = tenant_ref.collection("kb_versions").document(str(version))
        writes: list[tuple[Any, dict[str, Any]]] = [
            (
                vref,
                {
                    "created_at": datetime.now(UTC),
                    "articles": len(articles),
                    "chunks": len(chunks),
                    "profile": profile or {},
                },
            )
        ]
        writes += [(vref.collection("articles").document(a.id), _article_dict(a)) for a in articles]
        writes += [(vref.collection("chunks").document(c.id), _chunk_dict(c, vectors.get(c.id))) for c in chunks]
        try:
            done = 0
            for part in _batches(writes):
                batch = self._db.batch()
                for ref, data in part:
                    batch.set(ref, data)
                with translated("write knowledge base"):
                    batch.commit(**call_options(max(self._timeout, 60.0)))
                done += len(part)
                if progress:
                    progress(done)
            with translated("switch knowledge base version"):
                if snap.exists:
                    option = self._db.write_option(last_update_time=snap.update_time)
                    tenant_ref.update({"kb_version": version, "updated_at": datetime.now(UTC)}, option=option)
                else:
                    tenant_ref.create({"name": tenant_id, "kb_version": version, "created_at": datetime.now(UTC)})
        except Exception:
            self._delete_version(tenant_ref, version)  # never served: nothing may be left of it
            raise
        if old:
            self._delete_version(tenant_ref, old)
        return version

    def _delete_version(self, tenant_ref: Any, version: int) -> None:
        vref = tenant_ref.collection("kb_versions").document(str(version))
        try:
            for name in ("articles", "chunks"):
                refs = list(vref.collection(name).list_documents())
                for start in range(0, len(refs), BATCH_WRITES):
                    batch = self._db.batch()
                    for ref in refs[start : start + BATCH_WRITES]:
                        batch.delete(ref)
                    batch.commit(**call_options(60.0))
            vref.delete()
        except (gexc.GoogleAPICallError, gexc.RetryError):
            # Old versions are unreachable once the tenant points past them; log and move on.
            log.warning("could not delete old knowledge-base version", extra={"version": version})


#: A commit may carry 10 MiB; batches stay under this estimate of their size.
BATCH_BYTES = 8_000_000


def _size(value: Any) -> int:
    """A generous estimate of a value's stored size in bytes."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "replace")) + 1
    if isinstance(value, dict):
        return sum(len(k) + 1 + _size(v) for k, v in value.items()) + 32
    if isinstance(value, (list, tuple)):
        return sum(_size(v) for v in value) + 32
    if isinstance(value, Vector):
        return 8 * len(list(value)) + 32
    return 16


def _batches(writes: list[tuple[Any, dict[str, Any]]]) -> Iterator[list[tuple[Any, dict[str, Any]]]]:
    """The writes in commits of at most BATCH_WRITES documents and about BATCH_BYTES bytes."""
    part: list[tuple[Any, dict[str, Any]]] = []
    size = 0
    for ref, data in writes:
        cost = _size(data) + len(ref._document_path) + 64
        if part and (len(part) >= BATCH_WRITES or size + cost > BATCH_BYTES):
            yield part
            part, size = [], 0
        part.append((ref, data))
        size += cost
    if part:
        yield part


def _article_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "entry_type": article.entry_type,
        "url": article.url,
        "tags": list(article.tags),
    }


def _chunk_dict(chunk: Chunk, vector: list[float] | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": chunk.id,
        "article_id": chunk.article_id,
        "title": chunk.title,
        "text": chunk.text,
        "entry_type": chunk.entry_type,
        "url": chunk.url,
        "position": chunk.position,
    }
    if vector is not None:
        data["embedding"] = Vector(vector)
    return data
