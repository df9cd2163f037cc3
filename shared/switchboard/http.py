"""The transport edge: JSON bodies in, JSON errors out, one status table.

Every function's entry point is wrapped in :func:`error_boundary`, which binds the request's
log context and maps the :mod:`switchboard.errors` tree to statuses by walking the MRO.
Error bodies follow the CRM contract: ``{"detail": "...", "error": "..."}``; a 429 is
``{"detail": {"reset_in_seconds": N}}`` with ``Retry-After``.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

import flask
from pydantic import BaseModel, ValidationError

from switchboard import logging as sblog
from switchboard.config import Settings
from switchboard.errors import (
    ConfigurationError,
    ConflictError,
    FieldProblem,
    ForbiddenError,
    InvalidInputError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    StoreError,
    SwitchboardError,
    UnauthorizedError,
    UpstreamError,
    UpstreamUnavailableError,
    ValidationFailedError,
)

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

#: Exception class → (status, machine-readable error code). Looked up along the MRO.
STATUS_TABLE: dict[type[BaseException], tuple[int, str]] = {
    ValidationFailedError: (422, "validation_failed"),
    PayloadTooLargeError: (413, "payload_too_large"),
    InvalidInputError: (400, "invalid_request"),
    UnauthorizedError: (401, "unauthorized"),
    ForbiddenError: (403, "forbidden"),
    NotFoundError: (404, "not_found"),
    MethodNotAllowedError: (405, "method_not_allowed"),
    ConflictError: (409, "conflict"),
    RateLimitedError: (429, "rate_limited"),
    StoreError: (503, "store_unavailable"),
    ConfigurationError: (503, "not_configured"),
    UpstreamUnavailableError: (503, "upstream_unavailable"),
    UpstreamError: (502, "upstream_error"),
}

MAX_BODY_BYTES = 1_000_000
#: What a 503 tells the caller to wait before retrying, unless the failing dependency said more.
RETRY_AFTER_SECONDS = 5


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> flask.Response:
    """A JSON response with the given status and headers."""
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    response = flask.Response(payload, status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _lookup(exc: BaseException) -> tuple[int, str] | None:
    for cls in type(exc).__mro__:
        if cls in STATUS_TABLE:
            return STATUS_TABLE[cls]
    return None


def error_response(exc: SwitchboardError) -> flask.Response:
    """Render a Switchboard error as the contract's JSON error body."""
    status, code = _lookup(exc) or (500, "internal_error")
    if isinstance(exc, RateLimitedError):
        return json_response(
            {"detail": {"reset_in_seconds": exc.reset_in_seconds}},
            429,
            {"Retry-After": str(exc.reset_in_seconds)},
        )
    body: dict[str, Any] = {"detail": str(exc), "error": code}
    headers: dict[str, str] = {}
    if isinstance(exc, ValidationFailedError):
        body["errors"] = [
            {"loc": p.loc, "type": p.type, **({"message": p.message} if p.message else {})} for p in exc.problems
        ]
    if isinstance(exc, MethodNotAllowedError):
        headers["Allow"] = ", ".join(exc.allowed)
    if isinstance(exc, UnauthorizedError):
        headers["WWW-Authenticate"] = 'Bearer realm="switchboard"'
    if status == 503:  # a dependency is down: say when to try again
        hinted = exc.retry_after if isinstance(exc, UpstreamUnavailableError) else None
        headers["Retry-After"] = str(max(1, round(hinted))) if hinted else str(RETRY_AFTER_SECONDS)
    return json_response(body, status, headers)


def _trace(request: flask.Request, project: str | None) -> str | None:
    header = request.headers.get("X-Cloud-Trace-Context", "")
    trace_id = header.split("/", 1)[0]
    if not trace_id or not project:
        return None
    return f"projects/{project}/traces/{trace_id}"


def _allowed_origin(request: flask.Request, allowed: str) -> str | None:
    origin = request.headers.get("Origin")
    if not origin or not allowed.strip():
        return None
    origins = {o.strip() for o in allowed.split(",") if o.strip()}
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


def _with_cors(response: flask.Response, origin: str | None) -> flask.Response:
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        if origin != "*":
            response.headers["Vary"] = "Origin"
    return response


def _preflight(origin: str) -> flask.Response:
    response = flask.Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization, X-API-Key"
    response.headers["Access-Control-Max-Age"] = "3600"
    return _with_cors(response, origin)


