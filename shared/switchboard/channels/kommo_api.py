"""Kommo outbound: the Salesbot continue call (``POST return_url`` with a Bearer token)."""

from __future__ import annotations

from typing import Any

import httpx

from switchboard.errors import UpstreamError, UpstreamUnavailableError
from switchboard.helpdesk._http import make_client, request


class KommoFinalError(UpstreamError):
    """Kommo refused the continue call for good: 401 (token) or 404 (the bot step is gone)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"Kommo continue call refused with {status}", status)


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
            KommoFinalError: 401 or 404; retrying cannot help.
            UpstreamUnavailableError: 5xx, 429 or a timeout; the queue retries.
            UpstreamError: Other 4xx (for example 400 TooLong).
        """
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            response = request(self._client, "Kommo", "POST", return_url, json=body, headers=headers)
        except UpstreamUnavailableError:
            raise
        except UpstreamError as exc:
            if exc.status in (401, 404):
                raise KommoFinalError(exc.status) from exc
            raise
        return response.status_code
