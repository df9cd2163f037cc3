"""The settings that point Switchboard at running stand-ins (tests and benchmarks)."""

from __future__ import annotations

from switchboard.devtools.standins.freshdesk import FreshdeskStandIn
from switchboard.devtools.standins.smtp import SmtpSink
from switchboard.devtools.standins.teams import TeamsStandIn


def helpdesk_environment(
    freshdesk: FreshdeskStandIn, teams: TeamsStandIn, smtp: SmtpSink, email_from: str = "support@switchboard.test"
) -> dict[str, str]:
    """Freshdesk tickets, the confirmation email over SMTP and Teams cards, all on loopback."""
    return {
        "FRESHDESK_BASE_URL": freshdesk.url,
        "FRESHDESK_API_KEY": freshdesk.api_key,
        "EMAIL_TRANSPORT": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "EMAIL_FROM": email_from,
        "TEAMS_WEBHOOK_URL": f"{teams.url}/workflows/abc/triggers/manual/paths/invoke?sig=secret",
    }
