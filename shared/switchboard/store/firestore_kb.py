"""Knowledge bases on Firestore: content-addressed chunks and articles, versions of packed blobs.

tenants/{t}/kb_chunks/{key}                  one chunk (key: a hash of its content), with its
                                             ``embedding`` (a Vector, for find_nearest) and
                                             ``vec`` (the same as float32 bytes, cheap to read)
tenants/{t}/kb_articles/{key}                one article (key: a hash of its fields)
tenants/{t}/kb_versions/{v}                  meta: counts, profile, the packed index's meta
tenants/{t}/kb_versions/{v}/blobs/{name}     ``data``: one blob of the packed index

A version only refers to chunks and articles by key, so an unchanged one is shared by every
version and never written twice. A version becomes visible when the tenant's ``kb_version``
is switched to it, after everything it refers to is written; then what no version refers to
any more is deleted.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
from google.cloud.firestore_v1.vector import Vector

from switchboard.errors import ConflictError, StoreError
from switchboard.knowledge.articles import Article, Chunk, KbRelease
from switchboard.store.firestore_common import call_options, tenant_ref, translated

log = logging.getLogger(__name__)

BATCH_WRITES = 400
#: Documents per BatchGet.
READ_BATCH = 300
CHUNK_FIELDS = ["id", "article_id", "title", "text", "entry_type", "url", "position"]


class KnowledgeVersions:
    """The knowledge-base half of :class:`switchboard.store.firestore.FirestoreStore`."""

    _db: firestore.Client
    _timeout: float
    _call: dict[str, Any]

    def _tenant_ref(self, tenant_id: str) -> Any:
        return tenant_ref(self._db, tenant_id)

    # ------------------------------------------------------------------------------------ reading

    def load_kb_meta(self, tenant_id: str, kb_version: int) -> dict[str, Any] | None:
        """The meta of one version (counts, profile, packed-index meta); None when it is gone."""
        if kb_version <= 0:
            return None
        ref = self._tenant_ref(tenant_id).collection("kb_versions").document(str(kb_version))
        with translated("load knowledge base"):
            snap = ref.get(**self._call)
        return (snap.to_dict() or {}) if snap.exists else None

    def load_kb_blobs(self, tenant_id: str, kb_version: int, names: Sequence[str]) -> dict[str, bytes]:
        """Blobs of one version by name, in one BatchGet (a missing blob is left out)."""
        blobs = self._tenant_ref(tenant_id).collection("kb_versions").document(str(kb_version)).collection("blobs")
        out: dict[str, bytes] = {}
        with translated("load knowledge base"):
            for snap in self._db.get_all([blobs.document(n) for n in names], **call_options(max(self._timeout, 20.0))):
                if snap.exists:
                    out[snap.id] = bytes(snap.get("data"))
        return out

    def get_chunks(
        self, tenant_id: str, keys: Sequence[str], vectors: bool = False
    ) -> dict[str, tuple[Chunk | None, Any]]:
        """Chunks by key (text fields, and with ``vectors`` only their vector); missing ones are left out."""
        coll = self._tenant_ref(tenant_id).collection("kb_chunks")
        fields = ["vec"] if vectors else CHUNK_FIELDS
        out: dict[str, tuple[Chunk | None, Any]] = {}
        with translated("read knowledge base"):
            for start in range(0, len(keys), READ_BATCH):
                refs = [coll.document(k) for k in keys[start : start + READ_BATCH]]
                for snap in self._db.get_all(refs, field_paths=fields, **self._call):
                    if snap.exists:
                        d = snap.to_dict() or {}
                        out[snap.id] = (None if vectors else _chunk(d), _vector(d.get("vec")))
        return out

    def nearest_chunks(self, tenant_id: str, vector: Sequence[float], limit: int) -> list[tuple[str, Any]]:
        """The ``limit`` chunks nearest to ``vector`` by cosine (Firestore vector search), with
        their vectors, nearest first. Chunks of any version are searched: the caller keeps its own."""
        coll = self._tenant_ref(tenant_id).collection("kb_chunks")
        query = coll.select(["vec"]).find_nearest(
            vector_field="embedding",
            query_vector=Vector([float(x) for x in vector]),
            distance_measure=DistanceMeasure.COSINE,
            limit=limit,
        )
        with translated("search knowledge base"):
            found = list(query.stream(**self._call))
        return [(s.id, v) for s in found if (v := _vector((s.to_dict() or {}).get("vec"))) is not None]

    def knowledge_keys(self, tenant_id: str) -> tuple[set[str], set[str]]:
        """The keys of every chunk and every article the tenant's store holds (of any version)."""
        ref = self._tenant_ref(tenant_id)
        with translated("list knowledge base"):
            chunks = {d.id for d in ref.collection("kb_chunks").list_documents(page_size=2000)}
            articles = {d.id for d in ref.collection("kb_articles").list_documents(page_size=2000)}
        return chunks, articles

    def chunk_vectors(self, tenant_id: str, keys: Sequence[str]) -> dict[str, Any]:
        """Stored vectors by chunk key (for an import that reuses unchanged chunks)."""
        return {k: v for k, (_, v) in self.get_chunks(tenant_id, keys, vectors=True).items() if v is not None}

    def list_articles(self, tenant_id: str) -> list[Article]:
        """Every article of the tenant's current version, in id order."""
        from switchboard.knowledge.packed import CorruptIndexError, assemble, stored_names

        with translated("read tenant"):
            snap = self._tenant_ref(tenant_id).get(field_paths=["kb_version"], **self._call)
        version = int((snap.to_dict() or {}).get("kb_version", 0)) if snap.exists else 0
        stored = self.load_kb_meta(tenant_id, version)
        if stored is None:
            return []
        meta = stored.get("index")
        if not meta:  # a version of the layout before packed indexes kept its articles inside it
            legacy = self._tenant_ref(tenant_id).collection("kb_versions").document(str(version))
            with translated("list articles"):
                rows = [d.to_dict() or {} for d in legacy.collection("articles").stream(**call_options(30.0))]
            return sorted((_article(d) for d in rows), key=lambda a: a.id)
        found = self.load_kb_blobs(tenant_id, version, stored_names(meta, ["articles"]))
        try:
            pairs = json.loads(zlib.decompress(assemble(meta, "articles", found)))
        except CorruptIndexError as exc:
            raise StoreError(f"knowledge base {version}: {exc}") from exc
        coll = self._tenant_ref(tenant_id).collection("kb_articles")
        docs: dict[str, dict[str, Any]] = {}
        with translated("list articles"):
            for start in range(0, len(pairs), READ_BATCH):
                refs = [coll.document(key) for _, key in pairs[start : start + READ_BATCH]]
                for doc in self._db.get_all(refs, **call_options(max(self._timeout, 20.0))):
                    if doc.exists:
                        docs[doc.id] = doc.to_dict() or {}
        missing = [article_id for article_id, key in pairs if key not in docs]
        if missing:
            raise StoreError(f"knowledge base {version}: {len(missing)} articles are missing (first: {missing[0]})")
        return [_article(docs[key]) for _, key in pairs]

    # ------------------------------------------------------------------------------------ writing

    def lock_imports(self, tenant_id: str, owner: str, lease: timedelta) -> None:
        """Take or renew the tenant's import lease for ``owner``: imports of one knowledge base
        run one at a time, so one import's clean-up never meets another's writes.

        Raises:
            ConflictError: When another import holds the lease and it has not expired.
        """
        ref = self._tenant_ref(tenant_id).collection("kb_imports").document("lease")
        now = datetime.now(UTC)
        try:
            with translated("take import lease"):
                ref.create({"owner": owner, "until": now + lease}, **self._call)
            return
        except ConflictError:
            pass
        with translated("read import lease"):
            snap = ref.get(**self._call)
        data = snap.to_dict() or {}
        if data.get("owner") != owner and data.get("until") and data["until"] > now:
            raise ConflictError("another import of this knowledge base is in progress: try again when it ends")
        with translated("take import lease"):
            ref.update(
                {"owner": owner, "until": now + lease},
                option=self._db.write_option(last_update_time=snap.update_time),
                **self._call,
            )

    def unlock_imports(self, tenant_id: str, owner: str) -> None:
        """Give the import lease back (only ``owner``'s; best effort: it expires anyway)."""
        ref = self._tenant_ref(tenant_id).collection("kb_imports").document("lease")
        try:
            snap = ref.get(**self._call)
            if snap.exists and (snap.to_dict() or {}).get("owner") == owner:
                ref.delete(option=self._db.write_option(last_update_time=snap.update_time), **self._call)
        except (gexc.GoogleAPICallError, gexc.RetryError):
            log.warning("could not give the import lease back; it expires")

    def _holds_lease(self, tenant_id: str, owner: str) -> bool:
        ref = self._tenant_ref(tenant_id).collection("kb_imports").document("lease")
        with translated("read import lease"):
            data = ref.get(**self._call).to_dict() or {}
        return data.get("owner") == owner and bool(data.get("until")) and data["until"] > datetime.now(UTC)

    def publish_knowledge(
        self, tenant_id: str, release: KbRelease, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Write what the release adds, then switch the tenant to it in one guarded update.

        Chunks and articles the store already holds are skipped, so an import that failed
        half-way resumes where it stopped. Readers only ever see a finished version. After the
        switch the previous version stays readable (instances that cached the tenant still
        serve it for a while); older versions, and chunks and articles neither of the two
        refers to, are deleted.
        Raises:
            ConflictError: When another import published a version since this one read the
                store (``release.base_version``), or switched the tenant meanwhile.
        """
        tenant_ref = self._tenant_ref(tenant_id)
        with translated("read tenant"):
            snap = tenant_ref.get(**self._call)
        old = int((snap.to_dict() or {}).get("kb_version", 0)) if snap.exists else 0
        if old != release.base_version:
            raise ConflictError(f"another import published knowledge base {old} meanwhile: import again")
        version = self._reserve_version(tenant_ref, max(old + 1, int(datetime.now(UTC).timestamp() * 1000)))
        vref = tenant_ref.collection("kb_versions").document(str(version))
        new_chunks = [c for c in release.chunks if c.key not in release.existing_chunks]
        new_articles = {k: a for k, a in release.articles if k not in release.existing_articles}
        total = len(new_chunks) + len(new_articles) + len(release.blobs) + 1
        chunks = tenant_ref.collection("kb_chunks")
        articles = tenant_ref.collection("kb_articles")
        done = 0

        def writes() -> Iterator[tuple[Any, dict[str, Any]]]:
            for item in new_chunks:
                yield chunks.document(item.key), _chunk_dict(item.chunk, item.vector)
            for key, article in new_articles.items():
                yield articles.document(key), _article_dict(article)

        def commit(part: list[tuple[Any, dict[str, Any]]]) -> None:
            nonlocal done
            batch = self._db.batch()
            for ref, data in part:
                batch.set(ref, data)
            with translated("write knowledge base"):
                batch.commit(**call_options(max(self._timeout, 60.0)))
            done += len(part)
            if progress:
                progress(done, total)

        attempted = False
        try:
            for part in _batches(writes()):  # shared, content-addressed: invisible until referred to
                commit(part)
            blobs = vref.collection("blobs")
            for part in _batches((blobs.document(n), {"data": b}) for n, b in release.blobs.items()):
                commit(part)
            commit([(vref, {"created_at": datetime.now(UTC), **release.meta})])
            if release.lease_owner and not self._holds_lease(tenant_id, release.lease_owner):
                raise ConflictError("the import lease expired before the switch: import again")
            attempted = True
            self._switch(tenant_ref, snap, old, version)
        except ConflictError:
            self._delete_version(tenant_ref, version)  # never served: nothing may be left of it
            raise
        except Exception:
            if not attempted:
                self._delete_version(tenant_ref, version)
                raise
            # The switch may have landed unheard, and then this version is served. A version
            # not known to be unserved is left for the next import's clean-up.
            if self._serving(tenant_ref) != version:
                raise
        self._collect(tenant_ref, release, keep=(version, old), written=[c.key for c in new_chunks], new=new_articles)
        return version

    def _switch(self, tenant_ref: Any, snap: Any, old: int, version: int) -> None:
        """Point the tenant at ``version`` if it still points at ``old``.

        The update is guarded by the tenant's update time; when something else changed the
        tenant (its settings, say) the guard is taken again, as long as ``kb_version`` is still
        ``old``.
        Raises:
            ConflictError: When the tenant now points at another version.
        """
        for _ in range(5):
            try:
                with translated("switch knowledge base version"):
                    if snap.exists:
                        option = self._db.write_option(last_update_time=snap.update_time)
                        tenant_ref.update(
                            {"kb_version": version, "updated_at": datetime.now(UTC)}, option=option, **self._call
                        )
                    else:
                        tenant_ref.create(
                            {"name": tenant_ref.id, "kb_version": version, "created_at": datetime.now(UTC)},
                            **self._call,
                        )
                return
            except ConflictError:
                with translated("read tenant"):
                    snap = tenant_ref.get(**self._call)
                current = int((snap.to_dict() or {}).get("kb_version", 0)) if snap.exists else 0
                if current == version:
                    return  # our own switch, landed unheard
                if current != old:
                    raise
        raise ConflictError("the tenant kept changing while its knowledge base was switched: import again")

    def _reserve_version(self, tenant_ref: Any, version: int) -> int:
        """Create the version's document first, so two imports never write into one version."""
        for candidate in range(version, version + 5):
            try:
                with translated("reserve knowledge base version"):
                    tenant_ref.collection("kb_versions").document(str(candidate)).create(
                        {"created_at": datetime.now(UTC), "state": "writing"}, **self._call
                    )
                return candidate
            except ConflictError:
                continue
        raise ConflictError("knowledge base versions are being reserved concurrently: import again")

    def _serving(self, tenant_ref: Any) -> int | None:
        """The tenant's current version, or None when it cannot be read."""
        try:
            snap = tenant_ref.get(field_paths=["kb_version"], **self._call)
        except (gexc.GoogleAPICallError, gexc.RetryError):
            return None
        return int((snap.to_dict() or {}).get("kb_version", 0)) if snap.exists else 0

    def _collect(
        self, tenant_ref: Any, release: KbRelease, keep: tuple[int, int], written: list[str], new: dict[str, Any]
    ) -> None:
        """Delete versions other than ``keep`` and what neither of them refers to (best effort)."""
        try:
            versions = [int(r.id) for r in tenant_ref.collection("kb_versions").list_documents() if r.id.isdigit()]
            previous_chunks, previous_articles = self._references(tenant_ref.id, keep[1])
        except (gexc.GoogleAPICallError, gexc.RetryError, StoreError):
            log.warning("could not read old knowledge-base versions; the next import deletes them")
            return
        for old in versions:
            if old not in keep and old < keep[0]:  # a newer one is another import's, in progress
                self._delete_version(tenant_ref, old)
        keep_chunks = {c.key for c in release.chunks} | previous_chunks
        keep_articles = {k for k, _ in release.articles} | previous_articles
        self._delete_unused(tenant_ref.collection("kb_chunks"), (release.existing_chunks | set(written)) - keep_chunks)
        self._delete_unused(
            tenant_ref.collection("kb_articles"), (release.existing_articles | set(new)) - keep_articles
        )

    def _references(self, tenant_id: str, version: int) -> tuple[set[str], set[str]]:
        """The chunk and article keys one version refers to (none for the old layout)."""
        from switchboard.knowledge.packed import CorruptIndexError, assemble, stored_names, unpack_core

        meta = (self.load_kb_meta(tenant_id, version) or {}).get("index") if version > 0 else None
        if not meta:
            return set(), set()
        found = self.load_kb_blobs(tenant_id, version, stored_names(meta, ["core", "articles"]))
        try:
            tables = unpack_core(meta, assemble(meta, "core", found))
            pairs = json.loads(zlib.decompress(assemble(meta, "articles", found)))
        except CorruptIndexError as exc:
            raise StoreError(f"knowledge base {version}: {exc}") from exc
        return {tables.key(i) for i in range(tables.n)}, {key for _, key in pairs}

    def _delete_unused(self, coll: Any, keys: set[str] | frozenset[str]) -> None:
        try:
            ordered = sorted(keys)
            for start in range(0, len(ordered), BATCH_WRITES):
                batch = self._db.batch()
                for key in ordered[start : start + BATCH_WRITES]:
                    batch.delete(coll.document(key))
                batch.commit(**call_options(60.0))
        except (gexc.GoogleAPICallError, gexc.RetryError):
            # Unreferenced entries are invisible; the next import deletes them.
            log.warning("could not delete unused knowledge-base entries", extra={"count": len(keys)})

    def _delete_version(self, tenant_ref: Any, version: int) -> None:
        vref = tenant_ref.collection("kb_versions").document(str(version))
        try:
            for name in ("blobs", "articles", "chunks"):  # articles/chunks: versions of the old layout
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


#: A commit may carry 10 MiB in production, 4 MiB in the emulator (gRPC's default); batches stay
#: under this estimate of their size.
BATCH_BYTES = 3_500_000


def _size(value: Any) -> int:
    """A generous estimate of a value's stored size in bytes."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "replace")) + 1
    if isinstance(value, bytes):
        return len(value) + 1
    if isinstance(value, dict):
        return sum(len(k) + 1 + _size(v) for k, v in value.items()) + 32
    if isinstance(value, (list, tuple)):
        return sum(_size(v) for v in value) + 32
    if isinstance(value, Vector):
        return 11 * len(list(value)) + 32  # one protobuf Value per component
    return 16


def _batches(
    writes: Iterator[tuple[Any, dict[str, Any]]] | Any,
) -> Iterator[list[tuple[Any, dict[str, Any]]]]:
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


def _article(d: dict[str, Any]) -> Article:
    return Article(
        d["id"], d["title"], d["body"], d.get("entry_type", "article"), d.get("url"), tuple(d.get("tags", []))
    )


def _chunk_dict(chunk: Chunk, vector: Any) -> dict[str, Any]:
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
        import numpy as np  # only imports carry vectors: functions that never import stay without numpy

        values = np.asarray(vector, dtype="<f4")
        data["embedding"] = Vector(values.tolist())
        data["vec"] = values.tobytes()
    return data


def _chunk(d: dict[str, Any]) -> Chunk:
    return Chunk(
        id=d["id"],
        article_id=d["article_id"],
        title=d["title"],
        text=d["text"],
        entry_type=d.get("entry_type", "article"),
        url=d.get("url"),
        position=int(d.get("position", 0)),
    )


def _vector(raw: Any) -> Any:
    """A stored ``vec`` as a float32 array (None when absent)."""
    if not raw:
        return None
    import numpy as np

    return np.frombuffer(bytes(raw), dtype="<f4")
