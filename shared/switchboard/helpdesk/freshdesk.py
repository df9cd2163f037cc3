"""Freshdesk API v2: tickets. Basic auth is the API key with the literal password ``X``."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from switchboard.errors import UpstreamError
from switchboard.helpdesk._http import make_client, request
from switchboard.helpdesk.base import TicketDraft, TicketRef

VENDOR = "Freshdesk"


def base_url_for(domain: str | None, override: str | None) -> str:
    """``FRESHDESK_BASE_URL`` if set, else ``https://{domain}.freshdesk.com``."""
    if override:
        return override.rstrip("/")
    if not domain:
        raise ValueError("FRESHDESK_DOMAIN or FRESHDESK_BASE_URL is required")
    host = domain if "." in domain else f"{domain}.freshdesk.com"
    return f"https://{host}"


class FreshdeskConnector:
    """Creates and finds tickets.

    Args:
        base_url: ``https://{domain}.freshdesk.com`` (or a stand-in).
        api_key: The agent's API key.
        client: Optional preconfigured client (timeouts); one is made otherwise.
    """

    def __init__(self, base_url: str, api_key: str, client: httpx.Client | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._client = client or make_client(self._base, auth=(api_key, "X"))

    def ticket_url(self, ticket_id: str) -> str:
        """The agent-facing URL of a ticket."""
        return f"{self._base}/a/tickets/{ticket_id}"

    def create_ticket(self, draft: TicketDraft) -> TicketRef:
        """``POST /api/v2/tickets``; Freshdesk answers 201 with the ticket.

        Raises:
            UpstreamUnavailableError: Timeout, 5xx or 429 (``retry_after`` from ``Retry-After``).
            UpstreamError: Validation or permission errors (4xx).
        """
        body = {
            "subject": draft.subject,
            "description": draft.description_html,
            "email": draft.requester_email,
            "name": draft.requester_name,
            "tags": list(draft.tags),
            "priority": draft.priority,
            "status": draft.status,
            "source": draft.source,
        }
        response = request(self._client, VENDOR, "POST", "/api/v2/tickets", json=body)
        ticket_id = (response.json() or {}).get("id")
        if ticket_id is None:
            raise UpstreamError("Freshdesk: created ticket has no id")
        return TicketRef(str(ticket_id), self.ticket_url(str(ticket_id)))

    def find_ticket(self, requester_email: str, tag: str, since: datetime) -> TicketRef | None:
        """Look for a ticket we may already have created (list API, not the lagging search API)."""
        params = {
            "email": requester_email,
            "updated_since": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "per_page": "100",
        }
        response = request(self._client, VENDOR, "GET", "/api/v2/tickets", params=params)
        for ticket in response.json() or []:
            if tag in (ticket.get("tags") or []):
                return TicketRef(str(ticket["id"]), self.ticket_url(str(ticket["id"])))
        return None
