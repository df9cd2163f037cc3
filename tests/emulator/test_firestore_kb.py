"""Knowledge-base imports on Google's emulator: resumable after a failure, never visible half-done,
and a stored index that reads only what a question needs."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard import bootstrap
from switchboard.core.models import Tenant, TenantSettings
from switchboard.knowledge import packed
from switchboard.knowledge.articles import Article
from switchboard.knowledge.importer import import_articles
from switchboard.knowledge.packed import shard_names
from switchboard.knowledge.stored import open_index
from switchboard.knowledge.synonyms import SYNONYMS, canonical
from switchboard.knowledge.text import tokens

pytestmark = pytest.mark.emulator


class Interrupted(Exception):
    pass


def _articles(n: int) -> list[Article]:
    return [
        Article(f"kb{i:04d}", f"Topic {i}", f"Setting {i} controls the export of report number {i}.") for i in range(n)
    ]


def _stop_after(writes: int) -> Any:
    def progress(stage: str, done: int, total: int) -> None:
        if stage == "write" and done >= writes:
            raise Interrupted(f"{done} of {total}")

    return progress


def test_an_import_that_fails_midway_is_invisible_and_the_next_run_resumes(env: Any) -> None:
    store = bootstrap.services().store
    # GIVEN an import of 450 articles (one chunk each) that fails after its first commit (400 chunks)
    with pytest.raises(Interrupted):
        import_articles(store, "t", _articles(450), replace=True, progress=_stop_after(1))
    # THEN nothing is visible: no tenant version, no version documents
    tenant = store.get_tenant("t")
    assert tenant is None or tenant.kb_version == 0
    assert list(store.client.collection("tenants").document("t").collection("kb_versions").list_documents()) == []
    chunks, articles = store.knowledge_keys("t")
    assert len(chunks) == 400 and articles == set()  # written, shared, referred to by nothing yet
    # WHEN it runs again, it writes only what is missing and publishes
    report = import_articles(store, "t", _articles(450), replace=True)
    assert report.written == 50 + 450
    assert [p.article_id for p in open_index(store, "t", report.version).search("export of report number 417", 1)] == [
        "kb0417"
    ]


def test_a_failure_while_writing_the_index_leaves_no_part_of_the_version(env: Any) -> None:
    store = bootstrap.services().store
    first = import_articles(store, "t", _articles(5), replace=True)
    with pytest.raises(Interrupted):  # chunks and articles (7 documents) written, then the blobs fail
        import_articles(store, "t", _articles(7), replace=True, progress=_stop_after(8))
    tenant = store.get_tenant("t")
    assert tenant is not None and tenant.kb_version == first.version
    versions = store.client.collection("tenants").document("t").collection("kb_versions").list_documents()
    assert [v.id for v in versions] == [str(first.version)]
    assert [p.article_id for p in open_index(store, "t", first.version).search("report number 3", 1)] == ["kb0003"]


def test_an_opened_index_reads_its_core_then_only_the_shards_a_question_needs(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = bootstrap.services().store
    monkeypatch.setattr(packed, "SHARD_RAW_BYTES", 1000)  # a small KB in many shards,
    monkeypatch.setattr(packed, "WHOLE_BYTES", 0)  # not read whole
    report = import_articles(store, "t", _articles(3000), replace=True)
    meta = store.load_kb_meta("t", report.version)
    assert meta is not None and meta["index"]["shards"] > 50
    asked: list[list[str]] = []
    real = store.load_kb_blobs

    def counting(tenant_id: str, version: int, names: Any) -> dict[str, bytes]:
        asked.append(list(names))
        return real(tenant_id, version, names)

    store.load_kb_blobs = counting  # type: ignore[method-assign]
    index = open_index(store, "t", report.version)
    assert asked == [packed.stored_names(meta["index"], ["core"])]
    (best,) = index.search("export of report number 2718", 1)
    assert best.article_id == "kb2718"
    # one read of the shards of the question's own terms and their synonyms, one of its passage's page
    terms = tokens(canonical("export of report number 2718"))
    wanted = shard_names(meta["index"], [v for t in terms for v in (t, *SYNONYMS.get(t, ()))])
    assert len(asked) == 3 and sorted(asked[1]) == wanted and len(asked[1]) < meta["index"]["shards"]
    assert len(asked[2]) == 1 and asked[2][0].startswith("texts.")
    index.search("export of report number 2718", 1)
    assert len(asked) == 3  # held for the next question


def test_a_version_of_the_old_layout_is_served_and_kept_by_a_merge_import(env: Any) -> None:
    store = bootstrap.services().store
    tenant = store.client.collection("tenants").document("t")
    version = tenant.collection("kb_versions").document("7")
    # GIVEN a tenant whose knowledge base was published before packed indexes existed
    version.set({"articles": 2, "chunks": 2, "profile": {"language": "en"}})
    for i in range(2):
        article = {"id": f"old{i}", "title": f"Old {i}", "body": f"Invoices of type {i} are archived.", "tags": []}
        version.collection("articles").document(f"old{i}").set({**article, "entry_type": "faq", "url": None})
        version.collection("chunks").document(f"old{i}#0").set({"id": f"old{i}#0", "article_id": f"old{i}"})
    tenant.set({"name": "t", "kb_version": 7})
    assert [a.id for a in store.list_articles("t")] == ["old0", "old1"]
    # THEN it is searched (lexically, from its articles) until it is imported again
    assert [p.article_id for p in open_index(store, "t", 7).search("archived invoices of type 1", 1)] == ["old1"]
    # and a merge import keeps its articles
    report = import_articles(store, "t", [Article("new", "New", "Refunds take five days.")])
    assert [a.id for a in store.list_articles("t")] == ["new", "old0", "old1"] and report.articles == 3
    import_articles(store, "t", [Article("newer", "Newer", "Exports run nightly.")])
    assert not version.get().exists and list(version.collection("articles").list_documents()) == []


def test_a_settings_change_during_an_import_does_not_abort_it(env: Any) -> None:
    store = bootstrap.services().store
    store.save_tenant(Tenant("t", "Before"))
    renamed: list[bool] = []

    def rename_while_writing(stage: str, done: int, total: int) -> None:
        if stage == "write" and not renamed:
            store.save_tenant(Tenant("t", "After", TenantSettings(escalation_threshold=0.4)))
            renamed.append(True)

    report = import_articles(store, "t", _articles(3), replace=True, progress=rename_while_writing)
    tenant = store.get_tenant("t")
    assert renamed and tenant is not None
    assert (tenant.kb_version, tenant.name, tenant.settings.escalation_threshold) == (report.version, "After", 0.4)


def test_the_clean_up_leaves_versions_newer_than_its_own_alone(env: Any) -> None:
    store = bootstrap.services().store
    versions = store.client.collection("tenants").document("t").collection("kb_versions")
    first = import_articles(store, "t", _articles(2), replace=True)
    versions.document("99999999999999").set({"state": "writing"})  # as another import's, reserved
    second = import_articles(store, "t", _articles(3), replace=True)
    third = import_articles(store, "t", _articles(4), replace=True)
    kept = sorted(int(v.id) for v in versions.list_documents())
    assert kept == [second.version, third.version, 99999999999999] and first.version not in kept
