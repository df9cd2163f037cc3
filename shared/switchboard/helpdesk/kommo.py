"""Kommo outbound: the Salesbot continue call (``POST return_url`` with a Bearer token).

The protocol is described in docs/contracts/kommo.md.
"""

from __future__ import annotations

from typing import Any

import httpx

from switchboard.helpdesk._http import make_client, request


class KommoConnector:
    """Continues a waiting Salesbot.

    Args:
        access_token: A long-lived token (or OAuth access token) of an account administrator.
        client: Optional preconfigured client.
    """

    def __init__(self, access_token: str, client: httpx.Client | None = None) -> None:
        self._token = access_token
        self._client = client or make_client()

    def continue_bot(self, return_url: str, body: dict[str, Any]) -> int:
        """POST the continue body exactly to ``return_url``; returns the status (202 = done).

        Raises:
            UpstreamUnavailableError: 5xx, 429 or a timeout; the queue retries.
            UpstreamError: A 4xx: 401 (token) and 404 (the bot step is gone) are final, and so is
                any other refusal (for example 400 TooLong).
        """
        headers = {"Authorization": f"Bearer {self._token}"}
        response = request(self._client, "Kommo", "POST", return_url, json=body, headers=headers)
        return response.status_code
