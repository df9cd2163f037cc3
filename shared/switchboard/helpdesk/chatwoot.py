"""Chatwoot Application API (header ``api_access_token``): contacts, conversations, notes."""

from __future__ import annotations

from typing import Any

import httpx

from switchboard.errors import UpstreamError
from switchboard.helpdesk._http import make_client, request
from switchboard.helpdesk.base import ContactDraft, DeskContact, DeskConversation

VENDOR = "Chatwoot"


class ChatwootConnector:
    """Talks to one account and one API inbox.

    Args:
        base_url: Chatwoot's base URL.
        api_token: A user/admin access token (agent-bot tokens cannot manage contacts).
        account_id: Account id.
        inbox_id: Id of the API-channel inbox escalations go to.
        client: Optional preconfigured client.
    """

    def __init__(
        self, base_url: str, api_token: str, account_id: int, inbox_id: int, client: httpx.Client | None = None
    ) -> None:
        self._base = base_url.rstrip("/")
        self._account = account_id
        self._inbox = inbox_id
        self._client = client or make_client(self._base, headers={"api_access_token": api_token})

    def _path(self, suffix: str) -> str:
        return f"/api/v1/accounts/{self._account}{suffix}"

    def conversation_url(self, conversation_id: int) -> str:
        """The agent-facing URL of a conversation."""
        return f"{self._base}/app/accounts/{self._account}/conversations/{conversation_id}"

    def _find_contact(self, identifier: str) -> dict[str, Any] | None:
        response = request(self._client, VENDOR, "GET", self._path("/contacts/search"), params={"q": identifier})
        for contact in (response.json() or {}).get("payload", []):
            if contact.get("identifier") == identifier:
                return dict(contact)
        return None

    def _source_id(self, contact_id: int) -> str:
        response = request(self._client, VENDOR, "GET", self._path(f"/contacts/{contact_id}/contactable_inboxes"))
        for item in (response.json() or {}).get("payload", []):
            if (item.get("inbox") or {}).get("id") == self._inbox and item.get("source_id"):
                return str(item["source_id"])
        created = request(
            self._client,
            VENDOR,
            "POST",
            self._path(f"/contacts/{contact_id}/contact_inboxes"),
            json={"inbox_id": self._inbox},
        )
        source_id = (created.json() or {}).get("source_id")
        if not source_id:
            raise UpstreamError("Chatwoot: contact inbox has no source_id")
        return str(source_id)

    def upsert_contact(self, draft: ContactDraft) -> DeskContact:
        """Find the contact by identifier and update it, or create it in our inbox."""
        fields: dict[str, Any] = {"name": draft.name, "email": draft.email, "identifier": draft.identifier}
        if draft.phone:
            fields["phone_number"] = draft.phone
        if draft.attributes:
            fields["custom_attributes"] = draft.attributes
        existing = self._find_contact(draft.identifier)
        if existing:
            contact_id = int(existing["id"])
            request(self._client, VENDOR, "PUT", self._path(f"/contacts/{contact_id}"), json=fields)
            return DeskContact(contact_id, self._source_id(contact_id))
        response = request(
            self._client, VENDOR, "POST", self._path("/contacts"), json={**fields, "inbox_id": self._inbox}
        )
        payload = (response.json() or {}).get("payload") or {}
        contact = payload.get("contact") or payload
        source_id = (payload.get("contact_inbox") or {}).get("source_id")
        contact_id = int(contact["id"])
        return DeskContact(contact_id, str(source_id) if source_id else self._source_id(contact_id))

    def open_conversation(
        self, contact: DeskContact, first_message: str, attributes: dict[str, Any]
    ) -> DeskConversation:
        """Open a conversation with the transcript as its first message."""
        body = {
            "source_id": contact.source_id,
            "inbox_id": self._inbox,
            "contact_id": contact.id,
            "status": "open",
            "custom_attributes": attributes,
            "message": {"content": first_message},
        }
        response = request(self._client, VENDOR, "POST", self._path("/conversations"), json=body)
        conversation_id = int((response.json() or {})["id"])
        return DeskConversation(conversation_id, self.conversation_url(conversation_id))

    def add_private_note(self, conversation_id: int, text: str) -> None:
        """A private note (only agents see it)."""
        body = {"content": text, "message_type": "outgoing", "private": True}
        request(self._client, VENDOR, "POST", self._path(f"/conversations/{conversation_id}/messages"), json=body)

    def set_status(self, conversation_id: int, status: str) -> None:
        """``toggle_status`` to ``open``, ``pending`` or ``resolved``."""
        request(
            self._client,
            VENDOR,
            "POST",
            self._path(f"/conversations/{conversation_id}/toggle_status"),
            json={"status": status},
        )
