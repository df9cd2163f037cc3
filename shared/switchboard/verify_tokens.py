"""Signed, expiring verification links for the Chatwoot bot (HS256 JWTs with VERIFY_JWT_SECRET).

The token carries who is verifying (tenant, account, inbox, contact, conversation), the address,
the language of the pages and a random ``jti``; that it works only once is kept in Firestore.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

AUDIENCE = "switchboard:chatwoot-verify"
REQUIRED = ("tenant", "account", "inbox", "contact", "conversation", "email", "lang", "jti")


class LinkExpiredError(Exception):
    """A genuine link past its lifetime; ``claims`` still says who it was for."""

    def __init__(self, claims: dict[str, Any]) -> None:
        super().__init__("verification link expired")
        self.claims = claims


class LinkInvalidError(Exception):
    """A token we did not sign, or one that was altered or is incomplete."""


def signer(secret: str) -> Callable[[dict[str, Any], timedelta], str]:
    """Sign claims into a token that expires after the given lifetime."""

    def sign(claims: dict[str, Any], lifetime: timedelta) -> str:
        now = datetime.now(UTC)
        body = {**claims, "aud": AUDIENCE, "iat": now, "exp": now + lifetime}
        return jwt.encode(body, secret, algorithm="HS256")

    return sign


def read(token: str, secret: str) -> dict[str, Any]:
    """The claims of a token we signed.

    Raises:
        LinkExpiredError: Signed by us, but expired.
        LinkInvalidError: Anything else that is wrong with it.
    """
    if not token or len(token) > 4000:
        raise LinkInvalidError("no token")
    options: Any = {"require": ["exp", "iat", "aud", "jti"]}
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, options=options)
    except jwt.ExpiredSignatureError:
        lenient: Any = {**options, "verify_exp": False}
        try:
            stale = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, options=lenient)
        except jwt.PyJWTError as exc:
            raise LinkInvalidError(str(exc)) from exc
        raise LinkExpiredError(stale) from None
    except jwt.PyJWTError as exc:
        raise LinkInvalidError(str(exc)) from exc
    if any(claims.get(name) in (None, "") for name in REQUIRED):
        raise LinkInvalidError("incomplete token")
    return dict(claims)
