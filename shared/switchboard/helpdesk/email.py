"""Email by SMTP (smtplib) or Amazon SES (boto3), with translated errors."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from switchboard.errors import UpstreamError, UpstreamUnavailableError
from switchboard.helpdesk.base import EmailDraft


def _one_line(value: str) -> str:
    """A header value with line breaks and other control characters turned into spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def build_message(draft: EmailDraft, sender: str) -> EmailMessage:
    """A multipart/alternative message (text + HTML); header values are kept to one line."""
    message = EmailMessage()
    message["From"] = sender
    name, to = _one_line(draft.to_name), _one_line(draft.to)
    message["To"] = formataddr((name, to)) if name else to
    message["Subject"] = _one_line(draft.subject)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or None)
    message.set_content(draft.text)
    message.add_alternative(draft.html, subtype="html")
    return message


class SmtpMailer:
    """Sends through an SMTP server (STARTTLS when offered, or implicit TLS on port 465).

    Args:
        host: SMTP host.
        port: SMTP port.
        sender: ``From`` address.
        user: Login user (optional).
        password: Login password (optional).
        timeout: Socket timeout in seconds.
    """

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 10,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._user, self._password, self._timeout = user, password, timeout

    def send(self, email: EmailDraft) -> None:
        """Send one message.

        Raises:
            UpstreamUnavailableError: Connection problems or a temporary (4xx) SMTP reply.
            UpstreamError: A permanent refusal (5xx reply, bad recipient, failed login), or a
                server that offers no TLS when a login is configured.
        """
        message = build_message(email, self._sender)
        try:
            if self._port == 465:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self._host, self._port, timeout=self._timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
            with smtp:
                smtp.ehlo()
                encrypted = self._port == 465
                if not encrypted and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                    encrypted = True
                if self._user and not encrypted:
                    raise UpstreamError("SMTP: the server offers no TLS; the password is not sent in clear")
                if self._user:
                    smtp.login(self._user, self._password or "")
                smtp.send_message(message)
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise UpstreamUnavailableError(f"SMTP: temporary failure {exc.smtp_code}") from exc
            raise UpstreamError(f"SMTP: refused with {exc.smtp_code}") from exc
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise UpstreamError("SMTP: sender or recipient refused") from exc
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            raise UpstreamUnavailableError(f"SMTP: {type(exc).__name__}") from exc


class SesMailer:
    """Sends through Amazon SES (v2 API).

    Args:
        sender: ``From`` address (a verified identity).
        region: AWS region.
        client: Optional boto3 ``sesv2`` client (credentials come from the environment).
    """

    def __init__(self, sender: str, region: str, client: Any = None) -> None:
        self._sender = sender
        self._region = region
        self._client = client

    def _ses(self) -> Any:
        if self._client is None:  # boto3 is imported only by the function that sends email
            import boto3
            from botocore.config import Config

            config = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})
            self._client = boto3.client("sesv2", region_name=self._region, config=config)
        return self._client

    def send(self, email: EmailDraft) -> None:
        """Send one message.

        Raises:
            UpstreamUnavailableError: Throttling, service or network errors.
            UpstreamError: Rejections (unverified sender, bad address).
        """
        from botocore.exceptions import BotoCoreError, ClientError

        destination = formataddr((email.to_name, email.to)) if email.to_name else email.to
        try:
            self._ses().send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [destination]},
                Content={
                    "Simple": {
                        "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": email.text, "Charset": "UTF-8"},
                            "Html": {"Data": email.html, "Charset": "UTF-8"},
                        },
                    }
                },
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in ("Throttling", "TooManyRequestsException", "ServiceUnavailable") or status >= 500:
                raise UpstreamUnavailableError(f"SES: {code or status}") from exc
            raise UpstreamError(f"SES: {code or status}") from exc
        except BotoCoreError as exc:
            raise UpstreamUnavailableError(f"SES: {type(exc).__name__}") from exc
