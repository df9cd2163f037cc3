"""The composition root: builds adapters lazily from :class:`Settings`, cached per instance.

Warm invocations reuse the same SDK clients. Modules are imported only when the adapter is
first needed, so ``health`` never imports google-genai and a cold start pays only for what
the function uses.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from switchboard import connectors
from switchboard import logging as sblog
from switchboard.config import Settings

if TYPE_CHECKING:
    from google import genai
    from google.cloud import firestore

    from switchboard.channels.admin import AdminDeps
    from switchboard.channels.auth import TenantAuth
    from switchboard.channels.chatwoot_bot import ChatwootBotInbound
    from switchboard.channels.kommo import KommoInbound
    from switchboard.channels.support_sso import SsoDeps
    from switchboard.channels.tasks import TaskRunner
    from switchboard.core.analytics import AnalyticsDeps
    from switchboard.core.chatwoot_bot import ChatwootBotDeps
    from switchboard.core.escalation import EscalationDeps
    from switchboard.core.kommo_reply import KommoReplyDeps
    from switchboard.core.tenants import TenantDirectory
    from switchboard.core.turn import TurnDeps
    from switchboard.health import HealthCheck
    from switchboard.helpdesk.base import AlertSink, BotChannel, BotConversations, ChatDesk, Mailer, TicketDesk
    from switchboard.knowledge.cache import IndexCache
    from switchboard.llm.base import Embedder, LLMProvider
    from switchboard.store.base import BotStates, Claims, DeadLetters, EscalationStore, SupportUsers, TurnStore
    from switchboard.tasks.auth import TaskAuth
    from switchboard.tasks.base import TaskQueue


class Services:
    """Every adapter and use-case dependency, built on first use.

    Args:
        settings: The instance's settings.
        overrides: Ready-made replacements for any of the properties below, by name (for
            example ``store=..., claims=...`` with in-memory implementations in tests); the
            rest are built from ``settings`` as usual.

    Raises:
        TypeError: An override names no property of this class.
    """

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self.settings = settings
        for name, value in overrides.items():
            if not isinstance(getattr(type(self), name, None), cached_property):
                raise TypeError(f"Services has no component named {name!r}")
            self.__dict__[name] = value  # what cached_property would have stored

    @cached_property
    def firestore_client(self) -> firestore.Client:
        """One Firestore client (the emulator when FIRESTORE_EMULATOR_HOST is set), shared by the adapters."""
        from google.cloud import firestore

        s = self.settings
        return firestore.Client(project=s.google_cloud_project, database=s.firestore_database)

    @cached_property
    def store(self) -> TurnStore:
        """Tenants, conversations, rate limits, usage and knowledge-base versions."""
        from switchboard.store.firestore import FirestoreStore

        s = self.settings
        return FirestoreStore(self.firestore_client, s.store_timeout_seconds, timedelta(days=s.conversation_ttl_days))

    @cached_property
    def claims(self) -> Claims:
        """The claim primitive: deferred work done once (tickets, emails, alerts, Kommo replies)."""
        from switchboard.store.claims import FirestoreClaims

        return FirestoreClaims(self.firestore_client, self.settings.store_timeout_seconds)

    @cached_property
    def tenants(self) -> TenantDirectory:
        """Tenant and API-key lookups with a short cache."""
        from switchboard.core.tenants import TenantDirectory

        return TenantDirectory(self.store.get_tenant, self.store.tenant_for_key, self.settings.tenant_cache_seconds)

    @cached_property
    def indexes(self) -> IndexCache:
        """Per-tenant retrieval indexes, opened once per knowledge-base version."""
        from switchboard.knowledge.cache import IndexCache
        from switchboard.knowledge.stored import open_index

        store = self.store
        return IndexCache(lambda tenant_id, version: open_index(store, tenant_id, version))

    @cached_property
    def genai_client(self) -> genai.Client:
        """The google-genai client (imports the SDK on first use)."""
        from switchboard.llm.genai import build_client

        s = self.settings
        return build_client(
            api_key=s.api_key.get_secret_value() if s.api_key else None,
            vertexai=s.use_vertexai,
            project=s.google_cloud_project,
            location=s.google_cloud_location,
            base_url=s.gemini_base_url,
            timeout_seconds=s.llm_timeout_seconds,
            attempts=s.llm_max_attempts,
        )

    @cached_property
    def llm(self) -> LLMProvider:
        """Gemini when configured, else the offline extractive provider."""
        if self.settings.resolved_llm_backend == "genai":
            from switchboard.llm.genai import GenAIProvider

            return GenAIProvider(self.genai_client)
        from switchboard.llm.extractive import ExtractiveProvider

        return ExtractiveProvider()

    @cached_property
    def embedder(self) -> Embedder | None:
        """Gemini embeddings when a key is set, else the local model; None with EMBEDDING_BACKEND=none."""
        backend = self.settings.resolved_embedding_backend
        if backend == "none":
            return None
        if backend == "local":
            from switchboard.llm.local_embedder import LocalEmbedder

            # One engine thread: a single query is faster so (15 ms p50 against 19 ms with two on a
            # 2-vCPU machine), and a function instance serves one request per CPU anyway.
            return LocalEmbedder(threads=1)
        from switchboard.llm.genai import GenAIEmbedder

        s = self.settings
        return GenAIEmbedder(self.genai_client, s.embedding_model, s.embedding_dimensions)

    @cached_property
    def turn_deps(self) -> TurnDeps:
        """Everything :func:`switchboard.core.turn.handle_turn` needs."""
        from switchboard.core.turn import TurnDeps, TurnPolicy

        s = self.settings
        policy = TurnPolicy(
            escalation_threshold=s.escalation_threshold,
            history_turns=s.history_turns,
            top_k=s.retrieval_top_k,
            rate=s.rate,
            model=s.gemini_model if s.resolved_llm_backend == "genai" else "extractive",
            temperature=s.llm_temperature,
            max_output_tokens=s.llm_max_output_tokens,
            escalation_max_minutes=s.escalation_max_minutes,
        )
        return TurnDeps(self.store, self.llm, self.indexes, self.tenants, policy, self.embedder)

    @cached_property
    def escalations(self) -> EscalationStore:
        """Escalations, feedback, desk links and webhook deliveries."""
        from switchboard.store.escalations import FirestoreEscalations

        return FirestoreEscalations(self.firestore_client, self.settings.store_timeout_seconds)

    @cached_property
    def queue(self) -> TaskQueue | None:
        """Cloud Tasks (or its emulator); None when TASKS_TARGET_URL is not set."""
        return connectors.task_queue(self.settings)

    @cached_property
    def dead_letters(self) -> DeadLetters:
        """Tasks given up on."""
        from switchboard.store.dead_letters import FirestoreDeadLetters

        return FirestoreDeadLetters(self.firestore_client, self.settings.store_timeout_seconds)

    @cached_property
    def task_runner(self) -> TaskRunner:
        """What the tasks function needs (use-case dependencies are built on first use)."""
        from switchboard.channels.tasks import TaskRunner

        return TaskRunner(
            self.task_auth,
            lambda: self.escalation_deps,
            lambda: self.kommo_reply_deps,
            self.dead_letters,
            self.settings.task_max_deliveries,
            lambda: self.chatwoot_bot_deps,
        )

    @cached_property
    def task_auth(self) -> TaskAuth:
        """Verifies the callers of the private tasks function."""
        return connectors.task_auth(self.settings)

    @cached_property
    def ticket_desk(self) -> TicketDesk | None:
        """Freshdesk, when configured."""
        return connectors.ticket_desk(self.settings)

    @cached_property
    def mailer(self) -> Mailer | None:
        """SMTP or Amazon SES, per EMAIL_TRANSPORT."""
        return connectors.mailer(self.settings)

    @cached_property
    def alerts(self) -> AlertSink | None:
        """Teams Workflows webhook, when configured."""
        return connectors.alerts(self.settings)

    @cached_property
    def desk(self) -> ChatDesk | None:
        """Chatwoot as the human desk, when configured."""
        return connectors.chat_desk(self.settings)

    @cached_property
    def escalation_deps(self) -> EscalationDeps:
        """Everything the escalation use cases and task handlers need."""
        from switchboard.core.escalation import EscalationDeps

        return EscalationDeps(
            self.escalations,
            self.claims,
            self.queue,
            self.ticket_desk,
            self.mailer,
            self.alerts,
            self.desk,
            self.settings.chatwoot_account_id or 0,
            self.settings.task_retry_base_seconds,
        )

    @cached_property
    def kommo_bot(self) -> BotChannel | None:
        """The Salesbot continue call, when KOMMO_ACCESS_TOKEN is set."""
        return connectors.kommo_bot(self.settings)

    @cached_property
    def kommo_reply_deps(self) -> KommoReplyDeps:
        """Everything :func:`switchboard.core.kommo_reply.run_kommo_reply` needs."""
        from switchboard.channels.kommo_wire import reply_url_check
        from switchboard.core.kommo_reply import KommoReplyDeps

        return KommoReplyDeps(
            self.turn_deps,
            self.claims,
            self.kommo_bot,
            reply_url_check(self.tenants, self.settings),
            self.queue,
            self.settings.task_retry_base_seconds,
        )

    @cached_property
    def health(self) -> HealthCheck:
        """The health probes, run at most once per HEALTH_CACHE_SECONDS."""
        from switchboard.health import HealthCheck

        return HealthCheck(self.settings, self.store, self.settings.health_cache_seconds)

    @cached_property
    def auth(self) -> TenantAuth:
        """API key → tenant for the CRM-facing endpoints."""
        from switchboard.channels.auth import TenantAuth

        s = self.settings
        return TenantAuth(self.tenants, s.allow_anonymous, s.default_tenant)

    @cached_property
    def bot_states(self) -> BotStates:
        """The Chatwoot bot's per-contact and per-conversation state."""
        from switchboard.store.bot_states import FirestoreBotStates

        return FirestoreBotStates(self.firestore_client, self.settings.store_timeout_seconds)

    @cached_property
    def chatwoot_bot(self) -> BotConversations | None:
        """Chatwoot as the agent bot, when CHATWOOT_BOT_TOKEN is set."""
        return connectors.chatwoot_bot(self.settings)

    @cached_property
    def chatwoot_bot_deps(self) -> ChatwootBotDeps:
        """Everything the Chatwoot bot's tasks and its verification page need."""
        from switchboard.core.chatwoot_bot import ChatwootBotDeps
        from switchboard.verify_tokens import signer

        secret = self.settings.verify_jwt_secret
        return ChatwootBotDeps(
            turn=self.turn_deps,
            claims=self.claims,
            states=self.bot_states,
            owners=self.escalations,
            bot=self.chatwoot_bot,
            mailer=self.mailer,
            alerts=self.alerts,
            queue=self.queue,
            sign_link=signer(secret.get_secret_value()) if secret else None,
            public_base_url=self.settings.public_base_url or "",
            max_ai_retries=self.settings.max_ai_retries,
            default_language=self.settings.bot_language,
            retry_base_seconds=self.settings.task_retry_base_seconds,
        )

    @cached_property
    def chatwoot_bot_inbound(self) -> ChatwootBotInbound:
        """What the bot's webhook and verification page need (the page builds the rest on use)."""
        from switchboard.channels.chatwoot_bot import ChatwootBotInbound

        return ChatwootBotInbound(self.settings, self.queue, lambda: self.chatwoot_bot_deps)

    @cached_property
    def admin(self) -> AdminDeps:
        """What the admin API needs (the LLM is built only when a question is asked)."""
        from switchboard.channels.admin import AdminDeps

        # The bot's token stays with the tasks function, which makes the Chatwoot call.
        chatwoot = self.settings.chatwoot_base_url and self.settings.chatwoot_account_id
        queue = self.queue if chatwoot else None
        return AdminDeps(
            self.settings,
            self.tenants,
            self.store,
            self.escalations,
            lambda: self.turn_deps,
            queue,
            lambda: self.embedder,
        )

    # --- Chatwoot single sign-on (GET /api/support/sso, function admin) ---------------------------

    @cached_property
    def support_users(self) -> SupportUsers:
        """Which Chatwoot user each tenant's dashboard user signs in as."""
        from switchboard.store.support_users import FirestoreSupportUsers

        return FirestoreSupportUsers(self.firestore_client, self.settings.store_timeout_seconds)

    @cached_property
    def sso(self) -> SsoDeps:
        """What single sign-on needs: no Platform API connector unless CHATWOOT_PLATFORM_TOKEN,
        CHATWOOT_BASE_URL and CHATWOOT_ACCOUNT_ID are set (the endpoint then says so)."""
        from switchboard.channels.support_sso import SsoDeps

        s = self.settings
        platform = None
        if s.chatwoot_platform_configured and s.chatwoot_base_url and s.chatwoot_platform_token:
            from switchboard.helpdesk.chatwoot_platform import ChatwootPlatform

            token = s.chatwoot_platform_token.get_secret_value()
            platform = ChatwootPlatform(s.chatwoot_base_url, token, s.chatwoot_account_id or 0)
        return SsoDeps(self.tenants, lambda: self.support_users, platform)

    # --- end of Chatwoot single sign-on ------------------------------------------------------------

    @cached_property
    def analytics(self) -> AnalyticsDeps:
        """What the daily analytics job needs (stores only: no LLM, no connectors)."""
        from switchboard.core.analytics import AnalyticsDeps, Prices

        s = self.settings
        prices = Prices(s.llm_price_input_per_million, s.llm_price_output_per_million)
        return AnalyticsDeps(self.store, self.escalations, prices, timedelta(hours=s.session_idle_hours))

    @cached_property
    def analytics_auth(self) -> TaskAuth:
        """Verifies the scheduler calling the analytics function."""
        return connectors.analytics_auth(self.settings)

    @cached_property
    def kommo_inbound(self) -> KommoInbound:
        """What the Kommo webhook needs (it never builds the LLM or the embedder)."""
        from switchboard.channels.kommo import KommoInbound

        return KommoInbound(self.settings, self.tenants, self.queue, self.store)


_lock = threading.Lock()
_services: Services | None = None


def services() -> Services:
    """The instance's services, built on first call from the environment."""
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                settings = Settings()
                sblog.configure(settings.log_level)
                _services = Services(settings)
    return _services


def install(instance: Services) -> None:
    """Use ``instance`` as this process's services (a test tier built on in-memory ports)."""
    global _services
    with _lock:
        _services = instance


def reset() -> None:
    """Forget the cached services (the next call re-reads the environment)."""
    global _services
    with _lock:
        _services = None
