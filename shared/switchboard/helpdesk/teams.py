"""Microsoft Teams through a Workflows "when a webhook request is received" trigger.

Office 365 connector URLs are retired; Workflows accept Adaptive Cards wrapped in a message
with attachments (PROTOCOLS.md §4). The URL carries its own signature: treat it as a secret.
"""

from __future__ import annotations

from typing import Any

import httpx

from switchboard.helpdesk._http import make_client, request


def adaptive_card_message(
    title: str, facts: list[tuple[str, str]], text: str = "", actions: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """The message payload the Workflows template posts to a channel."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    if text:
        body.append({"type": "TextBlock", "text": text, "wrap": True})
    body.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts if v]})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if actions:
        card["actions"] = [{"type": "Action.OpenUrl", "title": t, "url": u} for t, u in actions if u]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


class TeamsConnector:
    """Posts cards to one Workflows webhook URL.

    Args:
        webhook_url: The trigger's HTTP POST URL (a secret).
        client: Optional preconfigured client.
    """

    def __init__(self, webhook_url: str, client: httpx.Client | None = None) -> None:
        self._url = webhook_url
        self._client = client or make_client()

    def post(self, card: dict[str, Any]) -> None:
        """POST the card; any 2xx is success (Workflows usually answers 202)."""
        request(self._client, "Teams", "POST", self._url, json=card)
