"""Single sign-on into Chatwoot (``GET /api/support/sso``, function admin) over in-memory stores and
a real Chatwoot stand-in on loopback: a user made once and reused, one-time links, admin keys only,
Chatwoot's refusals and failures translated, nothing half-done, concurrent first calls."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from switchboard import bootstrap
from switchboard.channels.auth import hash_api_key
from switchboard.devtools.emulator import free_port
from switchboard.devtools.standins import ChatwootStandIn
from switchboard.devtools.standins.base import Fault, Recorded
from tests.conftest import function_client
from tests.support.fast import FastStack
from tests.support.memory import InMemorySupportUsers

ADMIN, CHAT = "sb_admin_key_for_sso", "sb_chat_key_for_sso"
SSO = "/api/support/sso"
JANE = {"email": "Jane.Doe@Example.com", "name": "Jane Doe"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Sso:
    stack: FastStack
    desk: ChatwootStandIn
    users: InMemorySupportUsers

    def get(self, query: dict[str, str] | None = None, key: str | None = ADMIN, path: str = SSO) -> Any:
        headers = bearer(key) if key else None
        return function_client("admin").get(path, query_string=JANE if query is None else query, headers=headers)

    def calls(self, method: str, path_end: str) -> list[Recorded]:
        """The Platform API requests the stand-in received."""
        return [
            r
            for r in self.desk.requests
            if r.path.startswith("/platform/") and r.method == method and r.path.endswith(path_end)
        ]


def with_support_users(stack: FastStack) -> InMemorySupportUsers:
    """Install the stack's services again with in-memory support users (the fast stack leaves them out)."""
    users = InMemorySupportUsers(stack.db)
    parts = {name: value for name, value in vars(stack.services).items() if name != "settings"}
    bootstrap.install(bootstrap.Services(stack.services.settings, **parts, support_users=users))
    return users


@pytest.fixture
def make_sso(make_stack: Callable[..., FastStack]) -> Iterator[Callable[..., Sso]]:
    started: list[ChatwootStandIn] = []

    def build(desk: ChatwootStandIn | None = None, **settings: str) -> Sso:
        desk = desk or ChatwootStandIn()
        started.append(desk.start())
        chatwoot = {
            "CHATWOOT_BASE_URL": desk.url,
            "CHATWOOT_ACCOUNT_ID": str(desk.account_id),
            "CHATWOOT_PLATFORM_TOKEN": desk.platform_token,
        }
        stack = make_stack(**{**chatwoot, **settings})
        stack.store.add_api_key(hash_api_key(ADMIN), "default", kind="admin")
        stack.store.add_api_key(hash_api_key(CHAT), "default")
        return Sso(stack, desk, with_support_users(stack))

    yield build
    for desk in started:
        desk.stop()


@pytest.fixture
def sso(make_sso: Callable[..., Sso]) -> Sso:
    return make_sso()


def test_the_first_call_makes_the_user_and_the_next_reuses_it_with_a_new_link(sso: Sso) -> None:
    first = sso.get()
    assert first.status_code == 200, first.get_data(as_text=True)
    body = first.get_json()
    assert set(body) == {"url", "chatwoot_user_id", "created"} and body["created"] is True
    assert body["url"].startswith(f"{sso.desk.url}/app/login?email=jane.doe%40example.com&sso_auth_token=")
    assert first.headers["Cache-Control"] == "no-store"
    (user,) = sso.desk.live_users()
    assert (user["id"], user["email"], user["name"]) == (body["chatwoot_user_id"], "jane.doe@example.com", "Jane Doe")
    assert sso.desk.account_users == [{"account_id": 1, "user_id": user["id"], "role": "agent"}]
    stored = sso.users.get("default", "jane.doe@example.com")
    assert stored is not None and (stored.chatwoot_user_id, stored.agent_added) == (user["id"], True)
    assert stored.email == "jane.doe@example.com" and stored.name == "Jane Doe" and stored.created_at is not None

    again = sso.get({"email": "jane.doe@example.com", "name": "Jane D."}).get_json()  # any case, any name
    assert again["chatwoot_user_id"] == body["chatwoot_user_id"] and again["created"] is False
    assert again["url"] != body["url"]
    assert len(sso.calls("POST", "/users")) == 1
    assert len(sso.calls("GET", "/login")) == 2
    assert len(sso.calls("POST", "/account_users")) == 1  # added once, not on every sign-in


