"""Chatwoot stand-in: the Application API's contacts, conversations and messages the desk uses."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from switchboard.devtools.standins.base import Recorded, StandIn


class ChatwootStandIn(StandIn):
    """The slice of the Chatwoot Application API the desk and the agent bot use, with
    ``api_access_token`` auth. The bot's token reaches only the bot-accessible endpoints (messages,
    toggle_status, custom_attributes), as in Chatwoot; a conversation the bot writes to that this
    stand-in has not seen (Chatwoot made it when the customer wrote) is created on first use."""

    def __init__(
        self,
        token: str = "dev-chatwoot-token",
        account_id: int = 1,
        inbox_id: int = 1,
        state_file: Path | None = None,
        bot_token: str = "dev-chatwoot-bot-token",
    ) -> None:
        self.token, self.account_id, self.inbox_id, self.bot_token = token, account_id, inbox_id, bot_token
        self.contacts: list[dict[str, Any]] = []
        self.conversations: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        super().__init__("chatwoot", state_file)

    def state(self) -> dict[str, Any]:
        return {"contacts": self.contacts, "conversations": self.conversations, "messages": self.messages}

    def restore(self, state: dict[str, Any]) -> None:
        self.contacts = list(state.get("contacts", []))
        self.conversations = list(state.get("conversations", []))
        self.messages = list(state.get("messages", []))

    def bot_messages(self, conversation_id: int) -> list[str]:
        """What the bot said in a conversation, oldest first."""
        return [
            m["content"] for m in self.messages if m["conversation_id"] == conversation_id and m.get("sender") == "bot"
        ]

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        token = req.headers.get("api_access_token")
        if token == self.bot_token and token:
            return self._bot(req)
        if token != self.token:
            return 401, {"errors": ["You need to sign in or sign up before continuing."]}, {}
        prefix = f"/api/v1/accounts/{self.account_id}"
        if req.path == "/api/v1/profile":
            return 200, {"id": 1, "name": "Admin"}, {}
        if not req.path.startswith(prefix):
            return 404, {"error": "not found"}, {}
        path, body = req.path[len(prefix) :], req.body if isinstance(req.body, dict) else {}
        parts = path.strip("/").split("/")
        if path == "/contacts/search" and req.method == "GET":
            q = (req.query.get("q") or [""])[0]
            found = [c for c in self.contacts if q and q in (c.get("identifier"), c.get("email"), c.get("name"))]
            return 200, {"payload": found, "meta": {"count": len(found)}}, {}
        if path == "/contacts" and req.method == "POST":
            contact = {**{k: v for k, v in body.items() if k != "inbox_id"}, "id": len(self.contacts) + 1}
            contact["source_id"] = f"src-{contact['id']}"
            self.contacts.append(contact)
            inbox = {"source_id": contact["source_id"], "inbox": {"id": body.get("inbox_id")}}
            return 200, {"payload": {"contact": contact, "contact_inbox": inbox}}, {}
        if parts[0] == "contacts" and len(parts) >= 2 and parts[1].isdigit():
            found_contact: dict[str, Any] | None = next((c for c in self.contacts if c["id"] == int(parts[1])), None)
            if found_contact is None:
                return 404, {"error": "not found"}, {}
            contact = found_contact
            if len(parts) == 2 and req.method == "PUT":
                contact.update(body)
                return 200, {"payload": contact}, {}
            if parts[2:] == ["contactable_inboxes"]:
                return 200, {"payload": [{"source_id": contact["source_id"], "inbox": {"id": self.inbox_id}}]}, {}
            if parts[2:] == ["contact_inboxes"] and req.method == "POST":
                return 200, {"source_id": contact["source_id"], "inbox": {"id": body.get("inbox_id")}}, {}
        if path == "/conversations" and req.method == "POST":
            if not body.get("source_id") or body.get("inbox_id") != self.inbox_id:
                return 422, {"message": "source_id and a valid inbox_id are required"}, {}
            conversation = {**body, "id": 100 + len(self.conversations) + 1, "status": body.get("status", "open")}
            self.conversations.append(conversation)
            self.notify(f"conversation {conversation['id']} opened for contact {body.get('contact_id')}")
            if (body.get("message") or {}).get("content"):
                self.messages.append(
                    {
                        "conversation_id": conversation["id"],
                        "content": body["message"]["content"],
                        "message_type": "incoming",
                        "private": False,
                    }
                )
            return 200, {"id": conversation["id"], "account_id": self.account_id, "inbox_id": self.inbox_id}, {}
        if parts[0] == "conversations" and len(parts) == 3 and parts[1].isdigit():
            found_conv: dict[str, Any] | None = next((c for c in self.conversations if c["id"] == int(parts[1])), None)
            if found_conv is None:
                return 404, {"error": "not found"}, {}
            conversation = found_conv
            if parts[2] == "messages" and req.method == "POST":
                message = {**body, "conversation_id": conversation["id"], "id": len(self.messages) + 1}
                self.messages.append(message)
                return 200, message, {}
            if parts[2] == "toggle_status" and req.method == "POST":
                conversation["status"] = body.get("status", "open")
                payload = {
                    "success": True,
                    "current_status": conversation["status"],
                    "conversation_id": conversation["id"],
                }
                return 200, {"meta": {}, "payload": payload}, {}
        return 404, {"error": "not found"}, {}

    def _bot(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        """The agent bot's calls: only conversation messages, status and custom attributes."""
        parts = req.path.strip("/").split("/")
        body = req.body if isinstance(req.body, dict) else {}
        allowed = ("messages", "toggle_status", "custom_attributes")
        if (
            req.method != "POST"
            or len(parts) != 7
            or parts[:3] != ["api", "v1", "accounts"]
            or parts[3] != str(self.account_id)
            or parts[4] != "conversations"
            or not parts[5].isdigit()
            or parts[6] not in allowed
        ):
            return 401, {"error": "Invalid access_token"}, {}
        conversation_id = int(parts[5])
        conversation = next((c for c in self.conversations if c["id"] == conversation_id), None)
        if conversation is None:
            conversation = {"id": conversation_id, "status": "pending", "custom_attributes": {}}
            self.conversations.append(conversation)
        if parts[6] == "messages":
            message = {**body, "conversation_id": conversation_id, "id": len(self.messages) + 1, "sender": "bot"}
            self.messages.append(message)
            self.notify(f"bot in conversation {conversation_id}: {body.get('content', '')}")
            return 200, message, {}
        if parts[6] == "toggle_status":
            conversation["status"] = body.get("status", "open")
            self.notify(f"conversation {conversation_id} is now {conversation['status']}")
            payload = {"success": True, "current_status": conversation["status"], "conversation_id": conversation_id}
            return 200, {"meta": {}, "payload": payload}, {}
        conversation.setdefault("custom_attributes", {}).update(body.get("custom_attributes") or {})
        self.notify(f"conversation {conversation_id} attributes: {conversation['custom_attributes']}")
        return 200, {"custom_attributes": conversation["custom_attributes"]}, {}


def bot_event(
    text: str,
    conversation: int,
    message_id: int,
    contact: int = 42,
    status: str = "pending",
    account: int = 1,
    inbox: int = 1,
    name: str = "Jane Smith",
) -> dict[str, Any]:
    """A ``message_created`` event as Chatwoot posts it to an agent bot's outgoing URL."""
    return {
        "event": "message_created",
        "id": message_id,
        "content": text,
        "created_at": datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "message_type": "incoming",
        "private": False,
        "sender": {"id": contact, "name": name, "type": "contact"},
        "inbox": {"id": inbox, "name": "Website"},
        "conversation": {"id": conversation, "inbox_id": inbox, "status": status},
        "account": {"id": account, "name": "Demo"},
    }


def signature_headers(raw: bytes, secret: str, at: int | None = None) -> dict[str, str]:
    """The headers Chatwoot signs a delivery with: HMAC-SHA256 over ``"{timestamp}.{body}"``."""
    stamp = str(at if at is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return {
        "X-Chatwoot-Signature": f"sha256={digest}",
        "X-Chatwoot-Timestamp": stamp,
        "Content-Type": "application/json",
    }
