"""Microsoft Teams stand-in: a Workflows trigger that takes a message with an Adaptive Card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from switchboard.devtools.standins.base import Recorded, StandIn


class TeamsStandIn(StandIn):
    """A Workflows trigger: any POST with a message + Adaptive Card attachment → 202."""

    def __init__(self, state_file: Path | None = None) -> None:
        self.cards: list[dict[str, Any]] = []
        super().__init__("teams", state_file)

    def state(self) -> dict[str, Any]:
        return {"cards": self.cards}

    def restore(self, state: dict[str, Any]) -> None:
        self.cards = list(state.get("cards", []))

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        body = req.body if isinstance(req.body, dict) else {}
        attachments = body.get("attachments") or []
        if req.method != "POST" or body.get("type") != "message" or not attachments:
            return 400, {"error": {"code": "InvalidRequestContent"}}, {}
        if attachments[0].get("contentType") != "application/vnd.microsoft.card.adaptive":
            return 400, {"error": {"code": "InvalidRequestContent"}}, {}
        self.cards.append(body)
        title = (attachments[0].get("content") or {}).get("body", [{}])[0].get("text", "")
        self.notify(f"card: {title}")
        return 202, None, {}
