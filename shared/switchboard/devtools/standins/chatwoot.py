"""Chatwoot stand-in: the Application API's contacts, conversations and messages the desk uses,
and the Platform API's users, account users and login links that single sign-on uses."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from switchboard.devtools.standins.base import Recorded, StandIn


class ChatwootStandIn(StandIn):
    """The slice of the Chatwoot Application API the desk and the agent bot use, with
    ``api_access_token`` auth. The bot's token reaches only the bot-accessible endpoints (messages,
    toggle_status, custom_attributes), as in Chatwoot; a conversation the bot writes to that this
    stand-in has not seen (Chatwoot made it when the customer wrote) is created on first use.

    The Platform API (``/platform/api/v1``, a platform app's ``platform_token``) makes users, adds
    them to accounts and hands out one-time login links. As in Chatwoot, the app acts only on the
    users it made and the accounts in ``platform_account_ids``; a user made any other way
    (:meth:`add_user`) is refused to it. An email already in use is refused with 422, as older
    Chatwoot does; with ``reuse_existing_users`` the existing user is handed back (and granted to
    the app), as newer Chatwoot does.
    """

    def __init__(
        self,
        token: str = "dev-chatwoot-token",
        account_id: int = 1,
        inbox_id: int = 1,
        state_file: Path | None = None,
        bot_token: str = "dev-chatwoot-bot-token",
        platform_token: str = "dev-chatwoot-platform-token",
        reuse_existing_users: bool = False,
    ) -> None:
        self.token, self.account_id, self.inbox_id, self.bot_token = token, account_id, inbox_id, bot_token
        self.platform_token, self.reuse_existing_users = platform_token, reuse_existing_users
        self.contacts: list[dict[str, Any]] = []
        self.conversations: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        #: Every user ever made (a deleted one keeps its entry, marked ``deleted``: ids are never reused).
        self.users: list[dict[str, Any]] = []
        self.account_users: list[dict[str, Any]] = []
        #: The accounts the platform app may act on (it made them, or a super admin granted them).
        self.platform_account_ids: set[int] = {account_id}
        super().__init__("chatwoot", state_file)

    def state(self) -> dict[str, Any]:
        return {
            "contacts": self.contacts,
            "conversations": self.conversations,
            "messages": self.messages,
            "users": self.users,
            "account_users": self.account_users,
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.contacts = list(state.get("contacts", []))
        self.conversations = list(state.get("conversations", []))
        self.messages = list(state.get("messages", []))
        self.users = list(state.get("users", []))
        self.account_users = list(state.get("account_users", []))

    def bot_messages(self, conversation_id: int) -> list[str]:
        """What the bot said in a conversation, oldest first."""
        return [
            m["content"] for m in self.messages if m["conversation_id"] == conversation_id and m.get("sender") == "bot"
        ]

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        if req.path.startswith("/platform/"):
            return self._platform(req)
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

    # -- Platform API ------------------------------------------------------------------------
    def add_user(self, name: str, email: str, role: str | None = "agent", by_platform: bool = False) -> int:
        """A user made without the platform app (invited in the dashboard, or the installation's
        super admin), or by it with ``by_platform``; a member of the account with ``role`` unless
        that is None. Returns its id."""
        user = self._new_user(name, email, platform=by_platform)
        if role is not None:
            self.account_users.append({"account_id": self.account_id, "user_id": user["id"], "role": role})
        return int(user["id"])

    def delete_user(self, user_id: int) -> None:
        """Delete a user, as a Chatwoot administrator can (its memberships go with it)."""
        for user in self.users:
            if user["id"] == user_id:
                user["deleted"] = True
        self.account_users = [m for m in self.account_users if m["user_id"] != user_id]

    def live_users(self) -> list[dict[str, Any]]:
        """The users that exist now."""
        return [u for u in self.users if not u.get("deleted")]

    def _new_user(self, name: str, email: str, platform: bool, attributes: Any = None) -> dict[str, Any]:
        user = {
            "id": len(self.users) + 1,
            "name": name,
            "email": email.lower(),
            "platform": platform,
            "access_token": secrets.token_urlsafe(18),
            "pubsub_token": secrets.token_urlsafe(18),
            "custom_attributes": attributes if isinstance(attributes, dict) else {},
        }
        self.users.append(user)
        return user

    def _user_json(self, user: dict[str, Any]) -> dict[str, Any]:
        """A user as the Platform API shows one."""
        memberships = [m for m in self.account_users if m["user_id"] == user["id"]]
        accounts = [{"id": m["account_id"], "name": "Demo", "active_at": None, "role": m["role"]} for m in memberships]
        shown = {
            "access_token": user["access_token"],
            "account_id": accounts[0]["id"] if accounts else None,
            "available_name": user["name"] or user["email"],
            "avatar_url": "",
            "confirmed": True,
            "display_name": None,
            "message_signature": None,
            "email": user["email"],
            "id": user["id"],
            "name": user["name"],
            "provider": "email",
            "pubsub_token": user["pubsub_token"],
            "role": accounts[0]["role"] if accounts else None,
            "ui_settings": {},
            "uid": user["email"],
            "accounts": accounts,
            "custom_attributes": dict(user.get("custom_attributes") or {}),
        }
        return shown

    def _platform(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        """``/platform/api/v1``: users, their login links, account users (a platform app's token)."""
        token = req.headers.get("api_access_token")
        if not token or token != self.platform_token:
            return 401, {"error": "Invalid access_token"}, {}
        parts = req.path.strip("/").split("/")
        if parts[:3] != ["platform", "api", "v1"]:
            return 404, {"error": "Resource could not be found"}, {}
        rest, body = parts[3:], req.body if isinstance(req.body, dict) else {}
        if rest == ["users"] and req.method == "POST":
            return self._create_user(body)
        if len(rest) in (2, 3) and rest[0] == "users" and rest[1].isdigit():
            user = next((u for u in self.live_users() if u["id"] == int(rest[1])), None)
            if user is None:
                return 404, {"error": "Resource could not be found"}, {}
            if not user["platform"]:
                return 401, {"error": "Non permissible resource"}, {}
            if rest[2:] == ["login"] and req.method == "GET":
                sso_token = secrets.token_hex(32)
                self.notify(f"single sign-on link for user {user['id']}")
                return 200, {"url": f"{self.url}/app/login?email={quote(user['email'])}&sso_auth_token={sso_token}"}, {}
            if len(rest) == 2 and req.method == "GET":
                return 200, self._user_json(user), {}
            if len(rest) == 2 and req.method == "DELETE":
                self.delete_user(user["id"])
                return 200, None, {}
        if len(rest) == 3 and rest[0] == "accounts" and rest[1].isdigit() and rest[2] == "account_users":
            account_id = int(rest[1])
            if account_id != self.account_id:
                return 404, {"error": "Resource could not be found"}, {}
            if account_id not in self.platform_account_ids:
                return 401, {"error": "Non permissible resource"}, {}
            if req.method == "GET":
                return 200, [m for m in self.account_users if m["account_id"] == account_id], {}
            if req.method == "POST":
                return self._add_account_user(account_id, body)
        return 404, {"error": "Resource could not be found"}, {}

    def _create_user(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        name, email = str(body.get("name") or "").strip(), str(body.get("email") or "").strip().lower()
        problems = []
        if not name:
            problems.append("Name can't be blank")
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
            problems.append("Email is invalid")
        password = body.get("password")
        if password is not None and not _strong(str(password)):
            problems.append("Password must include a lower-case and an upper-case letter, a number and a symbol")
        existing = next((u for u in self.live_users() if u["email"] == email), None)
        if existing is not None and not self.reuse_existing_users:
            problems.append("Email has already been taken")
        if problems:
            return 422, {"message": ", ".join(problems)}, {}
        if existing is not None:  # newer Chatwoot: the existing user, now the app's to act on
            existing["platform"] = True
            return 200, self._user_json(existing), {}
        user = self._new_user(name, email, platform=True, attributes=body.get("custom_attributes"))
        self.notify(f"user {user['id']} made by the platform app")
        return 200, self._user_json(user), {}

    def _add_account_user(self, account_id: int, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        user_id, role = body.get("user_id"), body.get("role") or "agent"
        if not any(u["id"] == user_id for u in self.live_users()):
            return 422, {"message": "User must exist"}, {}
        if role not in ("agent", "administrator"):
            return 422, {"message": f"'{role}' is not a valid role"}, {}
        membership = next(
            (m for m in self.account_users if m["account_id"] == account_id and m["user_id"] == user_id), None
        )
        if membership is None:  # Chatwoot: find_or_initialize_by(user_id), then update!(role)
            membership = {"account_id": account_id, "user_id": user_id, "role": role}
            self.account_users.append(membership)
            self.notify(f"user {user_id} joined account {account_id} as {role}")
        membership["role"] = role
        return 200, dict(membership), {}


def _strong(password: str) -> bool:
    """Chatwoot's password rules: 6-128 characters, a lower-case and an upper-case letter, a digit, a symbol."""
    return (
        6 <= len(password) <= 128
        and bool(re.search(r"[a-z]", password))
        and bool(re.search(r"[A-Z]", password))
        and bool(re.search(r"\d", password))
        and bool(re.search(r"[^A-Za-z0-9]", password))
    )


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
