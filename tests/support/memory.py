"""In-memory implementations of our own store ports, for the fast tier.

They implement :class:`~switchboard.store.base.TurnStore`, :class:`~switchboard.store.base.EscalationStore`
and :class:`~switchboard.store.base.Claims` over one :class:`MemoryDatabase`, so an escalation's
open problem is visible to the next turn and a desk handing a conversation to a person is visible
to the Kommo reply, as in Firestore. They imitate our ports, not Firestore: ``tests/contract``
runs the same assertions against them and against the Firestore adapters on Google's emulator,
so they cannot drift.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from switchboard.config import RateLimit
from switchboard.core.models import (
    Conversation,
    ConversationInfo,
    Escalation,
    Message,
    OpenProblem,
    StoredMessage,
    Tenant,
)
from switchboard.errors import ConflictError, StoreError
from switchboard.knowledge.articles import Article, Chunk, KbRelease
from switchboard.store.base import Claim, DeadLetter, RateDecision, SupportUser, TurnRecord
from switchboard.store.records import (
    conversation_info,
    cursor_id,
    cursor_time,
    decode_cursor,
    encode_cursor,
    escalation_from,
    escalation_record,
)

#: As the Firestore adapter: ``recent`` is trimmed to RECENT_KEEP once it outgrows RECENT_MAX.
RECENT_KEEP = 24
RECENT_MAX = 48

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class MemoryDatabase:
    """Everything the in-memory adapters hold; one lock makes each operation atomic."""

    clock: Clock = _now
    lock: threading.RLock = field(default_factory=threading.RLock)
    tenants: dict[str, Tenant] = field(default_factory=dict)
    api_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    conversations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, dict[str, Any]]] = field(default_factory=dict)
    rate_windows: dict[tuple[str, str, int], int] = field(default_factory=dict)
    usage: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    #: (tenant, version) → (article keys in id order, meta, blobs, chunk keys)
    kb_versions: dict[tuple[str, int], tuple[list[str], dict[str, Any], dict[str, bytes], set[str]]] = field(
        default_factory=dict
    )
    #: (tenant, key) → chunk and its vector (float32 array or None)
    kb_chunks: dict[tuple[str, str], tuple[Chunk, Any]] = field(default_factory=dict)
    kb_articles: dict[tuple[str, str], Article] = field(default_factory=dict)
    #: tenant → (owner, until): the import lease
    kb_leases: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    open_problems: dict[tuple[str, str], dict[str, dict[str, Any]]] = field(default_factory=dict)
    escalations: dict[tuple[str, str], tuple[dict[str, Any], datetime]] = field(default_factory=dict)
    claims: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    desk_links: dict[str, tuple[str, str]] = field(default_factory=dict)
    deliveries: set[str] = field(default_factory=set)
    feedback: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    bot_states: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    rollups: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def count(self, tenant_id: str, day: str, counters: dict[str, int]) -> None:
        bucket = self.usage.setdefault((tenant_id, day), {})
        for key, value in counters.items():
            bucket[key] = bucket.get(key, 0) + value

    def tick(self) -> datetime:
        """A write time strictly after the previous one (update times order writes)."""
        now = self.clock()
        last = getattr(self, "_last_write", None)
        if last is not None and now <= last:
            now = last + timedelta(microseconds=1)
        self._last_write = now
        return now


class InMemoryStore:
    """The turn store in memory (conversations, rate limits, usage, tenants, knowledge)."""

    def __init__(self, db: MemoryDatabase | None = None) -> None:
        self.db = db or MemoryDatabase()

    def get_tenant(self, tenant_id: str) -> Tenant | None:
        with self.db.lock:
            tenant = self.db.tenants.get(tenant_id)
            return replace(tenant) if tenant else None

    def tenant_for_key(self, key_hash: str, kind: str = "api") -> str | None:
        found = self.db.api_keys.get(key_hash)
        return found[0] if found and found[1] == kind else None

    def save_tenant(self, tenant: Tenant) -> None:
        with self.db.lock:
            current = self.db.tenants.get(tenant.id)
            version = current.kb_version if current else 0
            self.db.tenants[tenant.id] = replace(tenant, kb_version=version)

    def revoke_keys(self, tenant_id: str, kind: str) -> int:
        with self.db.lock:
            gone = [h for h, (t, k) in self.db.api_keys.items() if t == tenant_id and k == kind]
            for digest in gone:
                del self.db.api_keys[digest]
            return len(gone)

    def add_api_key(self, key_hash: str, tenant_id: str, kind: str = "api") -> None:
        with self.db.lock:
            if key_hash in self.db.api_keys:
                raise ConflictError("add key: concurrent change")
            self.db.api_keys[key_hash] = (tenant_id, kind)

    def begin_turn(
        self, tenant_id: str, conversation_key: str, user_id: str, rate: RateLimit, now: datetime, channel: str = ""
    ) -> tuple[Conversation, RateDecision]:
        epoch = int(now.timestamp())
        window_start = epoch - epoch % rate.seconds
        with self.db.lock:
            window = (tenant_id, user_id, window_start)
            count = self.db.rate_windows.get(window, 0) + 1
            self.db.rate_windows[window] = count
            counters = {"requests": 1, **({f"channel_{channel}": 1} if channel else {})}
            self.db.count(tenant_id, now.date().isoformat(), counters)
            conversation = self._conversation(tenant_id, conversation_key)
            opened = self.db.open_problems.get((tenant_id, user_id), {})
            conversation.open_problems = [
                OpenProblem(eid, item.get("ticket_id"), tuple(item.get("terms") or [])) for eid, item in opened.items()
            ]
        reset = max(1, int(window_start + rate.seconds - now.timestamp() + 0.999))
        return conversation, RateDecision(count <= rate.limit, count, reset)

    def _conversation(self, tenant_id: str, key: str) -> Conversation:
        data = self.db.conversations.get((tenant_id, key))
        if data is None:
            return Conversation(key=key)
        return Conversation(
            key=key,
            exists=True,
            owner=data.get("owner", "ai"),
            channel=data.get("channel", ""),
            language=data.get("language"),
            created_at=data.get("created_at"),
            recent=list(data.get("recent", [])),
            turn_count=int(data.get("turn_count", 0)),
            time_escalated=bool(data.get("time_escalated", False)),
            context_reset_at=data.get("context_reset_at"),
            version=data.get("updated_at"),
            stored={k: v for k, v in data.items() if k != "recent"},
        )

    def save_turn(self, tenant_id: str, conversation: Conversation, record: TurnRecord, now: datetime) -> None:
        new = [record.user_message] + ([record.reply] if record.reply else [])
        with self.db.lock:
            data = self.db.conversations.get((tenant_id, conversation.key))
            if data is None:
                data = {"created_at": now, "owner": "ai", "recent": [], "turn_count": 0}
                self.db.conversations[(tenant_id, conversation.key)] = data
            data.update(record.conversation_fields)
            recent = data["recent"] + [m for m in new if all(m.id != r.id for r in data["recent"])]
            data["recent"] = recent if len(recent) <= RECENT_MAX else recent[-RECENT_KEEP:]
            data["turn_count"] = int(data.get("turn_count", 0)) + (1 if record.reply else 0)
            data["updated_at"] = now
            box = self.db.messages.setdefault((tenant_id, conversation.key), {})
            box[record.user_message.id] = {"message": record.user_message, "meta": {}}
            if record.counters:
                self.db.count(tenant_id, now.date().isoformat(), record.counters)
            if record.reply:
                meta = {**record.reply_meta, "usage": record.usage} if record.usage else record.reply_meta
                box[record.reply.id] = {"message": record.reply, "meta": meta}

    def append_message(
        self,
        tenant_id: str,
        conversation_key: str,
        message: Message,
        fields: dict[str, Any],
        meta: dict[str, Any],
        *,
        in_context: bool = True,
    ) -> bool:
        with self.db.lock:
            box = self.db.messages.setdefault((tenant_id, conversation_key), {})
            if message.id in box:
                return False
            box[message.id] = {"message": message, "meta": meta}
            data = self.db.conversations.setdefault((tenant_id, conversation_key), {"recent": []})
            data.update(fields)
            data["inactive"] = False
            if in_context:
                data["recent"] = [*data.get("recent", []), message]
            data["updated_at"] = self.db.clock()
            return True

    def conversation_owner(self, tenant_id: str, conversation_key: str) -> str:
        with self.db.lock:
            return str(self.db.conversations.get((tenant_id, conversation_key), {}).get("owner", "ai"))

    def find_conversation(self, tenant_id: str, conversation_key: str) -> tuple[str, str] | None:
        with self.db.lock:
            data = self.db.conversations.get((tenant_id, conversation_key))
            if data is None:
                return None
            return str(data.get("owner", "ai")), str(data.get("channel", ""))

    def messages(self, tenant_id: str, conversation_key: str) -> list[tuple[Message, dict[str, Any]]]:
        """Every stored message of a conversation, oldest first, with its meta (for assertions)."""
        with self.db.lock:
            box = self.db.messages.get((tenant_id, conversation_key), {})
            return [(v["message"], v["meta"]) for _, v in sorted(box.items())]

    def daily_usage(self, tenant_id: str, day: str) -> dict[str, int]:
        with self.db.lock:
            return dict(sorted(self.db.usage.get((tenant_id, day), {}).items()))

    def usage_between(self, tenant_id: str, first_day: str, last_day: str) -> dict[str, dict[str, int]]:
        with self.db.lock:
            found = {d: dict(sorted(c.items())) for (t, d), c in self.db.usage.items() if t == tenant_id}
        return {d: c for d, c in sorted(found.items()) if first_day <= d <= last_day}

    def load_kb_meta(self, tenant_id: str, kb_version: int) -> dict[str, Any] | None:
        with self.db.lock:
            found = self.db.kb_versions.get((tenant_id, kb_version))
        return copy.deepcopy(found[1]) if found else None

    def load_kb_blobs(self, tenant_id: str, kb_version: int, names: Sequence[str]) -> dict[str, bytes]:
        with self.db.lock:
            found = self.db.kb_versions.get((tenant_id, kb_version))
        blobs = found[2] if found else {}
        return {n: blobs[n] for n in names if n in blobs}

    def get_chunks(
        self, tenant_id: str, keys: Sequence[str], vectors: bool = False
    ) -> dict[str, tuple[Chunk | None, Any]]:
        with self.db.lock:
            found = {k: v for k in keys if (v := self.db.kb_chunks.get((tenant_id, k))) is not None}
        if vectors:
            return {k: (None, vec.copy()) for k, (_, vec) in found.items() if vec is not None}
        return {k: (chunk, None) for k, (chunk, _) in found.items()}

    def nearest_chunks(self, tenant_id: str, vector: Sequence[float], limit: int) -> list[tuple[str, Any]]:
        query = np.asarray(vector, dtype=np.float64)
        with self.db.lock:
            stored = [(k, v) for (t, k), (_, v) in self.db.kb_chunks.items() if t == tenant_id and v is not None]
        scored = []
        for key, vec in stored:
            if len(vec) == len(query):
                norms = float(np.linalg.norm(vec) * np.linalg.norm(query)) or 1.0
                scored.append((-float(np.dot(vec.astype(np.float64), query)) / norms, key, vec))
        return [(key, vec.copy()) for _, key, vec in sorted(scored, key=lambda s: (s[0], s[1]))[:limit]]

    def knowledge_keys(self, tenant_id: str) -> tuple[set[str], set[str]]:
        with self.db.lock:
            chunks = {k for t, k in self.db.kb_chunks if t == tenant_id}
            articles = {k for t, k in self.db.kb_articles if t == tenant_id}
        return chunks, articles

    def chunk_vectors(self, tenant_id: str, keys: Sequence[str]) -> dict[str, Any]:
        return {k: v for k, (_, v) in self.get_chunks(tenant_id, keys, vectors=True).items()}

    def list_articles(self, tenant_id: str) -> list[Article]:
        with self.db.lock:
            tenant = self.db.tenants.get(tenant_id)
            found = self.db.kb_versions.get((tenant_id, tenant.kb_version)) if tenant else None
            if not found:
                return []
            missing = [k for k in found[0] if (tenant_id, k) not in self.db.kb_articles]
            if missing:
                raise StoreError(f"knowledge base {tenant.kb_version}: {len(missing)} articles are missing")
            return [self.db.kb_articles[(tenant_id, k)] for k in found[0]]

    def lock_imports(self, tenant_id: str, owner: str, lease: timedelta) -> None:
        with self.db.lock:
            now = self.db.clock()
            held = self.db.kb_leases.get(tenant_id)
            if held and held[0] != owner and held[1] > now:
                raise ConflictError("another import of this knowledge base is in progress: try again when it ends")
            self.db.kb_leases[tenant_id] = (owner, now + lease)

    def unlock_imports(self, tenant_id: str, owner: str) -> None:
        with self.db.lock:
            if self.db.kb_leases.get(tenant_id, ("", None))[0] == owner:
                del self.db.kb_leases[tenant_id]

    def publish_knowledge(self, tenant_id: str, release: KbRelease, progress: Any = None) -> int:
        new_chunks = [c for c in release.chunks if c.key not in release.existing_chunks]
        new_articles = [(k, a) for k, a in release.articles if k not in release.existing_articles]
        with self.db.lock:
            tenant = self.db.tenants.get(tenant_id) or Tenant(id=tenant_id, name=tenant_id)
            if tenant.kb_version != release.base_version:
                raise ConflictError(f"another import published knowledge base {tenant.kb_version} meanwhile")
            held = self.db.kb_leases.get(tenant_id)
            if release.lease_owner and not (held and held[0] == release.lease_owner and held[1] > self.db.clock()):
                raise ConflictError("the import lease expired before the switch: import again")
            for item in new_chunks:
                vector = None if item.vector is None else np.asarray(item.vector, dtype=np.float32).copy()
                self.db.kb_chunks[(tenant_id, item.key)] = (item.chunk, vector)
            for key, article in new_articles:
                self.db.kb_articles[(tenant_id, key)] = article
            version = max(tenant.kb_version + 1, int(self.db.clock().timestamp() * 1000))
            while (tenant_id, version) in self.db.kb_versions:
                version += 1
            chunk_keys = {c.key for c in release.chunks}
            self.db.kb_versions[(tenant_id, version)] = (
                [k for k, _ in release.articles],
                copy.deepcopy(release.meta),
                dict(release.blobs),
                chunk_keys,
            )
            self.db.tenants[tenant_id] = replace(tenant, kb_version=version)
            # the previous version stays readable; older ones and what neither refers to go
            keep = {version, tenant.kb_version}
            for key in [k for k in self.db.kb_versions if k[0] == tenant_id and k[1] not in keep]:
                del self.db.kb_versions[key]
            previous = self.db.kb_versions.get((tenant_id, tenant.kb_version))
            keep_chunks = chunk_keys | (previous[3] if previous else set())
            keep_articles = {k for k, _ in release.articles} | set(previous[0] if previous else ())
            for key in [k for k in self.db.kb_chunks if k[0] == tenant_id and k[1] not in keep_chunks]:
                del self.db.kb_chunks[key]
            for key in [k for k in self.db.kb_articles if k[0] == tenant_id and k[1] not in keep_articles]:
                del self.db.kb_articles[key]
        if progress:
            total = len(new_chunks) + len(new_articles) + len(release.blobs) + 1
            progress(total, total)
        return version

    def _info(self, key: str, data: dict[str, Any]) -> ConversationInfo:
        return conversation_info(key, {k: _copy(v) for k, v in data.items() if k != "recent"})

    def list_conversations(
        self,
        tenant_id: str,
        *,
        limit: int,
        cursor: str | None = None,
        owner: str | None = None,
        channel: str | None = None,
    ) -> tuple[list[ConversationInfo], str | None]:
        with self.db.lock:
            rows = [
                self._info(key, data)
                for (t, key), data in self.db.conversations.items()
                if t == tenant_id
                and data.get("updated_at") is not None
                and (owner is None or data.get("owner", "ai") == owner)
                and (channel is None or data.get("channel") == channel)
            ]
        rows.sort(key=lambda c: (c.updated_at, c.key), reverse=True)
        if cursor:
            values = decode_cursor(cursor)
            mark = (cursor_time(values, "u"), cursor_id(values, "k"))
            rows = [c for c in rows if (c.updated_at, c.key) < mark]
        page = rows[:limit]
        more = len(rows) > limit and page
        token = encode_cursor({"u": page[-1].updated_at.isoformat(), "k": page[-1].key}) if more else None  # type: ignore[union-attr]
        return page, token

    def get_conversation(self, tenant_id: str, conversation_key: str) -> ConversationInfo | None:
        with self.db.lock:
            data = self.db.conversations.get((tenant_id, conversation_key))
            return None if data is None else self._info(conversation_key, data)

    def conversation_messages(
        self, tenant_id: str, conversation_key: str, *, limit: int, cursor: str | None = None
    ) -> tuple[list[StoredMessage], str | None]:
        with self.db.lock:
            box = self.db.messages.get((tenant_id, conversation_key), {})
            rows = sorted(
                (StoredMessage(v["message"], _copy(v["meta"])) for v in box.values()),
                key=lambda m: (m.message.at, m.message.id),
            )
        if cursor:
            values = decode_cursor(cursor)
            mark = (cursor_time(values, "a"), cursor_id(values, "i"))
            rows = [m for m in rows if (m.message.at, m.message.id) > mark]
        page = rows[:limit]
        if len(rows) <= limit or not page:
            return page, None
        return page, encode_cursor({"a": page[-1].message.at.isoformat(), "i": page[-1].message.id})

    def conversations_active_since(self, tenant_id: str, since: datetime) -> list[ConversationInfo]:
        with self.db.lock:
            return [
                self._info(key, data)
                for (t, key), data in self.db.conversations.items()
                if t == tenant_id and data.get("updated_at") is not None and data["updated_at"] >= since
            ]

    def mark_inactive(self, tenant_id: str, idle_since: datetime) -> int:
        marked = 0
        with self.db.lock:
            for (t, _key), data in self.db.conversations.items():
                updated = data.get("updated_at")
                if t == tenant_id and data.get("inactive") is False and updated is not None and updated < idle_since:
                    data.update(inactive=True, inactive_since=idle_since)
                    marked += 1
        return marked

    def conversation_counts(self, tenant_id: str) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        with self.db.lock:
            for (t, _key), data in self.db.conversations.items():
                if t == tenant_id:
                    pair = (str(data.get("owner", "ai")), str(data.get("channel", "")))
                    counts[pair] = counts.get(pair, 0) + 1
        return counts

    def save_rollup(self, tenant_id: str, day: str, rollup: dict[str, Any]) -> None:
        with self.db.lock:
            self.db.rollups[(tenant_id, day)] = _copy({**rollup, "date": day})

    def rollups_between(self, tenant_id: str, first_day: str, last_day: str) -> dict[str, dict[str, Any]]:
        with self.db.lock:
            return {
                day: _copy(r)
                for (t, day), r in sorted(self.db.rollups.items())
                if t == tenant_id and first_day <= day <= last_day
            }

    def list_tenants(self) -> list[str]:
        with self.db.lock:
            conversations = {t for t, _ in self.db.conversations}
            return sorted(set(self.db.tenants) | conversations | {t for t, _ in self.db.usage})

    def ping(self, timeout: float) -> None:
        return None


class InMemoryEscalations:
    """The escalation store in memory (escalations, open problems, desk links, deliveries, feedback)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db

    def create(self, escalation: Escalation) -> None:
        key = (escalation.tenant_id, escalation.id)
        with self.db.lock:
            if key in self.db.escalations:
                raise ConflictError("create escalation: concurrent change")
            self.db.escalations[key] = (escalation_record(escalation), self.db.tick())
            problems = self.db.open_problems.setdefault((escalation.tenant_id, escalation.agent_id), {})
            problems[escalation.id] = {
                "ticket_id": None,
                "terms": escalation.problem_terms,
                "at": escalation.created_at,
            }

    def get(self, tenant_id: str, escalation_id: str) -> Escalation | None:
        with self.db.lock:
            found = self.db.escalations.get((tenant_id, escalation_id))
            if found is None:
                return None
            data, version = found
            return escalation_from(tenant_id, escalation_id, _copy(data), version)

    def update(
        self,
        escalation: Escalation,
        fields: dict[str, Any],
        *,
        guarded: bool = False,
        open_problem: dict[str, Any] | None = None,
        close_problem: bool = False,
        pending_add: Sequence[str] = (),
        pending_remove: Sequence[str] = (),
    ) -> None:
        key = (escalation.tenant_id, escalation.id)
        with self.db.lock:
            found = self.db.escalations.get(key)
            if found is None:
                raise StoreError("update escalation: it does not exist")
            data, version = found
            if guarded and version != escalation.version:
                raise ConflictError("update escalation: concurrent change")
            data = _copy(data)
            for path, value in {**fields, "updated_at": self.db.clock()}.items():
                _set_path(data, path, value)
            if pending_remove or pending_add:
                kept = [k for k in data.get("pending", []) if k not in pending_remove]
                data["pending"] = kept + [k for k in dict.fromkeys(pending_add) if k not in kept]
            self.db.escalations[key] = (data, self.db.tick())
            problems = self.db.open_problems.setdefault((escalation.tenant_id, escalation.agent_id), {})
            if open_problem is not None:
                problems[escalation.id] = open_problem
            if close_problem:
                problems.pop(escalation.id, None)

    def ticketed_for_user(self, tenant_id: str, agent_id: str, exclude: str) -> list[Escalation]:
        with self.db.lock:
            found = [
                escalation_from(t, eid, _copy(data), version)
                for (t, eid), (data, version) in self.db.escalations.items()
                if t == tenant_id and eid != exclude
            ]
        mine = [e for e in found if e.agent_id == agent_id and e.status == "ticketed"]
        return sorted(mine, key=lambda e: e.created_at, reverse=True)

    def with_pending(self, tenant_id: str, kind: str, older_than: datetime, limit: int = 200) -> list[Escalation]:
        with self.db.lock:
            found = [
                escalation_from(t, eid, _copy(data), version)
                for (t, eid), (data, version) in self.db.escalations.items()
                if t == tenant_id and kind in (data.get("pending") or [])
            ][:limit]
        return [e for e in found if e.version is None or e.version <= older_than]

    def tickets_between(self, tenant_id: str, start: datetime, end: datetime) -> int:
        with self.db.lock:
            return sum(
                1
                for (t, _eid), (data, _version) in self.db.escalations.items()
                if t == tenant_id and data.get("ticketed_at") is not None and start <= data["ticketed_at"] < end
            )

    def tenants_with_pending(self) -> list[str]:
        with self.db.lock:
            return sorted({t for t, _ in self.db.escalations} | set(self.db.tenants))

    def link_desk_conversation(self, account_id: int, conversation_id: int, tenant_id: str, escalation_id: str) -> None:
        with self.db.lock:
            self.db.desk_links[f"{account_id}:{conversation_id}"] = (tenant_id, escalation_id)

    def desk_link(self, account_id: int, conversation_id: int) -> tuple[str, str] | None:
        return self.db.desk_links.get(f"{account_id}:{conversation_id}")

    def first_delivery(self, delivery_id: str) -> bool:
        with self.db.lock:
            if delivery_id in self.db.deliveries:
                return False
            self.db.deliveries.add(delivery_id)
            return True

    def forget_delivery(self, delivery_id: str) -> None:
        with self.db.lock:
            self.db.deliveries.discard(delivery_id)

    def set_conversation_owner(
        self, tenant_id: str, conversation_doc_id: str, owner: str, *, reset_context: bool = False
    ) -> None:
        with self.db.lock:
            data = self.db.conversations.setdefault((tenant_id, conversation_doc_id), {"recent": []})
            data.update(owner=owner, owner_changed_at=self.db.clock())
            if reset_context:
                data.update(recent=[], context_reset_at=self.db.clock(), time_escalated=False)

    def record_feedback(self, tenant_id: str, message_id: str, data: dict[str, Any], helpful: bool) -> None:
        with self.db.lock:
            if (tenant_id, message_id) in self.db.feedback:
                raise ConflictError("record feedback: concurrent change")
            self.db.feedback[(tenant_id, message_id)] = {**data, "created_at": self.db.clock()}
            counter = "feedback_helpful" if helpful else "feedback_unhelpful"
            self.db.count(tenant_id, self.db.clock().date().isoformat(), {counter: 1})


