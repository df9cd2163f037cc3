"""Loopback stand-ins for Freshdesk, Chatwoot, Teams, Kommo and an SMTP server, for `make dev` and tests.

They speak the documented protocols, check credentials the way the real
services do, record everything they receive, and can be scripted to fail (status, headers,
delay) so the fault paths are exercised against real sockets. Never deployed. One module per
service; ``base`` holds the HTTP server they share.
"""

from __future__ import annotations

from switchboard.devtools.standins.base import Fault, Recorded, StandIn
from switchboard.devtools.standins.chatwoot import ChatwootStandIn
from switchboard.devtools.standins.environment import helpdesk_environment
from switchboard.devtools.standins.freshdesk import FreshdeskStandIn
from switchboard.devtools.standins.kommo import KommoStandIn
from switchboard.devtools.standins.smtp import SmtpSink
from switchboard.devtools.standins.teams import TeamsStandIn

__all__ = [
    "ChatwootStandIn",
    "Fault",
    "FreshdeskStandIn",
    "KommoStandIn",
    "Recorded",
    "SmtpSink",
    "StandIn",
    "TeamsStandIn",
    "helpdesk_environment",
]
