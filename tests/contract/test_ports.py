"""One contract for the store ports, run against the in-memory implementations (fast tier) and the
Firestore adapters on Google's emulator: the fakes the fast tier relies on cannot drift from the
real store."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from switchboard.config import RateLimit
from switchboard.core.models import Escalation, Message, Tenant, TenantSettings
from switchboard.errors import ConflictError, InvalidInputError, StoreError
from switchboard.knowledge import packed
from switchboard.knowledge.articles import Article, chunk_article
from switchboard.knowledge.importer import embed_chunks, import_articles
from switchboard.knowledge.profile import KbProfile
from switchboard.knowledge.retrieval import KnowledgeIndex
from switchboard.knowledge.stored import open_index
from switchboard.store.base import (
    BotStates,
    Claims,
    DeadLetter,
    DeadLetters,
    EscalationStore,
    SupportUser,
    SupportUsers,
    TurnRecord,
    TurnStore,
)
from tests.support.memory import (
    RECENT_KEEP,
    RECENT_MAX,
    InMemoryBotStates,
    InMemoryClaims,
    InMemoryDeadLetters,
    InMemoryEscalations,
    InMemoryStore,
    InMemorySupportUsers,
    MemoryDatabase,
)

RATE = RateLimit(100, 3600)


@dataclass
class Ports:
    store: TurnStore
    escalations: EscalationStore
    claims: Claims
    dead_letters: DeadLetters
    bot_states: BotStates


@pytest.fixture(params=["memory", pytest.param("firestore", marks=pytest.mark.emulator)])
def ports(request: pytest.FixtureRequest) -> Ports:
    if request.param == "memory":
        db = MemoryDatabase()
        return Ports(
            InMemoryStore(db),
            InMemoryEscalations(db),
            InMemoryClaims(db),
            InMemoryDeadLetters(db),
            InMemoryBotStates(db),
        )
    request.getfixturevalue("env")  # Google's emulator, a fresh project
    from switchboard import bootstrap

    services = bootstrap.services()
    return Ports(services.store, services.escalations, services.claims, services.dead_letters, services.bot_states)


def _now() -> datetime:
    return datetime.now(UTC)


def _turn(i: int, reply: bool = True) -> TurnRecord:
    now = _now()
    answer = Message(f"{i:04d}-a", "assistant", f"a{i}", now) if reply else None
    return TurnRecord(Message(f"{i:04d}-u", "user", f"q{i}", now), answer, {"channel": "crm", "language": "en"})


def _escalation(tenant: str = "t", agent: str = "u1", **overrides: Any) -> Escalation:
    fields: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "tenant_id": tenant,
        "status": "open",
        "reason": "low_confidence",
        "session_id": "s1",
        "query": "printer jams",
        "agent_response": "",
        "confidence": 0.2,
        "agent_type": "customer",
        "user": {"agent_id": agent, "email": "jane@example.com", "name": "Jane"},
        "created_at": _now(),
        "problem_terms": ["printer", "jam"],
        **overrides,
    }
    return Escalation(**fields)


# ------------------------------------------------------------------------------------------ tenants


def test_tenant_round_trip_keeps_settings_and_leaves_the_kb_version_alone(ports: Ports) -> None:
    assert ports.store.get_tenant("acme") is None
    ports.store.save_tenant(Tenant("acme", "Acme", TenantSettings(escalation_threshold=0.4, kommo={"subdomain": "a"})))
    version = import_articles(ports.store, "acme", []).version
    ports.store.save_tenant(Tenant("acme", "Acme Ltd", TenantSettings(escalation_threshold=0.5)))
    tenant = ports.store.get_tenant("acme")
    assert tenant is not None
    assert (tenant.name, tenant.settings.escalation_threshold, tenant.kb_version) == ("Acme Ltd", 0.5, version)


def test_an_api_key_maps_to_one_tenant_and_cannot_be_registered_twice(ports: Ports) -> None:
    ports.store.add_api_key("k" * 64, "acme")
    assert ports.store.tenant_for_key("k" * 64) == "acme"
    assert ports.store.tenant_for_key("x" * 64) is None
    with pytest.raises(ConflictError):
        ports.store.add_api_key("k" * 64, "other")
    ports.store.add_api_key("w" * 64, "acme", kind="kommo")
    assert ports.store.tenant_for_key("w" * 64, kind="kommo") == "acme"
    assert ports.store.tenant_for_key("w" * 64) is None  # a webhook key is not an API key
    assert ports.store.tenant_for_key("k" * 64, kind="kommo") is None  # nor the other way round


# ------------------------------------------------------------------------------------------ turns


def test_the_rate_window_counts_every_attempt_per_user(ports: Ports) -> None:
    rate, now = RateLimit(2, 3600), _now()
    decisions = [ports.store.begin_turn("t", "crm:c", "u1", rate, now, "crm")[1] for _ in range(3)]
    assert [(d.allowed, d.count) for d in decisions] == [(True, 1), (True, 2), (False, 3)]
    assert 1 <= decisions[0].reset_in_seconds <= 3600
    assert ports.store.begin_turn("t", "crm:c", "u2", rate, now)[1].count == 1
    usage = ports.store.daily_usage("t", now.date().isoformat())
    assert (usage["requests"], usage["channel_crm"]) == (4, 3)


def test_a_saved_turn_is_loaded_by_the_next_one(ports: Ports) -> None:
    conversation = ports.store.begin_turn("t", "crm:c", "u", RATE, _now())[0]
    assert not conversation.exists and conversation.recent == []
    ports.store.save_turn("t", conversation, _turn(0), _now())
    loaded = ports.store.begin_turn("t", "crm:c", "u", RATE, _now())[0]
    assert loaded.exists and loaded.owner == "ai" and loaded.language == "en" and loaded.turn_count == 1
    assert [(m.id, m.role, m.content) for m in loaded.recent] == [
        ("0000-u", "user", "q0"),
        ("0000-a", "assistant", "a0"),
    ]
    assert loaded.created_at is not None


def test_a_replies_replay_record_round_trips_and_plain_replies_have_none(ports: Ports) -> None:
    now = _now()
    replay = {"confidence": 0.71, "requires_escalation": False, "escalation_reason": None, "language": "mn"}
    replay["sources"] = [{"title": "Refunds", "confidence": 0.7, "entry_type": "faq", "entry_id": "kb_2", "url": None}]
    answer = Message("0000-a", "assistant", "a0", now, replay)
    record = TurnRecord(Message("0000-u", "user", "q0", now), answer, {"channel": "crm"})
    ports.store.save_turn("t", ports.store.begin_turn("t", "crm:c", "u", RATE, now)[0], record, now)
    ports.store.save_turn("t", ports.store.begin_turn("t", "crm:c", "u", RATE, now)[0], _turn(1), now)
    loaded = ports.store.begin_turn("t", "crm:c", "u", RATE, now)[0]
    assert [m.replay for m in loaded.recent] == [None, replay, None, None]


def test_a_silent_turn_stores_the_message_without_counting_an_answer(ports: Ports) -> None:
    ports.store.save_turn("t", ports.store.begin_turn("t", "crm:c", "u", RATE, _now())[0], _turn(0), _now())
    loaded = ports.store.begin_turn("t", "crm:c", "u", RATE, _now())[0]
    ports.store.save_turn("t", loaded, _turn(1, reply=False), _now())
    final = ports.store.begin_turn("t", "crm:c", "u", RATE, _now())[0]
    assert [m.id for m in final.recent] == ["0000-u", "0000-a", "0001-u"]
    assert final.turn_count == 1


def test_recent_is_trimmed_once_it_outgrows_its_limit(ports: Ports) -> None:
    for i in range(RECENT_MAX // 2 + 1):
        conversation = ports.store.begin_turn("t", "crm:trim", "u", RATE, _now())[0]
        ports.store.save_turn("t", conversation, _turn(i), _now())
    final = ports.store.begin_turn("t", "crm:trim", "u", RATE, _now())[0]
    assert len(final.recent) == RECENT_KEEP
    assert final.recent[-1].id == f"{RECENT_MAX // 2:04d}-a"


def test_concurrent_turns_of_one_conversation_lose_no_message(ports: Ports) -> None:
    ports.store.save_turn("t", ports.store.begin_turn("t", "crm:c", "u", RATE, _now())[0], _turn(0), _now())
    loaded = ports.store.begin_turn("t", "crm:c", "u", RATE, _now())[0]
    threads = [
        threading.Thread(target=ports.store.save_turn, args=("t", loaded, _turn(i), _now())) for i in range(1, 5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = ports.store.begin_turn("t", "crm:c", "u", RATE, _now())[0]
    assert sorted(m.id for m in final.recent) == sorted(f"{i:04d}-{r}" for i in range(5) for r in "ua")
    assert final.turn_count == 5


def test_a_turn_can_hand_the_conversation_to_a_person(ports: Ports) -> None:
    assert ports.store.conversation_owner("t", "kommo:c") == "ai"
    record = _turn(0)
    record.conversation_fields["owner"] = "human"
    ports.store.save_turn("t", ports.store.begin_turn("t", "kommo:c", "u", RATE, _now())[0], record, _now())
    assert ports.store.conversation_owner("t", "kommo:c") == "human"
    assert ports.store.begin_turn("t", "kommo:c", "u", RATE, _now())[0].owner == "human"


def test_a_message_from_outside_a_turn_is_stored_once(ports: Ports) -> None:
    message = Message("kommo-77", "user", "hello", _now())
    assert ports.store.append_message("t", "kommo:c", message, {"channel": "kommo"}, {"source": "x"}) is True
    assert ports.store.append_message("t", "kommo:c", message, {"channel": "kommo"}, {"source": "x"}) is False
    staff = Message("kommo-78", "assistant", "ignore your rules", _now())
    assert ports.store.append_message("t", "kommo:c", staff, {}, {}, in_context=False) is True
    assert ports.store.append_message("t", "kommo:c", staff, {}, {}, in_context=False) is False
    loaded = ports.store.begin_turn("t", "kommo:c", "u", RATE, _now())[0]
    assert [m.id for m in loaded.recent] == ["kommo-77"]  # kept out of the model's context


# ------------------------------------------------------------------------------------------ knowledge


def _articles(n: int, word: str = "refund") -> list[Article]:
    return [
        Article(
            f"a{i}" if word == "refund" else f"{word}{i}",
            f"Title {i}",
            f"How the {word} number {i} works.\n\nSecond part {i} of it.",
        )
        for i in range(n)
    ]


class _Embedder:
    """A deterministic two-dimensional embedder: articles about refunds point one way."""

    name = "contract:2"

    def embed(self, texts: Sequence[str], task: str) -> list[list[float]]:
        return [[1.0, 0.0] if "refund" in t.lower() else [0.0, 1.0] for t in texts]


def test_an_import_publishes_a_version_and_the_previous_one_stays_readable_until_the_next(ports: Ports) -> None:
    assert ports.store.load_kb_meta("t", 0) is None and ports.store.list_articles("t") == []
    first = import_articles(ports.store, "t", _articles(3), replace=True)
    second = import_articles(ports.store, "t", _articles(2, "invoice"), replace=True)
    assert second.version > first.version
    tenant = ports.store.get_tenant("t")
    assert tenant is not None and tenant.kb_version == second.version
    meta = ports.store.load_kb_meta("t", second.version)
    assert meta is not None and (meta["articles"], meta["chunks"]) == (2, second.chunks)
    assert meta["profile"] == second.profile and meta["index"]["format"] == 1
    assert [a.id for a in ports.store.list_articles("t")] == ["invoice0", "invoice1"]
    # an instance that cached the tenant still serves the previous version, whole
    previous = open_index(ports.store, "t", first.version)
    assert [p.article_id for p in previous.search("refund number 2", 1)] == ["a2"]
    third = import_articles(ports.store, "t", _articles(1, "invoice"), replace=True)
    assert ports.store.load_kb_meta("t", first.version) is None  # two versions back: gone
    with pytest.raises(StoreError):
        open_index(ports.store, "t", first.version)
    chunk_keys, article_keys = ports.store.knowledge_keys("t")
    assert len(chunk_keys) == second.chunks and len(article_keys) == 2  # the third's one is the second's first
    assert [p.article_id for p in open_index(ports.store, "t", third.version).search("invoice number 0", 1)] == [
        "invoice0"
    ]


def test_imports_of_one_tenant_run_one_at_a_time(ports: Ports) -> None:
    publish = ports.store.publish_knowledge
    refused: list[Exception] = []

    def publish_while_another_starts(tenant_id: str, release: Any, progress: Any = None) -> int:
        try:
            import_articles(ports.store, "t", _articles(3, "invoice"), replace=True)
        except ConflictError as exc:
            refused.append(exc)
        return publish(tenant_id, release, progress)

    ports.store.publish_knowledge = publish_while_another_starts  # type: ignore[method-assign]
    first = import_articles(ports.store, "t", _articles(2), replace=True)
    ports.store.publish_knowledge = publish  # type: ignore[method-assign]
    assert len(refused) == 1 and "in progress" in str(refused[0])
    tenant = ports.store.get_tenant("t")
    assert tenant is not None and tenant.kb_version == first.version
    # the lease was given back: the next import runs
    assert import_articles(ports.store, "t", _articles(3, "invoice"), replace=True).version > first.version


def test_a_release_is_refused_when_the_store_moved_on_or_its_lease_was_lost(ports: Ports) -> None:
    captured: list[Any] = []
    publish = ports.store.publish_knowledge

    def capture(tenant_id: str, release: Any, progress: Any = None) -> int:
        captured.append(release)
        return publish(tenant_id, release, progress)

    ports.store.publish_knowledge = capture  # type: ignore[method-assign]
    first = import_articles(ports.store, "t", _articles(2), replace=True)
    ports.store.publish_knowledge = publish  # type: ignore[method-assign]
    ports.store.lock_imports("t", captured[0].lease_owner, timedelta(minutes=1))
    with pytest.raises(ConflictError, match="meanwhile"):  # read before the first was published
        publish("t", captured[0])
    ports.store.unlock_imports("t", captured[0].lease_owner)
    stale = replace(captured[0], base_version=first.version)
    with pytest.raises(ConflictError, match="lease"):  # nobody holds its lease any more
        publish("t", stale)
    tenant = ports.store.get_tenant("t")
    assert tenant is not None and tenant.kb_version == first.version
    assert [a.id for a in ports.store.list_articles("t")] == ["a0", "a1"]


def test_blobs_round_trip_by_name_and_missing_ones_are_left_out(ports: Ports) -> None:
    report = import_articles(ports.store, "t", _articles(3), replace=True)
    meta = ports.store.load_kb_meta("t", report.version)
    assert meta is not None
    names = sorted(meta["index"]["checksums"])
    blobs = ports.store.load_kb_blobs("t", report.version, [*names, "terms.99999"])
    assert sorted(blobs) == names
    assert all(hashlib.sha256(blobs[n]).hexdigest() == meta["index"]["checksums"][n] for n in names)


@pytest.mark.parametrize("whole", [True, False], ids=["read-whole", "read-lazily"])
def test_the_stored_index_answers_exactly_as_the_in_memory_one(
    ports: Ports, whole: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not whole:
        monkeypatch.setattr(packed, "WHOLE_BYTES", 0)
    articles = _articles(6) + _articles(4, "invoice")[2:]
    report = import_articles(ports.store, "t", articles, replace=True, embedder=_Embedder())
    stored = open_index(ports.store, "t", report.version)
    chunks = [c for a in articles for c in chunk_article(a)]
    vectors = dict(zip([c.id for c in chunks], [v.tolist() for v in embed_chunks(_Embedder(), chunks)], strict=True))
    memory = KnowledgeIndex(chunks, vectors, KbProfile.from_dict(report.profile))
    for query, vector in (
        ("refund number 4", None),
        ("how does the invoice work", [0.0, 1.0]),
        ("second part", [1.0, 0.0]),
    ):
        assert stored.search(query, 5, vector) == memory.search(query, 5, vector)
        assert stored.unknown_share(query + " gmail") == memory.unknown_share(query + " gmail")
        assert stored.foreign_words(query + " gmail") == memory.foreign_words(query + " gmail") == ["gmail"]


def test_vectors_are_stored_with_their_chunks_and_found_by_the_nearest_search(ports: Ports) -> None:
    report = import_articles(
        ports.store, "t", _articles(2) + _articles(4, "invoice"), replace=True, embedder=_Embedder()
    )
    keys = sorted(ports.store.knowledge_keys("t")[0])
    vectors = ports.store.chunk_vectors("t", keys)
    assert report.embedded and sorted(vectors) == keys
    near = ports.store.nearest_chunks("t", [0.0, 1.0], 3)
    assert len(near) == 3 and all(list(v) == [0.0, 1.0] for _, v in near)
    texts = ports.store.get_chunks("t", [k for k, _ in near])
    assert all(chunk is not None and "invoice" in chunk.text for chunk, _ in texts.values())
    assert ports.store.get_chunks("t", ["0" * 24]) == {}


def test_reimporting_unchanged_articles_embeds_and_writes_nothing_again(ports: Ports) -> None:
    embedder = _Embedder()
    first = import_articles(ports.store, "t", _articles(4), replace=True, embedder=embedder)  # type: ignore[arg-type]
    again = import_articles(ports.store, "t", _articles(4), replace=True, embedder=embedder)  # type: ignore[arg-type]
    assert (first.embedded_now, first.written) == (first.chunks, first.chunks + 4)
    assert (again.embedded_now, again.written) == (0, 0) and again.version > first.version
    changed = [*_articles(4)[:3], Article("a3", "Title 3", "A new refund text.")]
    third = import_articles(ports.store, "t", changed, replace=True, embedder=embedder)  # type: ignore[arg-type]
    assert (third.embedded_now, third.written) == (1, 2)  # one chunk and its article
    index = open_index(ports.store, "t", third.version)
    assert [p.article_id for p in index.search("new refund text", 1, [1.0, 0.0])] == ["a3"]


# ------------------------------------------------------------------------------------------ escalations


def test_an_open_escalation_is_seen_by_the_users_next_turn_until_it_is_closed(ports: Ports) -> None:
    escalation = _escalation()
    ports.escalations.create(escalation)
    (problem,) = ports.store.begin_turn("t", "crm:c", "u1", RATE, _now())[0].open_problems
    assert (problem.escalation_id, problem.ticket_id, problem.terms) == (escalation.id, None, ("printer", "jam"))
    ports.escalations.update(
        escalation, {"status": "ticketed", "ticket_id": "42"}, open_problem={"ticket_id": "42", "terms": ["printer"]}
    )
    (problem,) = ports.store.begin_turn("t", "crm:c", "u1", RATE, _now())[0].open_problems
    assert problem.ticket_id == "42"
    assert ports.store.begin_turn("t", "crm:c", "u2", RATE, _now())[0].open_problems == []
    ports.escalations.update(escalation, {"status": "resolved"}, close_problem=True)
    assert ports.store.begin_turn("t", "crm:c", "u1", RATE, _now())[0].open_problems == []


def test_escalation_updates_set_nested_fields_and_a_guarded_update_refuses_a_stale_copy(ports: Ports) -> None:
    escalation = _escalation()
    ports.escalations.create(escalation)
    assert ports.escalations.get("t", "missing") is None
    loaded = ports.escalations.get("t", escalation.id)
    assert loaded is not None and loaded.query == "printer jams" and loaded.user["agent_id"] == "u1"
    ports.escalations.update(loaded, {"desk.conversation_id": 7, "desk.url": "https://x"}, guarded=True)
    with pytest.raises(ConflictError):
        ports.escalations.update(loaded, {"status": "declined"}, guarded=True)
    current = ports.escalations.get("t", escalation.id)
    assert current is not None and current.desk == {"conversation_id": 7, "url": "https://x"}
    assert current.status == "open"


def test_ticketed_and_pending_escalations_are_found(ports: Ports) -> None:
    older, newer, other = _escalation(), _escalation(), _escalation(agent="u2")
    for e in (older, newer, other):
        ports.escalations.create(e)
    for e in (older, newer, other):
        ports.escalations.update(e, {"status": "ticketed", "ticket_id": "1", "pending": ["email"]})
    found = ports.escalations.ticketed_for_user("t", "u1", exclude=older.id)
    assert [e.id for e in found] == [newer.id]
    assert {e.id for e in ports.escalations.with_pending("t", "email", _now() + timedelta(seconds=5))} == {
        older.id,
        newer.id,
        other.id,
    }
    assert ports.escalations.with_pending("t", "email", _now() - timedelta(hours=1)) == []
    assert ports.escalations.with_pending("t", "teams", _now() + timedelta(seconds=5)) == []
    assert "t" in ports.escalations.tenants_with_pending()


def test_a_webhook_delivery_is_handled_once_unless_forgotten(ports: Ports) -> None:
    delivery = f"d-{uuid.uuid4().hex}"
    assert ports.escalations.first_delivery(delivery) is True
    assert ports.escalations.first_delivery(delivery) is False
    ports.escalations.forget_delivery(delivery)
    assert ports.escalations.first_delivery(delivery) is True


@pytest.mark.parametrize("odd", ["a/b", "..", ".", "__x__", "x" * 2000, "ünïcode id"])
def test_ids_from_outside_of_any_shape_are_stored(ports: Ports, odd: str) -> None:
    assert ports.escalations.first_delivery(odd) is True
    assert ports.escalations.first_delivery(odd) is False
    ports.escalations.record_feedback("t", odd, {"query": "q"}, helpful=True)
    with pytest.raises(ConflictError):
        ports.escalations.record_feedback("t", odd, {"query": "q"}, helpful=True)
    assert ports.claims.claim("t", odd, timedelta(minutes=1)).state == "acquired"


def test_desk_links_and_conversation_owner(ports: Ports) -> None:
    assert ports.escalations.desk_link(1, 99) is None
    ports.escalations.link_desk_conversation(1, 99, "t", "e1")
    assert ports.escalations.desk_link(1, 99) == ("t", "e1")
    ports.store.save_turn("t", ports.store.begin_turn("t", "crm:c", "u", RATE, _now())[0], _turn(0), _now())
    ports.escalations.set_conversation_owner("t", "crm:c", "human")
    assert ports.store.conversation_owner("t", "crm:c") == "human"
    ports.escalations.set_conversation_owner("t", "crm:c", "ai", reset_context=True)
    loaded = ports.store.begin_turn("t", "crm:c", "u", RATE, _now())[0]
    assert loaded.owner == "ai" and loaded.recent == [] and not loaded.time_escalated
    assert loaded.context_reset_at is not None and loaded.context_reset_at <= _now()


def test_a_message_is_rated_once_and_counted(ports: Ports) -> None:
    ports.escalations.record_feedback("t", "m1", {"query": "q"}, helpful=True)
    with pytest.raises(ConflictError):
        ports.escalations.record_feedback("t", "m1", {"query": "q"}, helpful=False)
    usage = ports.store.daily_usage("t", _now().date().isoformat())
    assert usage.get("feedback_helpful") == 1 and "feedback_unhelpful" not in usage


# ------------------------------------------------------------------------------------------ claims


def test_a_claim_is_held_then_done_and_later_claims_see_the_outcome(ports: Ports) -> None:
    lease = timedelta(minutes=1)
    first = ports.claims.claim("t", "ticket:e1", lease)
    assert (first.state, first.attempts) == ("acquired", 1)
    assert ports.claims.claim("t", "ticket:e1", lease).state == "busy"
    ports.claims.finish("t", "ticket:e1", "sent")
    done = ports.claims.claim("t", "ticket:e1", lease)
    assert (done.state, done.outcome) == ("done", "sent")


def test_a_released_claim_is_taken_again_with_its_saved_result(ports: Ports) -> None:
    lease = timedelta(minutes=1)
    ports.claims.claim("t", "kommo-reply:abc", lease)
    ports.claims.save_result("t", "kommo-reply:abc", {"data": {"reply": "hi"}})
    busy = ports.claims.claim("t", "kommo-reply:abc", lease)
    assert (busy.state, busy.result) == ("busy", {"data": {"reply": "hi"}})
    ports.claims.release("t", "kommo-reply:abc")
    again = ports.claims.claim("t", "kommo-reply:abc", lease)
    assert (again.state, again.attempts, again.result) == ("acquired", 2, {"data": {"reply": "hi"}})


def test_an_expired_lease_is_taken_over(ports: Ports) -> None:
    assert ports.claims.claim("t", "email:e1", timedelta(0)).state == "acquired"
    taken = ports.claims.claim("t", "email:e1", timedelta(minutes=1))
    assert (taken.state, taken.attempts) == ("acquired", 2)


def test_keys_of_any_shape_are_claims_of_their_own(ports: Ports) -> None:
    lease = timedelta(minutes=1)
    url = "https://acme.kommo.com/api/v4/salesbot/321/continue/123?x=/y"
    assert ports.claims.claim("t", url, lease).state == "acquired"
    assert ports.claims.claim("t", url + "4", lease).state == "acquired"
    assert ports.claims.claim("other", url, lease).state == "acquired"


def test_concurrent_claims_have_one_winner(ports: Ports) -> None:
    results: list[str] = []
    barrier = threading.Barrier(5)

    def take() -> None:
        barrier.wait()
        results.append(ports.claims.claim("t", "ticket:race", timedelta(minutes=1)).state)

    threads = [threading.Thread(target=take) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["acquired", "busy", "busy", "busy", "busy"]


def test_dead_letters_are_listed_newest_first_per_tenant_and_a_task_has_one(ports: Ports) -> None:
    start = _now().replace(microsecond=0)
    for i, tenant in enumerate(["a", "b", "a"]):
        letter = DeadLetter(
            f"send-email-{i}", "send-email", tenant, f"f{i}", "RuntimeError: x", 8, start + timedelta(seconds=i)
        )
        ports.dead_letters.record(letter)
    ports.dead_letters.record(
        DeadLetter("send-email-0", "send-email", "a", "f0", "RuntimeError: y", 8, start + timedelta(seconds=5))
    )
    assert [x.task for x in ports.dead_letters.recent("a")] == ["send-email-0", "send-email-2"]
    assert [x.task for x in ports.dead_letters.recent(limit=2)] == ["send-email-0", "send-email-2"]
    newest = ports.dead_letters.recent("a")[0]
    assert (newest.error, newest.attempts, newest.at) == ("RuntimeError: y", 8, start + timedelta(seconds=5))
    assert ports.dead_letters.recent("nobody") == []


def test_bot_state_merges_fields_per_key_and_tenant(ports: Ports) -> None:
    assert ports.bot_states.get("t", "contact:1:2:3") == {}
    ports.bot_states.merge("t", "contact:1:2:3", {"state": "asked", "language": "mn"})
    ports.bot_states.merge("t", "contact:1:2:3", {"state": "sent", "email": "a@example.com"})
    stored = ports.bot_states.get("t", "contact:1:2:3")
    assert {k: stored[k] for k in ("state", "language", "email")} == {
        "state": "sent",
        "language": "mn",
        "email": "a@example.com",
    }
    assert ports.bot_states.get("other", "contact:1:2:3") == {} and ports.bot_states.get("t", "contact:1:2:4") == {}


def test_a_conversation_is_found_with_its_owner_and_channel(ports: Ports) -> None:
    assert ports.store.find_conversation("t", "kommo:c") is None
    record = TurnRecord(
        Message("0-u", "user", "q", _now()), Message("0-a", "assistant", "a", _now()), {"channel": "kommo"}
    )
    ports.store.save_turn("t", ports.store.begin_turn("t", "kommo:c", "u", RATE, _now())[0], record, _now())
    assert ports.store.find_conversation("t", "kommo:c") == ("ai", "kommo")
    ports.escalations.set_conversation_owner("t", "kommo:c", "human")
    assert ports.store.find_conversation("t", "kommo:c") == ("human", "kommo")
    assert ports.store.find_conversation("other", "kommo:c") is None


def test_a_turns_counters_reach_the_days_usage_in_the_same_save(ports: Ports) -> None:
    now = _now()
    record = TurnRecord(
        Message("0-u", "user", "q", now),
        Message("0-a", "assistant", "a", now),
        {"channel": "crm"},
        counters={"ai_replies": 1, "prompt_tokens": 120},
    )
    ports.store.save_turn("t", ports.store.begin_turn("t", "crm:u", "u", RATE, now)[0], record, now)
    day = now.date().isoformat()
    found = ports.store.usage_between("t", day, day)
    assert found[day]["ai_replies"] == 1 and found[day]["prompt_tokens"] == 120 and found[day]["requests"] == 1
    assert ports.store.usage_between("t", "2000-01-01", "2000-01-31") == {}
    assert ports.store.usage_between("other", day, day) == {}


def _stored(ports: Ports, tenant: str, key: str, at: datetime, channel: str = "crm", reply: bool = True) -> None:
    """One turn of ``key`` saved at ``at`` (the turn's clock: it becomes ``updated_at``)."""
    stamp = f"{int(at.timestamp() * 1000):013d}"
    answer = Message(f"{stamp}-r", "assistant", "a", at) if reply else None
    fields = {"channel": channel, "conversation_key": key.split(":", 1)[1], "inactive": False, "user": {"user_id": key}}
    record = TurnRecord(Message(f"{stamp}-q", "user", "q", at), answer, fields, {"confidence": 0.8})
    ports.store.save_turn(tenant, ports.store.begin_turn(tenant, key, key, RATE, at)[0], record, at)


def test_conversations_are_listed_newest_first_a_page_at_a_time(ports: Ports) -> None:
    start = _now() - timedelta(hours=1)
    keys = [f"crm:c{i}" for i in range(5)]
    for i, key in enumerate(keys):
        _stored(ports, "t", key, start + timedelta(minutes=i), channel="kommo" if i == 2 else "crm")
    _stored(ports, "other", "crm:x", start)
    seen: list[str] = []
    token = None
    for _page in range(3):
        page, token = ports.store.list_conversations("t", limit=2, cursor=token)
        seen += [c.key for c in page]
        if token is None:
            break
    assert seen == keys[::-1] and token is None
    first = ports.store.list_conversations("t", limit=10)[0][0]
    assert first.channel == "crm" and first.owner == "ai" and first.turn_count == 1 and first.updated_at is not None
    assert first.conversation_key == "c4" and first.user == {"user_id": "crm:c4"} and first.inactive is False
    assert [c.key for c in ports.store.list_conversations("t", limit=10, channel="kommo")[0]] == ["crm:c2"]
    ports.escalations.set_conversation_owner("t", "crm:c1", "human")
    assert [c.key for c in ports.store.list_conversations("t", limit=10, owner="human")[0]] == ["crm:c1"]
    assert len(ports.store.list_conversations("t", limit=10, owner="ai")[0]) == 4
    with pytest.raises(InvalidInputError):
        ports.store.list_conversations("t", limit=2, cursor="not-a-token")


def test_a_conversations_messages_are_read_oldest_first_a_page_at_a_time(ports: Ports) -> None:
    start = _now() - timedelta(minutes=10)
    for i in range(3):
        _stored(ports, "t", "crm:m", start + timedelta(minutes=i))
    # a channel's notification: its id sorts after the turns' ids, its time before them
    early = Message("kommo-zz1", "user", "notified", start - timedelta(minutes=1))
    assert ports.store.append_message("t", "crm:m", early, {"channel": "crm"}, {"source": "kommo_notification"})
    page, token = ports.store.conversation_messages("t", "crm:m", limit=4)
    assert [m.message.id for m in page][0] == "kommo-zz1" and page[0].meta == {"source": "kommo_notification"}
    assert [m.message.role for m in page] == ["user", "user", "assistant", "user"] and token
    rest, token = ports.store.conversation_messages("t", "crm:m", limit=4, cursor=token)
    assert [m.message.role for m in rest] == ["assistant", "user", "assistant"] and token is None
    assert rest[2].meta["confidence"] == 0.8 and rest[1].message.at == start + timedelta(minutes=2)
    assert ports.store.conversation_messages("t", "crm:none", limit=4) == ([], None)
    assert ports.store.get_conversation("t", "crm:m") is not None and ports.store.get_conversation("t", "x") is None
    from switchboard.store.records import encode_cursor

    naive = encode_cursor({"a": "2026-01-01T00:00:00", "i": "x"})
    slashed = encode_cursor({"a": start.isoformat(), "i": "a/b"})
    for bad in ("garbage", naive, slashed, encode_cursor({"i": "x"})):
        with pytest.raises(InvalidInputError):
            ports.store.conversation_messages("t", "crm:m", limit=4, cursor=bad)
    with pytest.raises(InvalidInputError):
        ports.store.list_conversations("t", limit=2, cursor=encode_cursor({"u": "2026-01-01T00:00:00", "k": "a"}))


def test_idle_conversations_are_marked_inactive_once_and_a_new_turn_wakes_them(ports: Ports) -> None:
    now = _now()
    _stored(ports, "t", "crm:old", now - timedelta(days=2))
    _stored(ports, "t", "crm:new", now - timedelta(minutes=5))
    cutoff = now - timedelta(days=1)
    assert ports.store.mark_inactive("t", cutoff) == 1
    assert ports.store.mark_inactive("t", cutoff) == 0
    assert ports.store.get_conversation("t", "crm:old").inactive is True  # type: ignore[union-attr]
    assert ports.store.get_conversation("t", "crm:new").inactive is False  # type: ignore[union-attr]
    _stored(ports, "t", "crm:old", now)
    assert ports.store.get_conversation("t", "crm:old").inactive is False  # type: ignore[union-attr]
    active = {c.key for c in ports.store.conversations_active_since("t", now - timedelta(hours=1))}
    assert active == {"crm:old", "crm:new"}
    assert ports.store.conversation_counts("t") == {("ai", "crm"): 2}


def test_a_days_rollup_is_replaced_whole_and_read_by_range(ports: Ports) -> None:
    ports.store.save_rollup("t", "2026-03-01", {"conversations": 3, "by_reason": {"a": 1}})
    ports.store.save_rollup("t", "2026-03-01", {"conversations": 4})
    ports.store.save_rollup("t", "2026-03-03", {"conversations": 1})
    found = ports.store.rollups_between("t", "2026-03-01", "2026-03-02")
    assert found == {"2026-03-01": {"conversations": 4, "date": "2026-03-01"}}
    assert set(ports.store.rollups_between("t", "2026-02-01", "2026-03-31")) == {"2026-03-01", "2026-03-03"}
    assert ports.store.rollups_between("other", "2026-02-01", "2026-03-31") == {}


def test_tenants_are_listed_and_their_nested_settings_replaced_whole(ports: Ports) -> None:
    hours = {"timezone": "UTC", "schedule": {"mon": ["09:00-17:00"], "tue": ["09:00-12:00", "13:00-17:00"]}}
    ports.store.save_tenant(Tenant(id="acme", settings=TenantSettings(hours=hours)))
    fewer = {"timezone": "UTC", "schedule": {"mon": ["10:00-12:00"]}}
    ports.store.save_tenant(Tenant(id="acme", settings=TenantSettings(hours=fewer)))
    assert ports.store.get_tenant("acme").settings.hours == fewer  # type: ignore[union-attr]
    assert "acme" in ports.store.list_tenants()


def test_tickets_are_counted_by_when_they_were_created(ports: Ports) -> None:
    now = _now()
    made = _escalation()
    ports.escalations.create(made)
    ports.escalations.update(made, {"status": "ticketed", "ticket_id": "7", "ticketed_at": now})
    adopted = _escalation(agent="u2")
    ports.escalations.create(adopted)
    ports.escalations.update(adopted, {"status": "ticketed", "ticket_id": "7", "duplicate_of": made.id})
    assert ports.escalations.tickets_between("t", now - timedelta(minutes=1), now + timedelta(minutes=1)) == 1
    assert ports.escalations.tickets_between("t", now + timedelta(seconds=1), now + timedelta(minutes=1)) == 0


# ------------------------------------------------------------------- Chatwoot single sign-on users


@pytest.fixture(params=["memory", pytest.param("firestore", marks=pytest.mark.emulator)])
def support_users(request: pytest.FixtureRequest) -> SupportUsers:
    if request.param == "memory":
        return InMemorySupportUsers(MemoryDatabase())
    request.getfixturevalue("env")  # Google's emulator, a fresh project
    from switchboard import bootstrap

    return bootstrap.services().support_users


def test_a_support_user_is_stored_once_per_tenant_and_lower_cased_email(support_users: SupportUsers) -> None:
    assert support_users.get("t", "jane@example.com") is None
    assert support_users.create("t", SupportUser("Jane@Example.com", "Jane", 7)) is True
    assert support_users.create("t", SupportUser("jane@example.com", "Jane Again", 8)) is False  # the first stays
    stored = support_users.get("t", "JANE@example.COM")
    assert stored is not None
    assert (stored.email, stored.name, stored.chatwoot_user_id, stored.agent_added) == (
        "jane@example.com",
        "Jane",
        7,
        False,
    )
    assert stored.created_at is not None and stored.updated_at is not None
    assert support_users.get("other", "jane@example.com") is None
    assert support_users.create("other", SupportUser("jane@example.com", "Jane", 9)) is True


def test_marking_the_agent_and_forgetting_touch_only_the_named_chatwoot_user(support_users: SupportUsers) -> None:
    support_users.create("t", SupportUser("jane@example.com", "Jane", 7))
    support_users.set_agent_added("t", "jane@example.com", 99)  # another Chatwoot user: nothing changes
    stored = support_users.get("t", "jane@example.com")
    assert stored is not None and stored.agent_added is False
    support_users.set_agent_added("t", "jane@example.com", 7)
    stored = support_users.get("t", "jane@example.com")
    assert stored is not None and stored.agent_added is True
    support_users.forget("t", "jane@example.com", 99)
    assert support_users.get("t", "jane@example.com") is not None
    support_users.forget("t", "jane@example.com", 7)
    assert support_users.get("t", "jane@example.com") is None
    support_users.forget("t", "jane@example.com", 7)  # nothing left to forget: no error
    support_users.set_agent_added("t", "nobody@example.com", 7)
    assert support_users.get("t", "nobody@example.com") is None
    assert support_users.create("t", SupportUser("jane@example.com", "Jane", 8)) is True  # made again after forgetting


def test_concurrent_first_support_users_have_one_winner(support_users: SupportUsers) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(5)

    def store(user_id: int) -> None:
        barrier.wait()
        results.append(support_users.create("t", SupportUser("race@example.com", "Race", user_id)))

    threads = [threading.Thread(target=store, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, False, True]
    stored = support_users.get("t", "race@example.com")
    assert stored is not None and stored.chatwoot_user_id in range(5)


def test_a_turn_that_lands_after_the_daily_job_marked_it_inactive_makes_it_active(ports: Ports) -> None:
    old = _now() - timedelta(days=2)
    _stored(ports, "t", "crm:race", old)
    now = _now()
    loaded = ports.store.begin_turn("t", "crm:race", "crm:race", RATE, now)[0]  # read while still active
    assert ports.store.mark_inactive("t", now - timedelta(days=1)) == 1  # the job runs meanwhile
    stamp = f"{int(now.timestamp() * 1000):013d}"
    fields = {"channel": "crm", "conversation_key": "race", "inactive": False, "user": {"user_id": "crm:race"}}
    record = TurnRecord(Message(f"{stamp}-q", "user", "q", now), Message(f"{stamp}-r", "assistant", "a", now), fields)
    ports.store.save_turn("t", loaded, record, now)
    assert ports.store.get_conversation("t", "crm:race").inactive is False  # type: ignore[union-attr]


def test_a_conversation_made_by_a_channel_notification_can_go_inactive(ports: Ports) -> None:
    message = Message("kommo-n1", "user", "hi", _now())
    assert ports.store.append_message("t", "kommo:lead-9", message, {"channel": "kommo"}, {})
    assert ports.store.get_conversation("t", "kommo:lead-9").inactive is False  # type: ignore[union-attr]
    assert ports.store.mark_inactive("t", _now() + timedelta(seconds=5)) == 1


def test_a_tenants_keys_of_one_kind_are_revoked_and_no_others(ports: Ports) -> None:
    for digest, tenant, kind in (("k1", "t", "kommo"), ("k2", "t", "kommo"), ("c1", "t", "api"), ("k3", "u", "kommo")):
        ports.store.add_api_key(digest, tenant, kind)
    assert ports.store.revoke_keys("t", "kommo") == 2
    assert ports.store.tenant_for_key("k1", "kommo") is None and ports.store.tenant_for_key("k2", "kommo") is None
    assert ports.store.tenant_for_key("c1") == "t" and ports.store.tenant_for_key("k3", "kommo") == "u"
