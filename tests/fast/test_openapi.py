"""The OpenAPI document is current, valid, served, and the responses the API sends conform to it."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from openapi_spec_validator import validate

from switchboard.devtools.openapi import DOCS, PACKAGED, rendered
from tests.conftest import function_client, user_info
from tests.fast.helpers import create_ticket, record_failure
from tests.support.fast import FastStack


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(rendered())
    return document


def conforms(body: Any, schema_name: str) -> None:
    """Validate a response body against a component schema of the document."""
    document = _document()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)


def test_the_committed_document_is_the_generated_one_and_is_valid_openapi_3_1() -> None:
    assert DOCS.read_text(encoding="utf-8") == rendered(), "run `switchboard openapi`"
    assert PACKAGED.read_text(encoding="utf-8") == rendered(), "run `switchboard openapi`"
    validate(_document())
    assert _document()["openapi"] == "3.1.0"


def test_the_health_function_serves_it(stack: FastStack) -> None:
    response = function_client("health").get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == _document()


def test_what_the_api_sends_conforms_to_the_document(stack: FastStack) -> None:
    chat = function_client("chat")
    ask = {"message": "How do I reset my password?", "user_info": user_info()}
    conforms(chat.post("/api/agent/customer/", json=ask).get_json(), "ChatResponse")
    conforms(chat.post("/api/agent/test/", json=ask).get_json(), "ChatResponse")
    conforms(chat.post("/api/agent/customer/", json={"message": ""}).get_json(), "ErrorOut")
    escalation = function_client("escalation")
    failure_id = record_failure(escalation)
    conforms(escalation.post("/api/agent-failure/", json={}).get_json(), "ErrorOut")
    conforms(create_ticket(escalation, failure_id).get_json(), "TicketOut")
    conforms(escalation.post(f"/api/agent-failure/{failure_id}/decline").get_json(), "ErrorOut")
    conforms(function_client("health").get("/api/health").get_json(), "HealthOut")
    feedback = {
        "message_id": "m-1",
        "session_id": "s",
        "feedback_type": "helpful",
        "query": "q",
        "response": "r",
        "agent_type": "customer",
        "user_info": {"agent_id": "u", "email": "u@example.com", "full_name": "U"},
    }
    conforms(function_client("feedback").post("/api/feedback", json=feedback).get_json(), "Success")


def test_a_429_conforms(make_stack: Any) -> None:
    make_stack(RATE_LIMIT="1/3600").seed()
    chat = function_client("chat")
    ask = {"message": "How do I reset my password?", "user_info": user_info()}
    chat.post("/api/agent/customer/", json=ask)
    limited = chat.post("/api/agent/customer/", json=ask)
    assert limited.status_code == 429
    conforms(limited.get_json(), "RateLimited")
