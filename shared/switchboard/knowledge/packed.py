"""The lexical index of a knowledge-base version as the import publishes it: compact blobs.

An instance does not rebuild the index on its first request; it reads these blobs, and only
those a question needs:

- ``core``: the per-chunk tables every search needs (chunk length for BM25, the article each
  chunk belongs to, the chunk's store key), zlib-compressed.
- ``terms.0`` … ``terms.S-1``: the postings, sharded by a stable hash of the term. Each shard
  holds, per term, the chunk ordinals that contain it (delta-coded) and the term's weighted
  frequency in each. A question reads the shards of its own words and their synonyms.
- ``texts.0`` … : the chunks themselves (id, article, title, text, type, link, position),
  ``TEXT_PAGE`` chunks each in ordinal order; a question reads the pages of its passages.
- ``articles``: the version's article ids and their store keys.

A small index (``WHOLE_BYTES``: about 1,000 articles with 768-d vectors, 5,000 without) also
carries its vectors (``vectors``, float32) and is read whole when it is opened, so a question then
costs no store read at all.

A blob larger than a Firestore document holds is stored in parts (``core.0``, ``core.1``…).
The meta (format, counts, average length, shard count, the parts, a SHA-256 per stored blob)
is stored beside them; a blob whose checksum does not match is refused. Chunks are numbered in
the order of their ids, so ties in ranking break exactly as they always did (by chunk id).
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from switchboard.knowledge.articles import Article, Chunk
from switchboard.knowledge.synonyms import canonical
from switchboard.knowledge.text import tokens

FORMAT = 1
TITLE_WEIGHT = 2.0
#: Bytes of a chunk key (hex in the store: 24 characters).
KEY_BYTES = 12
#: A blob is stored in one Firestore document (at most 1 MiB with its name and field).
PART_BYTES = 900_000
#: Raw postings bytes aimed at per term shard (about a third of it once compressed).
SHARD_RAW_BYTES = 128_000
MAX_SHARDS = 8192
#: Chunks per ``texts.P`` blob (about 12 kB compressed): a question reads the pages of its passages.
TEXT_PAGE = 32
#: An index whose postings, texts and vectors take at most this many bytes is read whole.
WHOLE_BYTES = 16_000_000


class CorruptIndexError(RuntimeError):
    """A stored blob does not match the checksum the import recorded."""


def chunk_key(chunk: Chunk, dense_model: str = "") -> str:
    """The store key of a chunk: a hash of everything stored with it and of how its vector was
    made (``dense_model``: the embedder's name and the vector recipe, "" without a vector).

    Re-importing an unchanged chunk gives the same key, so it is neither embedded nor written again.
    """
    data = [chunk.id, chunk.article_id, chunk.title, chunk.text, chunk.entry_type, chunk.url, chunk.position]
    return _digest([*data, dense_model])


def article_key(article: Article) -> str:
    """The store key of an article: a hash of its fields."""
    return _digest([article.id, article.title, article.body, article.entry_type, article.url, list(article.tags)])


def _digest(data: list[Any]) -> str:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(raw).digest()[:KEY_BYTES].hex()


def term_frequencies(chunk: Chunk) -> dict[str, float]:
    """A chunk's weighted term frequencies: its text once, its title twice."""
    tf: dict[str, float] = dict(Counter(tokens(canonical(chunk.text))))
    for term in tokens(canonical(chunk.title)):
        tf[term] = tf.get(term, 0.0) + TITLE_WEIGHT
    return tf


def shard_of(term: str, shards: int) -> int:
    """The shard a term's postings live in."""
    return zlib.crc32(term.encode("utf-8")) % shards


@dataclass
class LexicalTables:
    """Everything lexical search reads, as arrays indexed by chunk ordinal.

    Attributes:
        n: Number of chunks.
        avg_len: Mean weighted chunk length.
        lengths: Weighted length per chunk (float64).
        article_of: Article ordinal per chunk (int32).
        keys: Store key per chunk, ``KEY_BYTES`` each, concatenated.
        postings: Term → (chunk ordinals ascending, weighted frequencies); complete when built
            in memory, filled shard by shard when loaded.
    """

    n: int
    avg_len: float
    lengths: Any
    article_of: Any
    keys: bytes
    postings: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def key(self, ordinal: int) -> str:
        """The store key of chunk ``ordinal``."""
        return self.keys[ordinal * KEY_BYTES : (ordinal + 1) * KEY_BYTES].hex()


def build_tables(chunks: Sequence[Chunk], keys: Sequence[str]) -> LexicalTables:
    """Tokenise every chunk once into the tables; ``chunks`` must be in id order."""
    articles: dict[str, int] = {}
    lengths = np.zeros(len(chunks), dtype=np.float64)
    article_of = np.zeros(len(chunks), dtype=np.int32)
    grouped: dict[str, tuple[list[int], list[float]]] = {}
    for i, chunk in enumerate(chunks):
        tf = term_frequencies(chunk)
        lengths[i] = sum(tf.values())
        article_of[i] = articles.setdefault(chunk.article_id, len(articles))
        for term, freq in tf.items():
            found = grouped.get(term)
            if found is None:
                grouped[term] = ([i], [freq])
            else:
                found[0].append(i)
                found[1].append(freq)
    postings = {t: (np.asarray(o, dtype=np.int32), np.asarray(f, dtype=np.float64)) for t, (o, f) in grouped.items()}
    n = len(chunks)
    return LexicalTables(
        n=n,
        avg_len=float(lengths.sum() / n) if n else 1.0,
        lengths=lengths,
        article_of=article_of,
        keys=b"".join(bytes.fromhex(k) for k in keys),
        postings=postings,
    )


@dataclass(frozen=True)
class PackedIndex:
    """The blobs of one version and the meta that describes and checks them."""

    meta: dict[str, Any]
    blobs: dict[str, bytes]


def pack(
    tables: LexicalTables, chunks: Sequence[Chunk], extra: dict[str, bytes] | None = None, vectors: Any = None
) -> PackedIndex:
    """Serialise ``tables``, the ``chunks`` themselves (in ordinal order, ``TEXT_PAGE`` to a
    ``texts.P`` blob) and ``extra`` blobs into checksummed blobs of at most PART_BYTES.

    When postings, texts and ``vectors`` (float32, one row per chunk) together take at most
    ``WHOLE_BYTES``, the vectors are packed too (``vectors``) and the meta says ``whole``: an
    instance then reads the whole index when it opens it and answers without store reads."""
    core = struct.pack("<4sII", b"SBK1", tables.n, KEY_BYTES)
    core += tables.lengths.astype("<f4").tobytes() + tables.article_of.astype("<i4").tobytes() + tables.keys
    logical = {"core": zlib.compress(core, 6), **(extra or {})}
    for page, start in enumerate(range(0, len(chunks), TEXT_PAGE)):
        rows = [
            [c.id, c.article_id, c.title, c.text, c.entry_type, c.url, c.position]
            for c in chunks[start : start + TEXT_PAGE]
        ]
        logical[f"texts.{page}"] = zlib.compress(json.dumps(rows, ensure_ascii=False).encode("utf-8"), 6)
    total = sum(len(o) for o, _ in tables.postings.values())
    shards = max(1, min(MAX_SHARDS, math.ceil(total * 8 / SHARD_RAW_BYTES)))
    grouped: list[list[str]] = [[] for _ in range(shards)]
    for term in sorted(tables.postings):
        grouped[shard_of(term, shards)].append(term)
    for s, terms in enumerate(grouped):
        logical[f"terms.{s}"] = _pack_shard(terms, tables.postings)
    servable = sum(len(b) for n, b in logical.items() if n.startswith(("terms.", "texts.")))
    matrix = None if vectors is None else np.ascontiguousarray(vectors, dtype="<f4")
    whole = servable + (0 if matrix is None else matrix.nbytes) <= WHOLE_BYTES
    if whole and matrix is not None:
        logical["vectors"] = matrix.tobytes()
    blobs: dict[str, bytes] = {}
    parts: dict[str, int] = {}
    for name, blob in logical.items():
        if len(blob) <= PART_BYTES:
            blobs[name] = blob
            continue
        pieces = [blob[i : i + PART_BYTES] for i in range(0, len(blob), PART_BYTES)]
        parts[name] = len(pieces)
        blobs.update({f"{name}.{i}": piece for i, piece in enumerate(pieces)})
    meta = {
        "format": FORMAT,
        "chunks": tables.n,
        "avg_len": tables.avg_len,
        "shards": shards,
        "text_pages": math.ceil(len(chunks) / TEXT_PAGE),
        "text_page": TEXT_PAGE,
        "parts": parts,
        "whole": whole,
        "checksums": {name: hashlib.sha256(blob).hexdigest() for name, blob in blobs.items()},
    }
    return PackedIndex(meta, blobs)


def stored_names(meta: dict[str, Any], names: Iterable[str]) -> list[str]:
    """The stored blobs that hold the blobs ``names`` (a large one is stored in parts)."""
    out: list[str] = []
    for name in names:
        count = int(meta.get("parts", {}).get(name, 0))
        out.extend([f"{name}.{i}" for i in range(count)] if count else [name])
    return out


def assemble(meta: dict[str, Any], name: str, found: dict[str, bytes]) -> bytes:
    """Blob ``name`` from the stored blobs read, each checked against its checksum.

    Raises:
        CorruptIndexError: When a part is missing or does not match its checksum.
    """
    pieces = []
    for part in stored_names(meta, [name]):
        if part not in found:
            raise CorruptIndexError(f"blob {part} is missing")
        pieces.append(check(meta, part, found[part]))
    return b"".join(pieces)


def _pack_shard(terms: list[str], postings: dict[str, tuple[Any, Any]]) -> bytes:
    counts = [len(postings[t][0]) for t in terms]
    header = json.dumps({"terms": terms, "counts": counts}, ensure_ascii=False, separators=(",", ":")).encode()
    deltas = [np.diff(postings[t][0], prepend=0).astype("<u4").tobytes() for t in terms]
    freqs = [postings[t][1].astype("<f4").tobytes() for t in terms]
    return zlib.compress(struct.pack("<I", len(header)) + header + b"".join(deltas) + b"".join(freqs), 6)


def check(meta: dict[str, Any], name: str, blob: bytes) -> bytes:
    """``blob`` when its SHA-256 matches the one recorded for ``name``.

    Raises:
        CorruptIndexError: When it does not (or none was recorded).
    """
    if meta.get("checksums", {}).get(name) != hashlib.sha256(blob).hexdigest():
        raise CorruptIndexError(f"knowledge-base blob {name} does not match its checksum")
    return blob


def unpack_core(meta: dict[str, Any], blob: bytes) -> LexicalTables:
    """The per-chunk tables from the core blob."""
    raw = zlib.decompress(blob)
    magic, n, key_bytes = struct.unpack_from("<4sII", raw)
    if magic != b"SBK1" or key_bytes != KEY_BYTES or n != meta["chunks"]:
        raise CorruptIndexError("knowledge-base core does not match its meta")
    offset = struct.calcsize("<4sII")
    lengths = np.frombuffer(raw, dtype="<f4", count=n, offset=offset).astype(np.float64)
    article_of = np.frombuffer(raw, dtype="<i4", count=n, offset=offset + 4 * n)
    keys = raw[offset + 8 * n : offset + 8 * n + key_bytes * n]
    return LexicalTables(n=n, avg_len=float(meta["avg_len"]), lengths=lengths, article_of=article_of, keys=keys)


class Shard:
    """One term shard, decoded term by term as questions ask for them."""

    def __init__(self, blob: bytes) -> None:
        raw = zlib.decompress(blob)
        (size,) = struct.unpack_from("<I", raw)
        header = json.loads(raw[4 : 4 + size])
        counts = header["counts"]
        total = sum(counts)
        self._deltas = np.frombuffer(raw, dtype="<u4", count=total, offset=4 + size)
        self._freqs = np.frombuffer(raw, dtype="<f4", count=total, offset=4 + size + 4 * total)
        self._where: dict[str, tuple[int, int]] = {}
        start = 0
        for term, count in zip(header["terms"], counts, strict=True):
            self._where[term] = (start, count)
            start += count
        self.nbytes = len(raw)

    def __contains__(self, term: str) -> bool:
        return term in self._where

    def get(self, term: str) -> tuple[Any, Any] | None:
        """The term's chunk ordinals and weighted frequencies, or None when no chunk has it."""
        found = self._where.get(term)
        if found is None:
            return None
        start, count = found
        ords = np.cumsum(self._deltas[start : start + count], dtype=np.int64).astype(np.int32)
        return ords, self._freqs[start : start + count].astype(np.float64)


def unpack_texts(blob: bytes) -> list[Chunk]:
    """The chunks of one ``texts.P`` blob, in ordinal order."""
    return [
        Chunk(id=r[0], article_id=r[1], title=r[2], text=r[3], entry_type=r[4], url=r[5], position=int(r[6]))
        for r in json.loads(zlib.decompress(blob))
    ]


def shard_names(meta: dict[str, Any], terms: Iterable[str]) -> list[str]:
    """The names of the shards holding ``terms``, each once."""
    shards = int(meta["shards"])
    return sorted({f"terms.{shard_of(t, shards)}" for t in terms})