def test_the_password_sent_is_strong_and_never_shown_or_logged(sso: Sso, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        response = sso.get()
    (create,) = sso.calls("POST", "/users")
    password = create.body["password"]
    assert len(password) >= 20 and password not in response.get_data(as_text=True)
    assert password not in caplog.text and response.get_json()["url"] not in caplog.text


def test_tenants_are_apart(sso: Sso) -> None:
    sso.stack.store.add_api_key(hash_api_key("sb_other_admin"), "other", kind="admin")
    mine = sso.get().get_json()
    assert sso.users.get("other", JANE["email"]) is None
    theirs = sso.get({"email": "sam@example.com", "name": "Sam"}, key="sb_other_admin").get_json()
    assert theirs["created"] is True and theirs["chatwoot_user_id"] != mine["chatwoot_user_id"]
    assert sso.users.get("other", "sam@example.com") is not None and sso.users.get("default", "sam@example.com") is None


def test_a_chat_key_is_403_and_no_key_or_an_unknown_one_is_401(sso: Sso) -> None:
    forbidden = sso.get(key=CHAT)
    assert forbidden.status_code == 403 and forbidden.get_json()["error"] == "forbidden"
    assert sso.get(key=None).status_code == 401
    assert sso.get(key="sb_unknown").status_code == 401
    assert function_client("admin").get(SSO, query_string=JANE, headers={"X-API-Key": ADMIN}).status_code == 200
    assert len(sso.calls("POST", "/users")) == 1  # only the admin call reached Chatwoot


@pytest.mark.parametrize(
    "query",
    [
        {"name": "Jane"},
        {"email": "not-an-email", "name": "Jane"},
        {"email": "jane@localhost", "name": "Jane"},
        {"email": "ja ne@example.com", "name": "Jane"},
        {"email": "a" * 243 + "@example.com", "name": "Jane"},  # 255 characters
        {"email": "jane@example.com"},
        {"email": "jane@example.com", "name": "   "},
        {"email": "jane@example.com", "name": "Jane\nDoe"},
        {"email": "jane@example.com", "name": "J" * 201},
    ],
)
def test_a_bad_email_or_name_is_400_and_reaches_no_one(sso: Sso, query: dict[str, str]) -> None:
    response = sso.get(query)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
    assert not sso.desk.requests and sso.users.users == {}


def test_the_longest_allowed_email_and_name_are_accepted(sso: Sso) -> None:
    email = "a" * 242 + "@example.com"  # 254 characters
    response = sso.get({"email": email, "name": "J" * 200})
    assert response.status_code == 200 and len(email) == 254


def test_paths_and_methods(sso: Sso) -> None:
    assert sso.get(path=SSO + "/").status_code == 200  # the trailing slash is optional
    wrong = function_client("admin").post(SSO, query_string=JANE, headers=bearer(ADMIN))
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET"
    assert sso.get(path="/api/support/other").status_code == 404


def test_an_email_chatwoot_already_has_is_409_and_nothing_is_stored(sso: Sso) -> None:
    sso.desk.add_user("Jane Elsewhere", "jane.doe@example.com")
    response = sso.get()
    assert response.status_code == 409 and response.get_json()["error"] == "conflict"
    detail = response.get_json()["detail"]
    assert "jane.doe@example.com" in detail and "did not create" in detail and "another email" in detail
    assert sso.users.get("default", JANE["email"]) is None
    assert len(sso.desk.live_users()) == 1 and not sso.calls("GET", "/login")


def test_newer_chatwoot_handing_back_an_existing_member_is_refused_too(make_sso: Callable[..., Sso]) -> None:
    # Newer Chatwoot answers a create with an existing user's email with that user: signing in as
    # the desk's administrator with a tenant's admin key must not be possible.
    sso = make_sso(ChatwootStandIn(reuse_existing_users=True))
    boss = sso.desk.add_user("The Boss", "boss@example.com", role="administrator")
    response = sso.get({"email": "boss@example.com", "name": "Me"})
    assert response.status_code == 409
    assert sso.users.get("default", "boss@example.com") is None and not sso.calls("GET", "/login")
    assert sso.desk.account_users == [{"account_id": 1, "user_id": boss, "role": "administrator"}]  # untouched
    assert sso.get().get_json()["created"] is True  # a new email is made as usual


def test_chatwoot_down_or_failing_is_503_with_retry_after_and_nothing_is_stored(sso: Sso) -> None:
    sso.desk.fail_next(Fault(500, {"error": "boom"}))
    failing = sso.get()
    assert failing.status_code == 503 and failing.get_json()["error"] == "upstream_unavailable"
    sso.desk.fail_next(Fault(429, {}, {"Retry-After": "7"}))
    limited = sso.get()
    assert limited.status_code == 503 and limited.headers["Retry-After"] == "7"
    assert sso.users.users == {}


def test_chatwoot_unreachable_is_503(make_sso: Callable[..., Sso]) -> None:
    sso = make_sso(CHATWOOT_BASE_URL=f"http://127.0.0.1:{free_port()}")
    down = sso.get()
    assert down.status_code == 503 and down.get_json()["error"] == "upstream_unavailable"
    assert down.headers["Retry-After"] and sso.users.users == {}


def test_a_refused_platform_token_is_a_clear_502(make_sso: Callable[..., Sso]) -> None:
    sso = make_sso(CHATWOOT_PLATFORM_TOKEN="not-a-platform-token")
    response = sso.get()
    body = response.get_json()
    assert response.status_code == 502 and body["error"] == "upstream_error"
    assert "platform token" in body["detail"] and "not-a-platform-token" not in body["detail"]
    assert sso.users.users == {}


def test_a_user_deleted_in_chatwoot_is_made_again_once(sso: Sso) -> None:
    first = sso.get().get_json()
    sso.desk.delete_user(first["chatwoot_user_id"])
    again = sso.get()
    assert again.status_code == 200
    body = again.get_json()
    assert body["created"] is True and body["chatwoot_user_id"] != first["chatwoot_user_id"]
    stored = sso.users.get("default", JANE["email"])
    assert stored is not None and stored.chatwoot_user_id == body["chatwoot_user_id"] and stored.agent_added
    assert len(sso.calls("POST", "/users")) == 2
    assert sso.desk.account_users == [{"account_id": 1, "user_id": body["chatwoot_user_id"], "role": "agent"}]


class VanishingStandIn(ChatwootStandIn):
    """A Chatwoot where every user is gone by the time its login link is asked for."""

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        if req.path.endswith("/login"):
            self.delete_user(int(req.path.split("/")[-2]))
        return super().handle(req)


def test_a_user_that_vanishes_again_is_not_made_a_third_time(make_sso: Callable[..., Sso]) -> None:
    sso = make_sso(VanishingStandIn())
    response = sso.get()
    assert response.status_code == 502 and "try again" in response.get_json()["detail"]
    assert len(sso.calls("POST", "/users")) == 2


def test_an_agent_that_could_not_be_added_is_added_by_the_next_call_and_no_second_user_is_made(sso: Sso) -> None:
    sso.desk.platform_account_ids = set()  # the platform app was not granted the account (yet)
    refused = sso.get()
    assert refused.status_code == 502 and "account 1" in refused.get_json()["detail"]
    stored = sso.users.get("default", JANE["email"])
    assert stored is not None and stored.agent_added is False  # the user is kept: a retry makes no second one
    assert not sso.calls("GET", "/login")  # no link for a user who is not an agent yet

    sso.desk.platform_account_ids = {1}  # a super admin granted it
    response = sso.get()
    assert response.status_code == 200 and response.get_json()["created"] is False
    assert response.get_json()["chatwoot_user_id"] == stored.chatwoot_user_id
    assert len(sso.calls("POST", "/users")) == 1 and len(sso.desk.live_users()) == 1
    assert sso.desk.account_users == [{"account_id": 1, "user_id": stored.chatwoot_user_id, "role": "agent"}]
    after = sso.users.get("default", JANE["email"])
    assert after is not None and after.agent_added is True


def test_not_configured_is_a_clear_503(make_stack: Callable[..., FastStack]) -> None:
    stack = make_stack(CHATWOOT_BASE_URL="http://chatwoot.invalid", CHATWOOT_ACCOUNT_ID="1")
    stack.store.add_api_key(hash_api_key(ADMIN), "default", kind="admin")
    with_support_users(stack)
    response = function_client("admin").get(SSO, query_string=JANE, headers=bearer(ADMIN))
    assert response.status_code == 503 and response.get_json()["error"] == "not_configured"
    assert "CHATWOOT_PLATFORM_TOKEN" in response.get_json()["detail"]
    assert function_client("admin").get(SSO, query_string=JANE).status_code == 401  # still an admin API


def test_a_call_refused_while_a_concurrent_first_call_is_still_storing_the_user_waits_for_it(sso: Sso) -> None:
    # The first call's create answer is slow to come back, so the second call's 422 ("taken")
    # arrives before the first has stored the user: the second waits for it instead of a 409.
    made = sso.desk.add_user("Jane Doe", "jane.doe@example.com", role=None, by_platform=True)
    sso.desk.fail_next(Fault(200, {"id": made, "accounts": []}, delay=0.5))
    clients = [function_client("admin") for _ in range(2)]
    answers: list[Any] = []

    def sign_in(client: Any, after: float) -> None:
        time.sleep(after)
        answers.append(client.get(SSO, query_string=JANE, headers=bearer(ADMIN)))

    threads = [threading.Thread(target=sign_in, args=(c, i * 0.1)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200, 200], [a.get_json() for a in answers]
    assert [a.get_json()["chatwoot_user_id"] for a in answers] == [made, made]
    assert sorted(a.get_json()["created"] for a in answers) == [False, True]
    assert len(sso.desk.live_users()) == 1


@pytest.mark.parametrize("reuse", [False, True], ids=["chatwoot-refuses-the-email", "chatwoot-hands-back"])
def test_concurrent_first_calls_make_one_user_and_store_one_mapping(make_sso: Callable[..., Sso], reuse: bool) -> None:
    sso = make_sso(ChatwootStandIn(reuse_existing_users=reuse))
    clients = [function_client("admin") for _ in range(5)]
    barrier = threading.Barrier(len(clients))
    answers: list[Any] = []

    def sign_in(client: Any) -> None:
        barrier.wait()
        answers.append(client.get(SSO, query_string=JANE, headers=bearer(ADMIN)))

    threads = [threading.Thread(target=sign_in, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * 5, [a.get_json() for a in answers]
    bodies = [a.get_json() for a in answers]
    (user,) = sso.desk.live_users()
    assert {b["chatwoot_user_id"] for b in bodies} == {user["id"]}
    assert sum(b["created"] for b in bodies) == 1
    assert len({b["url"] for b in bodies}) == 5
    assert list(sso.users.users) == [("default", "jane.doe@example.com")]
    assert sso.desk.account_users == [{"account_id": 1, "user_id": user["id"], "role": "agent"}]
