from __future__ import annotations

from typing import Any

from tests.conftest import user_info
from tests.support.fast import FastStack


def test_chat_answers_from_the_demo_kb(stack: FastStack, http: Any) -> None:
    response = http("chat").post(
        "/api/agent/customer/", json={"message": "How do I reset my password?", "user_info": user_info()}
    )
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert body["sources"], body
