"""Who may call the private tasks function: Cloud Tasks (and Scheduler) with Google's OIDC token, or
the local queue with a per-run secret.

In production every task carries an OIDC ID token that Google signs for the queue's service
account (``TASKS_SERVICE_ACCOUNT``) and the function's audience (``TASKS_AUDIENCE``, else
``TASKS_TARGET_URL``): the signature is checked against Google's published certificates (cached
for their ``max-age``), then the issuer, audience, expiry and the service account's verified email.
The Cloud Tasks emulator adds no token, so ``make dev`` and the tests set ``TASKS_SECRET`` and
the queue sends it as ``X-Switchboard-Task-Secret``. Without either, every task is refused.
"""

from __future__ import annotations

import hmac
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from switchboard.errors import ConfigurationError, UnauthorizedError, UpstreamUnavailableError

SECRET_HEADER = "X-Switchboard-Task-Secret"
GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")
CERTS_TTL_SECONDS = 3600.0
_MAX_AGE = re.compile(r"max-age=(\d+)")


@dataclass
class TaskAuth:
    """Verifies that a request to ``/tasks/*`` comes from our queue.

    Attributes:
        secret: The per-run shared secret (local queue), if configured.
        service_account: The service account whose token Cloud Tasks sends.
        audience: The audience that token must carry.
        certs_url: Where Google publishes the keys that sign ID tokens.
    """

    secret: str | None
    service_account: str | None
    audience: str | None
    certs_url: str
    _certs: dict[str, str] = field(default_factory=dict)
    _certs_until: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, headers: Any) -> None:
        """Accept the request or raise.

        Raises:
            UnauthorizedError: No valid secret or token.
            ConfigurationError: Neither a secret nor an OIDC identity is configured.
            UpstreamUnavailableError: Google's certificates cannot be fetched (retry).
        """
        if self.secret:
            given = str(headers.get(SECRET_HEADER, ""))
            if not hmac.compare_digest(given.encode("utf-8", "replace"), self.secret.encode()):
                raise UnauthorizedError("Task refused: wrong or missing task secret")
            return
        if not self.service_account or not self.audience:
            raise ConfigurationError("Tasks need TASKS_SERVICE_ACCOUNT and TASKS_AUDIENCE (or TASKS_SECRET locally)")
        auth = str(headers.get("Authorization", ""))
        if auth[:7].lower() != "bearer " or not auth[7:].strip():
            raise UnauthorizedError("Task refused: no OIDC token")
        claims = self._decode(auth[7:].strip())
        if claims.get("iss") not in GOOGLE_ISSUERS:
            raise UnauthorizedError("Task refused: token not issued by Google")
        if claims.get("email") != self.service_account or claims.get("email_verified") is not True:
            raise UnauthorizedError("Task refused: token is for another service account")

    def _decode(self, token: str) -> dict[str, Any]:
        from google.auth import exceptions as gexc
        from google.auth import jwt

        try:
            claims: dict[str, Any] = jwt.decode(  # type: ignore[no-untyped-call]
                token, certs=self._google_certs(), audience=self.audience
            )
        except (ValueError, gexc.GoogleAuthError) as exc:  # bad signature, expired, wrong audience, malformed
            raise UnauthorizedError(f"Task refused: {type(exc).__name__}") from exc
        return claims

    def _google_certs(self) -> dict[str, str]:
        with self._lock:
            if self._certs and time.monotonic() < self._certs_until:
                return self._certs
            try:
                response = httpx.get(self.certs_url, timeout=5.0)
                response.raise_for_status()
                certs = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise UpstreamUnavailableError("Google's token certificates could not be fetched") from exc
            if not isinstance(certs, dict) or not certs:
                raise UpstreamUnavailableError("Google's token certificates are empty")
            found = _MAX_AGE.search(response.headers.get("Cache-Control", ""))
            self._certs = {str(k): str(v) for k, v in certs.items()}
            self._certs_until = time.monotonic() + (float(found.group(1)) if found else CERTS_TTL_SECONDS)
            return self._certs
