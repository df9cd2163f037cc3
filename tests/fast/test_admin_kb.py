"""The admin API's knowledge base, keys and integrations (channels/admin_kb.py) over in-memory ports."""

from __future__ import annotations

import json
from typing import Any

import pytest

from switchboard.channels.auth import hash_api_key
from tests.conftest import function_client
from tests.fast.helpers import ask
from tests.fast.test_admin import ADMIN, CHAT, bearer
from tests.support.fast import FastStack

KB, ARTICLES, IMPORT = "/api/v1/ai/kb/", "/api/v1/ai/kb/articles/", "/api/v1/ai/kb/import/"
HOURS_MD = "---\nid: opening-hours\n---\n# Opening hours\n\nWe answer the phone from 8:00 to 18:00 on weekdays.\n"


@pytest.fixture
def admin(make_stack: Any) -> FastStack:
    stack = make_stack()
    stack.seed()
    stack.store.add_api_key(hash_api_key(ADMIN), "default", kind="admin")
    stack.store.add_api_key(hash_api_key(CHAT), "default")
    return stack


def upload(files: list[tuple[str, str]], replace: bool = False) -> Any:
    body = {"files": [{"name": n, "content": c} for n, c in files], "replace": replace}
    return function_client("admin").post(IMPORT, json=body, headers=bearer(ADMIN))


def test_an_upload_merges_a_new_version_that_the_next_answer_uses(admin: FastStack) -> None:
    client = function_client("admin")
    before = client.get(KB, headers=bearer(ADMIN)).get_json()
    assert before["articles"] == 16 and before["version"] >= 1
    line = {"id": "shipping", "title": "Shipping abroad", "body": "We ship to Norway and Sweden within 5 days."}
    done = upload([("more.jsonl", json.dumps(line) + "\n"), ("hours.md", HOURS_MD)])
    assert done.status_code == 200
    out = done.get_json()
    assert (out["articles"], out["imported"], out["previous_version"]) == (18, 2, before["version"])
    assert out["version"] > before["version"]
    listed = client.get(ARTICLES, headers=bearer(ADMIN)).get_json()
    assert listed["count"] == 18 and {"shipping", "opening-hours"} <= {a["id"] for a in listed["articles"]}
    hours = next(a for a in listed["articles"] if a["id"] == "opening-hours")
    assert hours["title"] == "Opening hours" and hours["characters"] > 20
    answer = ask(function_client("chat"), "Do you ship to Norway?", headers=bearer(CHAT)).get_json()
    assert answer["sources"][0]["entry_id"] == "shipping"
    replaced = upload([("hours.md", HOURS_MD)], replace=True).get_json()
    assert replaced["articles"] == 1
    assert client.get(KB, headers=bearer(ADMIN)).get_json() == {"version": replaced["version"], "articles": 1}


@pytest.mark.parametrize(
    ("files", "status"),
    [
        ([("bad.jsonl", '{"id": "x", "title": "T"}\n')], 422),  # no body
        ([("bad.jsonl", "not json\n")], 400),
        ([("notes.txt", "hello")], 400),
        ([("a.jsonl", '{"id": "x", "title": "T", "body": "B"}\n'), ("b.md", "---\nid: x\n---\n# T\n\nB\n")], 422),
        ([("empty.jsonl", "\n\n")], 400),
    ],
)
def test_a_bad_upload_changes_nothing(admin: FastStack, files: list[tuple[str, str]], status: int) -> None:
    before = function_client("admin").get(KB, headers=bearer(ADMIN)).get_json()
    refused = upload(files)
    assert refused.status_code == status, refused.get_data(as_text=True)
    assert function_client("admin").get(KB, headers=bearer(ADMIN)).get_json() == before


def test_an_upload_error_names_the_file_and_line(admin: FastStack) -> None:
    good = json.dumps({"id": "a", "title": "A", "body": "Body"})
    refused = upload([("faq.jsonl", good + "\n" + json.dumps({"id": "b", "title": "B"}) + "\n")]).get_json()
    assert {"loc": "faq.jsonl line 2.body", "type": "missing_or_empty"} in refused["errors"]