class InMemoryClaims:
    """The claim primitive in memory, with the same states, leases and attempts as Firestore's."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db

    def claim(self, tenant_id: str, key: str, lease: timedelta) -> Claim:
        now = self.db.clock()
        with self.db.lock:
            data = self.db.claims.get((tenant_id, key))
            if data is None:
                self.db.claims[(tenant_id, key)] = {"state": "in_progress", "lease_until": now + lease, "attempts": 1}
                return Claim("acquired", 1)
            attempts, result = int(data["attempts"]), data.get("result")
            if data["state"] == "done":
                return Claim("done", attempts, result, data.get("outcome", ""))
            if data["state"] == "in_progress" and data["lease_until"] and data["lease_until"] > now:
                return Claim("busy", attempts, result)
            data.update(state="in_progress", lease_until=now + lease, attempts=attempts + 1)
            return Claim("acquired", attempts + 1, result)

    def save_result(self, tenant_id: str, key: str, result: dict[str, Any]) -> None:
        with self.db.lock:
            self._existing(tenant_id, key)["result"] = _copy(result)

    def finish(self, tenant_id: str, key: str, outcome: str = "done") -> None:
        with self.db.lock:
            self._existing(tenant_id, key).update(state="done", lease_until=None, outcome=outcome)

    def release(self, tenant_id: str, key: str) -> None:
        with self.db.lock:
            data = self.db.claims.get((tenant_id, key))
            if data is not None:
                data.update(state="released", lease_until=None)

    def _existing(self, tenant_id: str, key: str) -> dict[str, Any]:
        data = self.db.claims.get((tenant_id, key))
        if data is None:
            raise StoreError("claim: no such claim")
        return data


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted field path (``desk.conversation_id``), as Firestore's update does."""
    *parents, last = path.split(".")
    node = data
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value


