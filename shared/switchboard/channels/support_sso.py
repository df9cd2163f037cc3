"""Single sign-on into the Chatwoot dashboard for a tenant's own people: ``GET /api/support/sso``.

A tenant's back office asks, with its **admin** key, for a one-time login link for one of its
dashboard users (``email`` and ``name`` in the query). The first time, a Chatwoot user is made for
them with the Platform API and added to the desk's account as an agent, and the Chatwoot user's id
is kept (``tenants/{t}/support_users``); every call returns a fresh link. The contract is in
docs/support-sso.md; the Chatwoot calls in docs/contracts/chatwoot.md ("Platform API").
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import flask
from pydantic import BaseModel, Field

from switchboard.channels.admin import admin_tenant
from switchboard.core.tenants import TenantDirectory
from switchboard.errors import ConfigurationError, ConflictError, InvalidInputError, UpstreamError
from switchboard.helpdesk.chatwoot_platform import ChatwootPlatform, EmailTakenError, UserNotFoundError
from switchboard.http import json_response
from switchboard.routing import Route, match_path
from switchboard.store.base import SupportUser, SupportUsers
from switchboard.validators import EMAIL, ONE_LINE

log = logging.getLogger(__name__)

#: ``/api/support/sso`` with or without the trailing slash (a browser follows no 308 for an API call).
SSO_ROUTE = Route(re.compile(r"^/api/support/sso/?$"), methods=("GET",))
EMAIL_CHARS = 254
NAME_CHARS = 200
_EMAIL = re.compile(EMAIL)
_ONE_LINE = re.compile(ONE_LINE)


class SsoOut(BaseModel):
    """A one-time login link into the Chatwoot dashboard."""

    url: str = Field(description="One-time login link: Chatwoot accepts it once, within 5 minutes")
    chatwoot_user_id: int = Field(description="The Chatwoot user the link signs in")
    created: bool = Field(description="True when this call made the Chatwoot user")


@dataclass(frozen=True)
class SsoDeps:
    """What single sign-on needs.

    Attributes:
        tenants: Admin key → tenant.
        users: The stored Chatwoot user of each dashboard user (built on first use, so that a
            request refused before it needs the store builds no store adapter).
        platform: The Chatwoot Platform API; None when this deployment has not configured it.
        settle_seconds: How long a call that Chatwoot refused a new user (the email is taken) waits
            for a concurrent first call, which made that user, to store it.
    """

    tenants: TenantDirectory
    users: Callable[[], SupportUsers]
    platform: ChatwootPlatform | None
    settle_seconds: float = 1.0


def dashboard_user(request: flask.Request) -> tuple[str, str]:
    """The lower-cased email and the name from the query.

    Raises:
        InvalidInputError: A missing or malformed email, or a name that is empty, too long or not one line.
    """
    email = (request.args.get("email") or "").strip()
    name = (request.args.get("name") or "").strip()
    if not email or len(email) > EMAIL_CHARS or not _EMAIL.match(email):
        raise InvalidInputError(f"email must be a valid email address of at most {EMAIL_CHARS} characters")
    if not name or len(name) > NAME_CHARS or not _ONE_LINE.match(name):
        raise InvalidInputError(f"name must be 1-{NAME_CHARS} characters on one line")
    return email.lower(), name


def _settled(users: SupportUsers, tenant_id: str, email: str, seconds: float) -> SupportUser | None:
    """The mapping a concurrent first call is storing, if it appears within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = users.get(tenant_id, email)
        if found is not None or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)


def _create(
    platform: ChatwootPlatform, users: SupportUsers, tenant_id: str, email: str, name: str, settle: float
) -> tuple[SupportUser, bool]:
    """Make the Chatwoot user and store it; returns the stored mapping and whether this call made it.

    Raises:
        ConflictError: The email belongs to a Chatwoot user we did not make.
    """
    try:
        user_id = platform.create_user(name, email)
    except EmailTakenError as exc:
        # A concurrent first call may have made this very user: then it is ours, once stored.
        stored = _settled(users, tenant_id, email, settle)
        if stored is not None:
            return stored, False
        raise ConflictError(
            f"Chatwoot already has a user with the email {email} that Switchboard did not create, so it "
            "cannot sign them in. Use another email, or have a Chatwoot super admin change that user's "
            "email (or delete the user) first."
        ) from exc
    made = SupportUser(email=email, name=name, chatwoot_user_id=user_id)
    if users.create(tenant_id, made):  # stored before anything else: a retry never makes a second user
        log.info("chatwoot user created", extra={"tenant": tenant_id, "chatwoot_user_id": user_id})
        return made, True
    stored = users.get(tenant_id, email)  # another call stored it first
    if stored is None:
        raise ConflictError("The support user changed while signing in; try again")
    return stored, False


def sign_in(deps: SsoDeps, platform: ChatwootPlatform, tenant_id: str, email: str, name: str) -> SsoOut:
    """The dashboard user's Chatwoot user (made and added to the account as an agent the first
    time) and a fresh one-time login link.

    Raises:
        ConflictError: The email belongs to a Chatwoot user we did not make.
        UpstreamUnavailableError: Chatwoot is unreachable, slow or failing (5xx, 429).
        UpstreamError: Chatwoot refused the platform token, or the app may not act on the account.
    """
    users = deps.users()
    created = False
    for attempt in (1, 2):  # a user deleted in Chatwoot is forgotten and made again, once
        user = users.get(tenant_id, email)
        if user is None:
            user, made = _create(platform, users, tenant_id, email, name, deps.settle_seconds)
            created = created or made
        try:
            if not user.agent_added:  # first sign-in, or a failed addition to try again
                platform.add_agent(user.chatwoot_user_id)
                users.set_agent_added(tenant_id, email, user.chatwoot_user_id)
            url = platform.login_url(user.chatwoot_user_id)
        except UserNotFoundError as exc:
            if attempt == 2:
                raise UpstreamError("Chatwoot lost the user it had just made; try again", exc.status) from exc
            log.warning("chatwoot user gone", extra={"tenant": tenant_id, "chatwoot_user_id": user.chatwoot_user_id})
            users.forget(tenant_id, email, user.chatwoot_user_id)
            continue
        return SsoOut(url=url, chatwoot_user_id=user.chatwoot_user_id, created=created)
    raise AssertionError("unreachable")


def sso_endpoint(request: flask.Request, deps: SsoDeps) -> flask.Response:
    """Serve ``GET /api/support/sso?email=...&name=...`` (admin key).

    Raises:
        NotFoundError, MethodNotAllowedError: Another path or method.
        UnauthorizedError, ForbiddenError: No admin key.
        InvalidInputError: A bad email or name.
        ConfigurationError: Single sign-on is not configured in this deployment.
    """
    match_path(request, SSO_ROUTE)
    tenant_id = admin_tenant(request, deps.tenants)
    email, name = dashboard_user(request)
    if deps.platform is None:
        raise ConfigurationError(
            "Chatwoot single sign-on is not configured: set CHATWOOT_PLATFORM_TOKEN (a platform app's token), "
            "CHATWOOT_BASE_URL and CHATWOOT_ACCOUNT_ID"
        )
    out = sign_in(deps, deps.platform, tenant_id, email, name)
    # The link is a credential for a few minutes: no cache may keep it.
    return json_response(out.model_dump(), headers={"Cache-Control": "no-store"})