def test_an_upload_may_be_large_but_not_unbounded(admin: FastStack) -> None:
    lines = [json.dumps({"id": f"big-{n}", "title": f"Big {n}", "body": "word " * 30_000}) for n in range(10)]
    assert upload([("big.jsonl", "\n".join(lines))]).status_code == 200  # 1.5 MB: over the usual limit
    huge = {"files": [{"name": "huge.jsonl", "content": "x" * 21_000_000}]}
    assert function_client("admin").post(IMPORT, json=huge, headers=bearer(ADMIN)).status_code == 413
    one_huge_article = json.dumps({"id": "huge", "title": "Huge", "body": "word " * 50_000})
    refused = upload([("huge.jsonl", one_huge_article)])
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["type"] == "too_long"
    many = "\n".join(json.dumps({"id": f"a{n}", "title": "T", "body": "B"}) for n in range(5_001))
    assert upload([("many.jsonl", many)]).status_code == 400


def test_a_new_chat_key_chats_and_a_kommo_key_connects_the_account(admin: FastStack) -> None:
    client = function_client("admin")
    made = client.post("/api/v1/ai/keys/", json={"kind": "chat"}, headers=bearer(ADMIN))
    assert made.status_code == 201
    key = made.get_json()["key"]
    assert (
        ask(function_client("chat"), "How do I export leads?", agent="customer", headers=bearer(key)).status_code == 200
    )
    kommo = client.post(
        "/api/v1/ai/keys/",
        json={"kind": "kommo", "kommo_account_id": 31415926, "kommo_subdomain": "acme"},
        headers=bearer(ADMIN),
    ).get_json()
    assert kommo["webhook_url"].endswith(f"/api/kommo/chat/webhook?key={kommo['key']}")
    assert admin.store.tenant_for_key(hash_api_key(kommo["key"]), "kommo") == "default"
    again = client.post(
        "/api/v1/ai/keys/",
        json={"kind": "kommo", "kommo_account_id": 31415926, "kommo_subdomain": "acme"},
        headers=bearer(ADMIN),
    ).get_json()
    assert admin.store.tenant_for_key(hash_api_key(again["key"]), "kommo") == "default"
    assert admin.store.tenant_for_key(hash_api_key(kommo["key"]), "kommo") is None  # the old URL stops working
    assert admin.store.tenant_for_key(hash_api_key(key)) == "default"  # chat keys stay
    tenant = admin.store.get_tenant("default")
    assert tenant is not None and tenant.settings.kommo == {"account_id": 31415926, "subdomain": "acme"}
    missing = client.post("/api/v1/ai/keys/", json={"kind": "kommo"}, headers=bearer(ADMIN))
    assert missing.status_code == 400
    assert client.post("/api/v1/ai/keys/", json={"kind": "admin"}, headers=bearer(ADMIN)).status_code == 422
    enormous = {"kind": "kommo", "kommo_account_id": 2**70, "kommo_subdomain": "acme"}
    assert client.post("/api/v1/ai/keys/", json=enormous, headers=bearer(ADMIN)).status_code == 422
    assert client.post("/api/v1/ai/keys/", json={"kind": "chat"}, headers=bearer(CHAT)).status_code == 403


def test_integrations_name_every_url_to_paste(admin: FastStack) -> None:
    out = function_client("admin").get("/api/v1/ai/integrations/", headers=bearer(ADMIN)).get_json()
    base = out["base_url"]
    assert out["crm"]["chat_url"] == f"{base}/api/agent/customer/"
    assert out["widget"]["script_url"] == f"{base}/widget/widget.js"
    assert out["chatwoot"]["bot_url"] == f"{base}/api/chatwoot/bot" and out["kommo"]["connected"] is False
