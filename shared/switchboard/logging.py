"""JSON logs in Cloud Logging's dialect, with request context bound once per request.

Each record is one line: ``severity``, ``message``, ``time``, ``logging.googleapis.com/trace``
(from ``X-Cloud-Trace-Context``), ``logging.googleapis.com/labels`` (function, channel) and any
``extra=`` fields. Message bodies and secrets are never logged at INFO: log ids and lengths.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("sb_log_context", default=None)

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "sb_context",
}


def bind(**fields: Any) -> contextvars.Token[dict[str, Any] | None]:
    """Add fields to every log line of the current request; returns a token for :func:`reset`."""
    current = dict(_context.get() or {})
    current.update({k: v for k, v in fields.items() if v is not None})
    return _context.set(current)


def reset(token: contextvars.Token[dict[str, Any] | None]) -> None:
    """Undo a :func:`bind`."""
    _context.reset(token)


_base_factory = logging.getLogRecordFactory()


def _record_with_context(*args: Any, **kwargs: Any) -> logging.LogRecord:
    # The request context is captured when the record is made, not when it is formatted,
    # so handlers that format later (buffers, test capture) still see it.
    record = _base_factory(*args, **kwargs)
    record.sb_context = _context.get() or {}
    return record


logging.setLogRecordFactory(_record_with_context)


class CloudLoggingFormatter(logging.Formatter):
    """Formats records as one JSON object per line for Cloud Logging."""

    def format(self, record: logging.LogRecord) -> str:
        """Render one record."""
        ctx: dict[str, Any] = getattr(record, "sb_context", None) or _context.get() or {}
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
        }
        if ctx.get("trace"):
            entry["logging.googleapis.com/trace"] = ctx["trace"]
        labels = {k: str(ctx[k]) for k in ("function", "channel", "tenant") if ctx.get(k)}
        if labels:
            entry["logging.googleapis.com/labels"] = labels
        for key, value in ctx.items():
            if key not in ("trace", "function", "channel", "tenant"):
                entry[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


_configured = False


def configure(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send the root logger's records as JSON to ``stream`` (default stdout, where Cloud Logging
    reads them; the CLI uses stderr so its own output stays clean). Idempotent: the first call
    chooses the stream."""
    global _configured
    root = logging.getLogger()
    root.setLevel(level)
    if _configured:
        return
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(CloudLoggingFormatter())
    root.handlers[:] = [handler]
    for noisy in ("werkzeug", "urllib3", "httpx", "httpcore", "google_genai"):
        logging.getLogger(noisy).setLevel("WARNING")
    _configured = True