def error_boundary(
    function: str, settings: Callable[[], Settings], cors: bool = True
) -> Callable[[Callable[[flask.Request], flask.Response]], Callable[[flask.Request], flask.Response]]:
    """Wrap an HTTP entry point: log context, CORS, one access log line, errors as JSON.

    Args:
        function: The function's name, as a log label.
        settings: Returns the instance's settings (project for trace links, CORS origins).
        cors: Answer browsers' CORS (False for private functions: no origin is ever allowed).
    """

    def decorate(handler: Callable[[flask.Request], flask.Response]) -> Callable[[flask.Request], flask.Response]:
        @functools.wraps(handler)
        def wrapper(request: flask.Request) -> flask.Response:
            start = time.perf_counter()
            current = settings()
            token = sblog.bind(function=function, trace=_trace(request, current.google_cloud_project))
            origin = _allowed_origin(request, current.cors_allowed_origins) if cors else None
            try:
                if request.method == "OPTIONS" and origin:
                    return _preflight(origin)
                response = _respond(handler, request)
                log.info(
                    "request",
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "latency_ms": round((time.perf_counter() - start) * 1000, 1),
                    },
                )
                return _with_cors(response, origin)
            finally:
                sblog.reset(token)

        return wrapper

    return decorate


def _respond(handler: Callable[[flask.Request], flask.Response], request: flask.Request) -> flask.Response:
    try:
        return handler(request)
    except SwitchboardError as exc:
        status = (_lookup(exc) or (500, ""))[0]
        if status >= 500:
            log.warning("request failed", extra={"status": status, "error_type": type(exc).__name__, "error": str(exc)})
        return error_response(exc)
    except Exception:
        log.exception("unhandled error", extra={"path": request.path})
        return json_response({"detail": "Internal error", "error": "internal_error"}, 500)


def read_body(request: flask.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw request body.

    Args:
        request: The request.
        limit: The most bytes accepted (1 MB everywhere but a knowledge-base upload).

    Raises:
        PayloadTooLargeError: Over the limit (every endpoint answers 413 the same way).
    """
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLargeError(f"Request body over {limit} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise PayloadTooLargeError(f"Request body over {limit} bytes")
    return raw


def decode_json(raw: bytes | str) -> Any:
    """Decode JSON text.

    Raises:
        InvalidInputError: Not JSON, not UTF-8, nested too deeply, or a number too long to read.
    """
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise InvalidInputError("Request body is nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, and integers over Python's digit limit
        raise InvalidInputError(f"Request body is not valid JSON: {getattr(exc, 'msg', 'undecodable')}") from exc


IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def idempotency_key(request: flask.Request) -> str:
    """The request's ``Idempotency-Key`` header ("" when absent): a caller that retries a request
    after a 503 or a lost answer sends the same key, and gets the first answer instead of a second.

    Raises:
        InvalidInputError: A key that is empty, longer than 255 characters, or not printable ASCII.
    """
    value = request.headers.get(IDEMPOTENCY_HEADER)
    if value is None:
        return ""
    if not _IDEMPOTENCY_KEY.fullmatch(value):
        raise InvalidInputError(f"{IDEMPOTENCY_HEADER} must be 1-255 printable ASCII characters without spaces")
    return value


def read_json(request: flask.Request, allow_empty: bool = False) -> Any:
    """Decode the request body as JSON.

    Args:
        request: The request.
        allow_empty: Read an empty body as ``{}`` (endpoints whose body is optional).

    Raises:
        InvalidInputError: Empty body (unless allowed), a body over 1 MB, or invalid JSON.
    """
    raw = read_body(request)
    if not raw.strip():
        if allow_empty:
            return {}
        raise InvalidInputError("Request body is empty; expected a JSON object")
    return decode_json(raw)


def parse_model(model: type[M], data: Any) -> M:
    """Validate decoded JSON against a pydantic model.

    Raises:
        ValidationFailedError: With the offending field locations and error types only.
    """
    if not isinstance(data, dict):
        raise ValidationFailedError([FieldProblem("body", "object_expected")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [FieldProblem(".".join(str(p) for p in err["loc"]) or "body", err["type"]) for err in exc.errors()]
        raise ValidationFailedError(problems) from exc


def redirect(location: str, status: int = 308) -> flask.Response:
    """A permanent redirect that keeps the method and body (308)."""
    return json_response({"detail": f"Use {location}", "error": "redirect"}, status, {"Location": location})
