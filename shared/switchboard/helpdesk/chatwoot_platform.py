"""Chatwoot Platform API (header ``api_access_token`` of a *platform app*): dashboard users for
single sign-on.

A platform app is made by a Chatwoot super admin (``/super_admin`` → Platform Apps). It acts only
on what it created or was granted: the users it made, and accounts it made or was given. The
contract, with what each answer means, is in docs/contracts/chatwoot.md ("Platform API").
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

import httpx

from switchboard.errors import UpstreamError, UpstreamUnavailableError
from switchboard.helpdesk._http import make_client, request

VENDOR = "Chatwoot"
#: Chatwoot's message when a platform app asks about something it was not granted.
_NOT_PERMITTED = "permissible"
#: The custom attribute that marks a user as made by this very create call.
NONCE = "switchboard_created_by"


class EmailTakenError(UpstreamError):
    """Chatwoot already has a user with this email that the platform app did not create.

    Older Chatwoot refuses the new user (422 "Email has already been taken"). Newer Chatwoot hands
    the existing user back instead; one that already belongs to an account is refused here all the
    same, so that a tenant's admin key cannot sign in as a desk's administrator or agent.
    """


class UserNotFoundError(UpstreamError):
    """Chatwoot has no user with this id (it was deleted there)."""


def _password() -> str:
    """A password nobody knows (sign-in is by one-time link only) that meets Chatwoot's rules:
    6-128 characters with a lower-case and an upper-case letter, a digit and a special character."""
    return f"{secrets.token_urlsafe(24)}aZ7!"


class ChatwootPlatform:
    """Makes Chatwoot users, adds them to the desk's account as agents, and fetches login links.

    Args:
        base_url: Chatwoot's base URL.
        token: The platform app's access token (CHATWOOT_PLATFORM_TOKEN).
        account_id: The account the users join as agents (CHATWOOT_ACCOUNT_ID).
        client: Optional preconfigured client (timeouts); a response hook is added to it, which
            keeps each thread's last answer so that a refusal's body can be read.
    """

    def __init__(self, base_url: str, token: str, account_id: int, client: httpx.Client | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._account = account_id
        self._last = threading.local()
        if client is None:
            client = make_client(self._base, headers={"api_access_token": token})
        client.event_hooks = {**client.event_hooks, "response": [*client.event_hooks["response"], self._keep]}
        self._client = client

    def _keep(self, response: httpx.Response) -> None:
        self._last.response = response

    def _call(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response | None, UpstreamError | None]:
        """The 2xx answer, or the refusal (4xx) with its answer; anything worth retrying is raised.

        Raises:
            UpstreamUnavailableError: Timeout, connection failure, 5xx or 429.
        """
        self._last.response = None
        try:
            return request(self._client, VENDOR, method, path, **kwargs), None
        except UpstreamUnavailableError:
            raise
        except UpstreamError as exc:
            response = self._last.response
            return (response if isinstance(response, httpx.Response) else None), exc

    @staticmethod
    def _body(response: httpx.Response | None) -> dict[str, Any]:
        """The answer's JSON object ({} when there is none)."""
        if response is None:
            return {}
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    @classmethod
    def _message(cls, response: httpx.Response | None) -> str:
        """Chatwoot's own words in a refusal (``message`` or ``error``), shortened."""
        body = cls._body(response)
        text = body.get("message") or body.get("error") or body.get("errors") or ""
        return " ".join(str(text).split())[:200]

    def _refused(self, exc: UpstreamError, response: httpx.Response | None, what: str) -> UpstreamError:
        """The error for a refusal that is not the caller's to handle (401/403 and the rest)."""
        said = self._message(response)
        if exc.status in (401, 403) and _NOT_PERMITTED in said.lower():
            return UpstreamError(
                f"Chatwoot: the platform app may not act on {what} (Non permissible resource); a Chatwoot "
                "super admin must grant it (see docs/support-sso.md)",
                exc.status,
            )
        if exc.status in (401, 403):
            return UpstreamError(
                f"Chatwoot refused the platform token (HTTP {exc.status}): CHATWOOT_PLATFORM_TOKEN must be "
                "the access token of a platform app (Chatwoot super admin → Platform Apps)",
                exc.status,
            )
        return UpstreamError(f"Chatwoot refused {what} (HTTP {exc.status}){': ' + said if said else ''}", exc.status)

    def create_user(self, name: str, email: str) -> int:
        """``POST /platform/api/v1/users``: a new Chatwoot user; returns its id.

        Raises:
            EmailTakenError: The email belongs to a user this app did not make (see the class).
            UpstreamUnavailableError: Timeout, connection failure, 5xx or 429.
            UpstreamError: The token is refused, or Chatwoot refused the user for another reason.
        """
        # A mark only this call knows: Chatwoot keeps the attributes of a user it makes, and newer
        # releases hand back an existing user (unchanged) for an email in use instead of a 422.
        nonce = secrets.token_urlsafe(18)
        body = {"name": name, "email": email, "password": _password(), "custom_attributes": {NONCE: nonce}}
        response, refused = self._call("POST", "/platform/api/v1/users", json=body)
        if refused is not None:
            said = self._message(response)
            if refused.status == 422 and "taken" in said.lower():
                raise EmailTakenError(f"Chatwoot: {said}", 422) from refused
            raise self._refused(refused, response, "the new user") from refused
        user = self._body(response)
        if not isinstance(user.get("id"), int):
            raise UpstreamError("Chatwoot: the created user has no id")
        attributes = user.get("custom_attributes")
        if isinstance(attributes, dict) and attributes.get(NONCE) != nonce:
            # Someone else's user: made in Chatwoot, or for another tenant (its mark differs).
            raise EmailTakenError("Chatwoot: a user with this email already exists")
        if user.get("accounts"):  # handed back an existing user who already works in Chatwoot
            raise EmailTakenError("Chatwoot: a user with this email already exists and belongs to an account")
        return int(user["id"])

    def add_agent(self, user_id: int) -> None:
        """``POST /platform/api/v1/accounts/{account}/account_users`` with role ``agent``; a user who
        is a member already counts as added.

        Raises:
            UserNotFoundError: Chatwoot has no such user any more.
            UpstreamUnavailableError: Timeout, connection failure, 5xx or 429.
            UpstreamError: The token is refused, the app may not act on the account, or it does not exist.
        """
        path = f"/platform/api/v1/accounts/{self._account}/account_users"
        response, refused = self._call("POST", path, json={"user_id": user_id, "role": "agent"})
        if refused is None:
            return
        said = self._message(response).lower()
        if refused.status == 422 and "already" in said:  # some releases refuse a second membership
            return
        if refused.status == 422 and "must exist" in said:
            raise UserNotFoundError(f"Chatwoot: no user {user_id}", 422) from refused
        if refused.status == 404:
            raise UpstreamError(
                f"Chatwoot has no account {self._account} (CHATWOOT_ACCOUNT_ID)", refused.status
            ) from refused
        raise self._refused(refused, response, f"account {self._account}") from refused

    def login_url(self, user_id: int) -> str:
        """``GET /platform/api/v1/users/{id}/login``: a one-time login link (Chatwoot keeps it for
        5 minutes and it works once).

        Raises:
            UserNotFoundError: Chatwoot has no such user any more.
            UpstreamUnavailableError: Timeout, connection failure, 5xx or 429.
            UpstreamError: The token is refused, or the app may not act on this user.
        """
        response, refused = self._call("GET", f"/platform/api/v1/users/{user_id}/login")
        if refused is not None:
            if refused.status == 404:
                raise UserNotFoundError(f"Chatwoot: no user {user_id}", 404) from refused
            raise self._refused(refused, response, f"user {user_id}") from refused
        url = self._body(response).get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            # Chatwoot builds the link from its FRONTEND_URL; unset, the link has no host.
            raise UpstreamError("Chatwoot: the login answer has no absolute url (is FRONTEND_URL set in Chatwoot?)")
        return url
