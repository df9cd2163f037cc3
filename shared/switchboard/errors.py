"""One exception tree for the whole package.

Domain errors carry no HTTP status; :mod:`switchboard.http` maps classes to statuses in one
table by walking the MRO. Adapters translate vendor errors into these at the boundary
(``raise ... from exc``), so the core never sees ``httpx``, ``grpc`` or ``google.api_core``.

    SwitchboardError
    ├── InvalidInputError            bad request body or parameters (400)
    │   ├── ValidationFailedError    schema violations, with field locations (422)
    │   └── PayloadTooLargeError     a message over MAX_MESSAGE_CHARS (413)
    ├── UnauthorizedError            missing or unknown credentials (401)
    ├── NotFoundError                unknown resource or path (404)
    ├── MethodNotAllowedError        wrong HTTP method (405)
    ├── ConflictError                the resource already exists or is in the wrong state (409)
    ├── RateLimitedError             too many answers for one end user (429)
    ├── StoreError                   the store failed (503)
    ├── ConfigurationError           the feature is not configured here (503)
    └── UpstreamError                an outside service failed
        ├── UpstreamUnavailableError timeout, transport error, 5xx or 429: worth retrying (503)
        └── LLMError                 the LLM failed or answered unusably
            └── LLMUnavailableError  the LLM is unreachable, overloaded or timed out
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class SwitchboardError(Exception):
    """Base of every error Switchboard raises on purpose."""


class InvalidInputError(SwitchboardError):
    """The request cannot be understood (invalid JSON, wrong content)."""


@dataclass(frozen=True)
class FieldProblem:
    """One schema violation: where it is and what kind it is (never the raw message)."""

    loc: str
    type: str
    #: A fixed explanation of the rule broken (never the value sent).
    message: str = ""


class ValidationFailedError(InvalidInputError):
    """The request parsed but does not fit the schema.

    Args:
        problems: The offending fields, as dotted locations with pydantic error types.
    """

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = list(problems)
        names = ", ".join(f"{p.loc} ({p.type})" for p in self.problems) or "body"
        super().__init__(f"Request body failed validation: {names}")


class PayloadTooLargeError(InvalidInputError):
    """A message is longer than the configured maximum."""


class UnauthorizedError(SwitchboardError):
    """Credentials are missing or unknown."""


class ForbiddenError(SwitchboardError):
    """The key is valid but not allowed here (for example a chat key on the admin API)."""


class NotFoundError(SwitchboardError):
    """The resource or path does not exist."""


class MethodNotAllowedError(SwitchboardError):
    """The path exists but not for this method.

    Args:
        allowed: The methods the path accepts, for the ``Allow`` header.
    """

    def __init__(self, allowed: Sequence[str]) -> None:
        self.allowed = list(allowed)
        super().__init__(f"Method not allowed; use {', '.join(self.allowed)}")


class ConflictError(SwitchboardError):
    """The resource already exists, or is in a state that forbids the change."""


class RateLimitedError(SwitchboardError):
    """The end user has used up their answers for the current window.

    Args:
        reset_in_seconds: Whole seconds until the window resets (at least 1).
    """

    def __init__(self, reset_in_seconds: int) -> None:
        self.reset_in_seconds = max(1, int(reset_in_seconds))
        super().__init__(f"Rate limit reached; resets in {self.reset_in_seconds} s")


class StoreError(SwitchboardError):
    """The store (Firestore) failed or timed out."""


class UpstreamError(SwitchboardError):
    """An outside service answered with an error that retrying will not fix.

    Args:
        message: What failed.
        status: The HTTP status the service answered, when there was one.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class UpstreamUnavailableError(UpstreamError):
    """An outside service timed out, was unreachable, or answered 5xx/429.

    Args:
        message: What failed.
        retry_after: Seconds the service asked us to wait (``Retry-After``), when it said so.
    """

    def __init__(self, message: str, retry_after: float | None = None, status: int | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, status)


class LLMError(UpstreamError):
    """The LLM failed or its output could not be used."""


class ConfigurationError(SwitchboardError):
    """A feature was used that this deployment has not configured (503)."""


class LLMUnavailableError(LLMError):
    """The LLM is unreachable, overloaded (429/5xx) or timed out."""
