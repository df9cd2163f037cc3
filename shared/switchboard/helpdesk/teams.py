"""Microsoft Teams through a Workflows "when a webhook request is received" trigger.

Office 365 connector URLs are retired; Workflows accept Adaptive Cards wrapped in a message
with attachments. The URL carries its own signature: treat it as a secret.
"""

from __future__ import annotations

from typing import Any

import httpx

from switchboard.helpdesk._http import make_client, request


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
