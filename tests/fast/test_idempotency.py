"""A caller that sends a request again with the same ``Idempotency-Key`` (after a 503, a timeout or
a lost answer) gets the first answer back; nothing is stored or done twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from switchboard.errors import StoreError
from tests.conftest import function_client
from tests.fast.helpers import ask, conversation, record_failure, roles_and_texts
from tests.support.crm import failure_body
from tests.support.fast import FastStack, ScriptedLLM

QUESTION = "How long do card refunds take?"


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def answers(stack: FastStack) -> int:
    llm = stack.services.llm
    assert isinstance(llm, ScriptedLLM)
    return len(llm.called("answer"))


@pytest.fixture
def scripted(make_stack: Callable[..., FastStack]) -> FastStack:
    stack = make_stack(llm=ScriptedLLM())
    stack.seed()
    return stack


def test_the_same_key_twice_gets_the_first_answer_and_one_stored_turn(scripted: FastStack) -> None:
    chat = function_client("chat")
    first = ask(chat, QUESTION, agent="customer", headers=keyed("crm-msg-1"))
    again = ask(chat, QUESTION, agent="customer", headers=keyed("crm-msg-1"))
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()  # same reply, confidence, sources and timestamp
    assert first.get_json()["sources"] and answers(scripted) == 1
    assert len(roles_and_texts(scripted, conversation())) == 2
    # A new key is a new message
    ask(chat, QUESTION, agent="customer", headers=keyed("crm-msg-2"))
    assert answers(scripted) == 2 and len(roles_and_texts(scripted, conversation())) == 4


def test_a_turn_saved_before_its_503_is_not_stored_again_on_the_retry(
    scripted: FastStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a save that lands but whose answer is lost (the caller sees 503)
    real = scripted.store.save_turn
    lost = iter([True])

    def landed_unheard(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        if next(lost, False):
            raise StoreError("save turn: Firestore failed (DeadlineExceeded)")

    monkeypatch.setattr(scripted.store, "save_turn", landed_unheard)
    chat = function_client("chat")
    first = ask(chat, QUESTION, headers=keyed("retry-me"))
    assert first.status_code == 503 and first.headers["Retry-After"]
    # WHEN the caller retries with the same key
    retry = ask(chat, QUESTION, headers=keyed("retry-me"))
    # THEN it gets the stored answer, marked as a replay, and the turn is stored once
    assert retry.status_code == 200 and retry.get_json()["debug"]["replayed"] is True
    stored = roles_and_texts(scripted, conversation())
    assert [role for role, _ in stored] == ["user", "assistant"]
    assert retry.get_json()["response"] == stored[1][1] and answers(scripted) == 1


def test_without_a_key_the_same_retry_is_a_second_turn(scripted: FastStack) -> None:
    chat = function_client("chat")
    ask(chat, QUESTION)
    ask(chat, QUESTION)
    assert len(roles_and_texts(scripted, conversation())) == 4  # what the key exists to prevent


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "naïve"])
def test_a_malformed_key_is_400_and_nothing_is_stored(scripted: FastStack, key: str) -> None:
    response = ask(function_client("chat"), QUESTION, headers=keyed(key))
    assert response.status_code == 400 and "Idempotency-Key" in response.get_json()["detail"]
    assert roles_and_texts(scripted, conversation()) == []


def test_a_failure_recorded_twice_with_one_key_is_one_failure(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    first = escalation.post("/api/agent-failure/", json=failure_body(), headers=keyed("fail-1"))
    again = escalation.post("/api/agent-failure/", json=failure_body(), headers=keyed("fail-1"))
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    other = record_failure(escalation)  # no key: a new failure each time
    assert {failure_id for _, failure_id in stack.db.escalations} == {first.get_json()["failure_id"], other}


def test_one_key_in_two_tenants_is_two_failures() -> None:
    from switchboard.core.escalation import failure_id_for

    assert failure_id_for("a", "u", "k") != failure_id_for("b", "u", "k")