class InMemoryDeadLetters:
    """Dead letters in memory, newest first."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self.letters: dict[str, DeadLetter] = {}

    def record(self, letter: DeadLetter) -> None:
        with self.db.lock:
            self.letters[letter.task] = letter

    def recent(self, tenant_id: str | None = None, limit: int = 50) -> list[DeadLetter]:
        with self.db.lock:
            found = [x for x in self.letters.values() if tenant_id is None or x.tenant_id == tenant_id]
        return sorted(found, key=lambda letter: letter.at, reverse=True)[:limit]


class InMemoryBotStates:
    """The Chatwoot bot's state in memory."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db

    def get(self, tenant_id: str, key: str) -> dict[str, Any]:
        with self.db.lock:
            return _copy(self.db.bot_states.get((tenant_id, key), {}))

    def merge(self, tenant_id: str, key: str, fields: dict[str, Any]) -> None:
        with self.db.lock:
            stored = self.db.bot_states.setdefault((tenant_id, key), {})
            stored.update(_copy({**fields, "updated_at": self.db.clock()}))


class InMemorySupportUsers:
    """Dashboard users' Chatwoot users in memory (``create`` is atomic, as Firestore's)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self.users: dict[tuple[str, str], SupportUser] = {}

    def get(self, tenant_id: str, email: str) -> SupportUser | None:
        with self.db.lock:
            return self.users.get((tenant_id, email.lower()))

    def create(self, tenant_id: str, user: SupportUser) -> bool:
        with self.db.lock:
            key = (tenant_id, user.email.lower())
            if key in self.users:
                return False
            now = self.db.tick()
            self.users[key] = replace(user, email=user.email.lower(), created_at=now, updated_at=now)
            return True

    def set_agent_added(self, tenant_id: str, email: str, chatwoot_user_id: int) -> None:
        with self.db.lock:
            key = (tenant_id, email.lower())
            stored = self.users.get(key)
            if stored is not None and stored.chatwoot_user_id == chatwoot_user_id:
                self.users[key] = replace(stored, agent_added=True, updated_at=self.db.tick())

    def forget(self, tenant_id: str, email: str, chatwoot_user_id: int) -> None:
        with self.db.lock:
            key = (tenant_id, email.lower())
            stored = self.users.get(key)
            if stored is not None and stored.chatwoot_user_id == chatwoot_user_id:
                del self.users[key]
