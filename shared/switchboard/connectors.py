"""Builds each outbound connector (and the task queue and its auth) from settings, or None when
it is not configured.

The composition root (:mod:`switchboard.bootstrap`) calls these once per instance; each imports its
adapter only when it is built, so a function pays only for the connectors it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.config import Settings

if TYPE_CHECKING:
    from switchboard.helpdesk.base import AlertSink, BotChannel, BotConversations, ChatDesk, Mailer, TicketDesk
    from switchboard.tasks.auth import TaskAuth
    from switchboard.tasks.base import TaskQueue


def ticket_desk(s: Settings) -> TicketDesk | None:
    """Freshdesk, when configured."""
    if not s.freshdesk_configured or s.freshdesk_api_key is None:
        return None
    from switchboard.helpdesk.freshdesk import FreshdeskConnector, base_url_for

    base = base_url_for(s.freshdesk_domain, s.freshdesk_base_url)
    return FreshdeskConnector(base, s.freshdesk_api_key.get_secret_value())


def mailer(s: Settings) -> Mailer | None:
    """SMTP or Amazon SES, per EMAIL_TRANSPORT."""
    if s.email_transport == "smtp" and s.smtp_host and s.email_from:
        from switchboard.helpdesk.email import SmtpMailer

        password = s.smtp_password.get_secret_value() if s.smtp_password else None
        return SmtpMailer(s.smtp_host, s.smtp_port, s.email_from, s.smtp_user, password)
    if s.email_transport == "ses" and s.email_from:
        from switchboard.helpdesk.email import SesMailer

        return SesMailer(s.email_from, s.aws_region)
    return None


def alerts(s: Settings) -> AlertSink | None:
    """Teams Workflows webhook, when configured."""
    if s.teams_webhook_url is None:
        return None
    from switchboard.helpdesk.teams import TeamsConnector

    return TeamsConnector(s.teams_webhook_url.get_secret_value())


def chat_desk(s: Settings) -> ChatDesk | None:
    """Chatwoot as the human desk, when configured."""
    if not s.chatwoot_configured or s.chatwoot_api_token is None:
        return None
    from switchboard.helpdesk.chatwoot import ChatwootConnector

    return ChatwootConnector(
        s.chatwoot_base_url or "",
        s.chatwoot_api_token.get_secret_value(),
        s.chatwoot_account_id or 0,
        s.chatwoot_inbox_id or 0,
    )


def kommo_bot(s: Settings) -> BotChannel | None:
    """The Salesbot continue call, when KOMMO_ACCESS_TOKEN is set."""
    if s.kommo_access_token is None:
        return None
    from switchboard.helpdesk.kommo import KommoConnector

    return KommoConnector(s.kommo_access_token.get_secret_value())


def chatwoot_bot(s: Settings) -> BotConversations | None:
    """Chatwoot as the agent bot (its own token), when CHATWOOT_BOT_TOKEN is set."""
    if not (s.chatwoot_bot_configured and s.chatwoot_base_url and s.chatwoot_account_id and s.chatwoot_bot_token):
        return None
    from switchboard.helpdesk.chatwoot_bot import ChatwootBotConnector

    return ChatwootBotConnector(s.chatwoot_base_url, s.chatwoot_bot_token.get_secret_value(), s.chatwoot_account_id)


def task_queue(s: Settings) -> TaskQueue | None:
    """Cloud Tasks (or its emulator); None when TASKS_TARGET_URL is not set."""
    if not s.tasks_target_url:
        return None
    from switchboard.tasks.cloud_tasks import CloudTasksQueue, build_client

    path = f"projects/{s.google_cloud_project}/locations/{s.tasks_location}/queues/{s.tasks_queue}"
    return CloudTasksQueue(
        build_client(s.tasks_emulator_host),
        path,
        s.tasks_target_url,
        s.tasks_service_account,
        s.tasks_audience,
        secret=s.tasks_secret.get_secret_value() if s.tasks_secret else None,
    )


def task_auth(s: Settings) -> TaskAuth:
    """Verifies the callers of the private tasks function."""
    from switchboard.tasks.auth import TaskAuth

    secret = s.tasks_secret.get_secret_value() if s.tasks_secret else None
    return TaskAuth(secret, s.tasks_service_account, s.tasks_audience or s.tasks_target_url, s.tasks_oidc_certs_url)


def analytics_auth(s: Settings) -> TaskAuth:
    """Verifies the caller of the analytics function: Cloud Scheduler's OIDC token for the
    invoker service account and the function's own audience (or the local run's secret)."""
    from switchboard.tasks.auth import TaskAuth

    secret = s.tasks_secret.get_secret_value() if s.tasks_secret else None
    return TaskAuth(secret, s.tasks_service_account, s.analytics_audience, s.tasks_oidc_certs_url)
