"""Chatwoot stand-in: the Application API's contacts, conversations and messages the desk uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from switchboard.devtools.standins.base import Recorded, StandIn


class ChatwootStandIn(StandIn):
    """The slice of the Chatwoot Application API the desk uses, with ``api_access_token`` auth."""

    def __init__(
        self, token: str = "dev-chatwoot-token", account_id: int = 1, inbox_id: int = 1, state_file: Path | None = None
    ) -> None:
        self.token, self.account_id, self.inbox_id = token, account_id, inbox_id
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

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        if req.headers.get("api_access_token") != self.token:
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
