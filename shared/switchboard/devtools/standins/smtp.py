"""SMTP stand-in: a real SMTP server (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from typing import Any


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps every message it receives.

    Args:
        port: Port to bind (must be a concrete free port: aiosmtpd's self-test cannot use 0).
    """

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.listener: Callable[[str], None] | None = None
        sink = self

        class Collect:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                sink.messages.append(message)
                if sink.listener:
                    sink.listener(f"[smtp] to {message['To']}: {message['Subject']}")
                    for link in sink.links(message):  # a verification link is what a developer needs next
                        sink.listener(f"[smtp]   link: {link}")
                return "250 OK"

        self.port = port
        self._handler = Collect()
        self._controller_class = Controller
        self._controller: Any = None

    @staticmethod
    def links(message: email.message.EmailMessage) -> list[str]:
        """The http(s) links in a message's plain-text part."""
        part = message.get_body(preferencelist=("plain",))
        text = part.get_content() if part is not None else ""
        return re.findall(r"https?://\S+", str(text))

    def start(self) -> SmtpSink:
        """Serve (again, after :meth:`stop`: a controller's event loop cannot be restarted)."""
        self._controller = self._controller_class(self._handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
