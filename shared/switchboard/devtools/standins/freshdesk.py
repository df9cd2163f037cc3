"""Freshdesk stand-in: ticket creation and lookup behind Basic auth with the API key."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

from switchboard.devtools.standins.base import Recorded, StandIn


class FreshdeskStandIn(StandIn):
    """``POST /api/v2/tickets`` (201), ``GET /api/v2/tickets`` (list by requester), ``GET /api/v2/agents/me``."""

    def __init__(self, api_key: str = "dev-freshdesk-key", state_file: Path | None = None) -> None:
        self.api_key = api_key
        self.tickets: list[dict[str, Any]] = []
        self.next_id = 9630
        super().__init__("freshdesk", state_file)

    def state(self) -> dict[str, Any]:
        return {"tickets": self.tickets, "next_id": self.next_id}

    def restore(self, state: dict[str, Any]) -> None:
        self.tickets = list(state.get("tickets", []))
        self.next_id = int(state.get("next_id", 9630))

    def _authorized(self, req: Recorded) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.api_key}:X".encode()).decode()
        return req.headers.get("Authorization") == expected

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        if not self._authorized(req):
            return (
                401,
                {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."},
                {},
            )
        if req.method == "POST" and req.path == "/api/v2/tickets":
            body = req.body if isinstance(req.body, dict) else {}
            missing = [f for f in ("subject", "description", "email") if not body.get(f)]
            if missing:
                errors = [{"field": f, "message": "It should not be blank", "code": "missing_field"} for f in missing]
                return 400, {"description": "Validation failed", "errors": errors}, {}
            ticket = {**body, "id": self.next_id, "created_at": time.time()}
            self.next_id += 1
            self.tickets.append(ticket)
            self.notify(f"ticket #{ticket['id']} for {body.get('email')}: {body.get('subject')}")
            return 201, ticket, {"Location": f"/api/v2/tickets/{ticket['id']}"}
        if req.method == "GET" and req.path == "/api/v2/tickets":
            email_q = (req.query.get("email") or [""])[0]
            return 200, [t for t in self.tickets if t.get("email") == email_q], {}
        if req.method == "GET" and req.path == "/api/v2/agents/me":
            return 200, {"id": 1, "contact": {"email": "agent@example.com"}}, {}
        return 404, {"code": "not_found"}, {}
