"""Chatwoot's Application API as an agent bot (header ``api_access_token: <bot token>``).

A bot token reaches only the bot-accessible endpoints: it can post messages into a conversation,
toggle its status and set its custom attributes, but not list or create contacts.
"""

from __future__ import annotations

from typing import Any

import httpx

from switchboard.helpdesk._http import make_client, request

VENDOR = "Chatwoot"


class ChatwootBotConnector:
    """One account's conversations, as the agent bot.

    Args:
        base_url: Chatwoot's base URL.
        bot_token: The agent bot's access token.
        account_id: Account id.
        client: Optional preconfigured client.
    """

    def __init__(self, base_url: str, bot_token: str, account_id: int, client: httpx.Client | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._account = account_id
        self._client = client or make_client(self._base, headers={"api_access_token": bot_token})

    def _conversation(self, conversation_id: int, action: str) -> str:
        return f"/api/v1/accounts/{self._account}/conversations/{conversation_id}/{action}"

    def conversation_url(self, conversation_id: int) -> str:
        return f"{self._base}/app/accounts/{self._account}/conversations/{conversation_id}"

    def post_message(self, conversation_id: int, text: str) -> None:
        body = {"content": text, "message_type": "outgoing", "private": False}
        request(self._client, VENDOR, "POST", self._conversation(conversation_id, "messages"), json=body)

    def set_status(self, conversation_id: int, status: str) -> None:
        body = {"status": status}
        request(self._client, VENDOR, "POST", self._conversation(conversation_id, "toggle_status"), json=body)

    def set_attributes(self, conversation_id: int, attributes: dict[str, Any]) -> None:
        body = {"custom_attributes": attributes}
        request(self._client, VENDOR, "POST", self._conversation(conversation_id, "custom_attributes"), json=body)
