"""Kommo stand-in: the Salesbot continue endpoint, with the real API's auth and limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from switchboard.devtools.standins.base import Recorded, StandIn


class KommoStandIn(StandIn):
    """Kommo's Salesbot continue endpoint: ``POST /api/v4/{salesbot|marketingbot}/{bot}/continue/{id}``.

    Answers 202 to an administrator's Bearer token, 401 without it, 404 to a continue id that
    was already used (the waiting step is gone), 400 ``TooLong`` to a show value over 80
    characters or more than 10 handlers, as the real API does.
    """

    def __init__(self, token: str = "dev-kommo-token", state_file: Path | None = None) -> None:
        self.token = token
        self.continues: list[dict[str, Any]] = []
        super().__init__("kommo", state_file)

    def state(self) -> dict[str, Any]:
        return {"continues": self.continues}

    def restore(self, state: dict[str, Any]) -> None:
        self.continues = list(state.get("continues", []))

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        parts = req.path.strip("/").split("/")
        if req.method != "POST" or len(parts) != 6 or parts[:2] != ["api", "v4"] or parts[4] != "continue":
            return 404, {"title": "Not found"}, {}
        if req.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"title": "Unauthorized", "status": 401}, {}
        if any(c["path"] == req.path for c in self.continues):
            return 404, {"title": "Not found", "detail": "widget record not found"}, {}
        body = req.body if isinstance(req.body, dict) else {}
        handlers = body.get("execute_handlers") or []
        too_long = len(handlers) > 10 or any(
            len(str((h.get("params") or {}).get("value", ""))) > 80 for h in handlers if h.get("handler") == "show"
        )
        if too_long:
            return 400, {"title": "Bad Request", "detail": "TooLong"}, {}
        self.continues.append({"path": req.path, "body": body})
        self.notify(
            f"continue {parts[5]}: {len(handlers)} bubble(s), handoff={(body.get('data') or {}).get('handoff')}"
        )
        return 202, None, {}
