"""Typed settings: the one place that reads the environment.

Every knob Switchboard has is a field here. Nothing else reads ``os.environ``; the composition
root (:mod:`switchboard.bootstrap`) builds one :class:`Settings` per instance and hands the
values it needs to each adapter. The README's configuration table mirrors this class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from switchboard.validators import is_tenant_id

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class RateLimit:
    """``N`` answers per ``seconds`` for one end user of one tenant.

    Attributes:
        limit: Answers allowed in one window.
        seconds: Window length in seconds.
    """

    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Parse ``"N/SECONDS"`` (for example ``"30/3600"``).

        Raises:
            ValueError: When the text is not two positive integers separated by a slash.
        """
        match = _RATE_RE.match(text)
        if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
            raise ValueError(f"RATE_LIMIT must look like N/SECONDS with positive integers, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))


class Settings(BaseSettings):
    """All runtime configuration, read from environment variables of the same name."""

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", case_sensitive=False)

    environment: Literal["development", "production"] = Field("production", alias="SWITCHBOARD_ENV")
    google_cloud_project: str = Field("demo-switchboard", alias="GOOGLE_CLOUD_PROJECT")
    firestore_database: str = Field("(default)", alias="FIRESTORE_DATABASE")
    firestore_emulator_host: str | None = Field(None, alias="FIRESTORE_EMULATOR_HOST")
    store_timeout_seconds: float = Field(5.0, alias="STORE_TIMEOUT_SECONDS", gt=0)

    llm_backend: Literal["auto", "genai", "extractive"] = Field("auto", alias="LLM_BACKEND")
    gemini_api_key: SecretStr | None = Field(None, alias="GEMINI_API_KEY")
    google_api_key: SecretStr | None = Field(None, alias="GOOGLE_API_KEY")
    use_vertexai: bool = Field(False, alias="GOOGLE_GENAI_USE_VERTEXAI")
    google_cloud_location: str = Field("global", alias="GOOGLE_CLOUD_LOCATION")
    gemini_model: str = Field("gemini-3.6-flash", alias="GEMINI_MODEL")
    gemini_base_url: str | None = Field(None, alias="GEMINI_BASE_URL")
    llm_timeout_seconds: float = Field(20.0, alias="LLM_TIMEOUT_SECONDS", gt=0)
    llm_max_attempts: int = Field(3, alias="LLM_MAX_ATTEMPTS", ge=1, le=10)
    llm_temperature: float = Field(0.2, alias="LLM_TEMPERATURE", ge=0, le=2)
    llm_max_output_tokens: int = Field(1024, alias="LLM_MAX_OUTPUT_TOKENS", ge=64)
    llm_price_input_per_million: float = Field(0.0, alias="LLM_PRICE_INPUT_PER_MILLION", ge=0)
    llm_price_output_per_million: float = Field(0.0, alias="LLM_PRICE_OUTPUT_PER_MILLION", ge=0)
    #: The daily job marks a session inactive after this long without a message.
    session_idle_hours: int = Field(24, alias="SESSION_IDLE_HOURS", ge=1, le=24 * 365)
    #: The audience of the scheduler's OIDC token for the analytics function (its URL).
    analytics_audience: str | None = Field(None, alias="ANALYTICS_AUDIENCE")

    embedding_backend: Literal["auto", "genai", "local", "none"] = Field("auto", alias="EMBEDDING_BACKEND")
    embedding_model: str = Field("gemini-embedding-001", alias="EMBEDDING_MODEL")
    embedding_dimensions: int = Field(768, alias="EMBEDDING_DIMENSIONS", ge=8, le=2048)

    escalation_threshold: float = Field(0.30, alias="ESCALATION_THRESHOLD", ge=0, le=1)
    escalation_max_minutes: int = Field(30, alias="ESCALATION_MAX_MINUTES", ge=0)
    max_message_chars: int = Field(4000, alias="MAX_MESSAGE_CHARS", ge=1)
    rate_limit: str = Field("30/3600", alias="RATE_LIMIT")
    history_turns: int = Field(6, alias="HISTORY_TURNS", ge=0, le=50)
    retrieval_top_k: int = Field(5, alias="RETRIEVAL_TOP_K", ge=1, le=20)
    conversation_ttl_days: int = Field(30, alias="CONVERSATION_TTL_DAYS", ge=1)
    tenant_cache_seconds: float = Field(30.0, alias="TENANT_CACHE_SECONDS", ge=0)

    allow_anonymous: bool = Field(False, alias="ALLOW_ANONYMOUS")
    default_tenant: str = Field("default", alias="DEFAULT_TENANT")
    cors_allowed_origins: str = Field("", alias="CORS_ALLOWED_ORIGINS")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", alias="LOG_LEVEL")

    tasks_queue: str = Field("switchboard-tasks", alias="TASKS_QUEUE")
    tasks_location: str = Field("us-central1", alias="TASKS_LOCATION")
    tasks_emulator_host: str | None = Field(None, alias="TASKS_EMULATOR_HOST")
    tasks_target_url: str | None = Field(None, alias="TASKS_TARGET_URL")
    tasks_service_account: str | None = Field(None, alias="TASKS_SERVICE_ACCOUNT")
    tasks_audience: str | None = Field(None, alias="TASKS_AUDIENCE")
    tasks_secret: SecretStr | None = Field(None, alias="TASKS_SECRET")
    health_cache_seconds: float = Field(30.0, alias="HEALTH_CACHE_SECONDS", ge=0)
    task_max_deliveries: int = Field(8, alias="TASK_MAX_DELIVERIES", ge=1, le=100)
    tasks_oidc_certs_url: str = Field("https://www.googleapis.com/oauth2/v1/certs", alias="TASKS_OIDC_CERTS_URL")
    task_retry_base_seconds: float = Field(15.0, alias="TASK_RETRY_BASE_SECONDS", gt=0)

    freshdesk_domain: str | None = Field(None, alias="FRESHDESK_DOMAIN")
    freshdesk_api_key: SecretStr | None = Field(None, alias="FRESHDESK_API_KEY")
    freshdesk_base_url: str | None = Field(None, alias="FRESHDESK_BASE_URL")

    email_transport: Literal["none", "smtp", "ses"] = Field("none", alias="EMAIL_TRANSPORT")
    email_from: str | None = Field(None, alias="EMAIL_FROM")
    smtp_host: str | None = Field(None, alias="SMTP_HOST")
    smtp_port: int = Field(587, alias="SMTP_PORT", ge=1, le=65535)
    smtp_user: str | None = Field(None, alias="SMTP_USER")
    smtp_password: SecretStr | None = Field(None, alias="SMTP_PASSWORD")
    aws_region: str = Field("us-east-1", alias="AWS_REGION")

    teams_webhook_url: SecretStr | None = Field(None, alias="TEAMS_WEBHOOK_URL")

    chatwoot_base_url: str | None = Field(None, alias="CHATWOOT_BASE_URL")
    chatwoot_api_token: SecretStr | None = Field(None, alias="CHATWOOT_API_TOKEN")
    chatwoot_account_id: int | None = Field(None, alias="CHATWOOT_ACCOUNT_ID")
    chatwoot_inbox_id: int | None = Field(None, alias="CHATWOOT_INBOX_ID")
    chatwoot_webhook_secret: SecretStr | None = Field(None, alias="CHATWOOT_WEBHOOK_SECRET")
    chatwoot_bot_token: SecretStr | None = Field(None, alias="CHATWOOT_BOT_TOKEN")
    chatwoot_bot_secret: SecretStr | None = Field(None, alias="CHATWOOT_BOT_SECRET")
    #: A Chatwoot platform app's token: single sign-on for tenants' dashboard users (docs/support-sso.md).
    chatwoot_platform_token: SecretStr | None = Field(None, alias="CHATWOOT_PLATFORM_TOKEN")
    verify_jwt_secret: SecretStr | None = Field(None, alias="VERIFY_JWT_SECRET")
    public_base_url: str | None = Field(None, alias="PUBLIC_BASE_URL")
    max_ai_retries: int = Field(2, alias="MAX_AI_RETRIES", ge=1, le=5)
    bot_language: Literal["en", "mn"] = Field("en", alias="BOT_DEFAULT_LANGUAGE")

    kommo_client_secret: SecretStr | None = Field(None, alias="KOMMO_CLIENT_SECRET")
    kommo_account_id: int | None = Field(None, alias="KOMMO_ACCOUNT_ID")
    kommo_subdomain: str | None = Field(None, alias="KOMMO_SUBDOMAIN")
    kommo_access_token: SecretStr | None = Field(None, alias="KOMMO_ACCESS_TOKEN")
    kommo_webhook_secret: SecretStr | None = Field(None, alias="KOMMO_WEBHOOK_SECRET")
    kommo_return_url_hosts: str = Field("", alias="KOMMO_RETURN_URL_HOSTS")
    kommo_jwt_leeway: float = Field(30.0, alias="KOMMO_JWT_LEEWAY_SECONDS", ge=0, le=600)

    @field_validator("rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        RateLimit.parse(value)
        return value

    @field_validator("default_tenant")
    @classmethod
    def _check_tenant(cls, value: str) -> str:
        if not is_tenant_id(value):
            raise ValueError("DEFAULT_TENANT must be 1-64 letters, digits, '-' or '_'")
        return value

    @model_validator(mode="after")
    def _check_llm(self) -> Settings:
        if self.llm_backend == "genai" and not (self.api_key or self.use_vertexai):
            raise ValueError("LLM_BACKEND=genai needs GEMINI_API_KEY or GOOGLE_GENAI_USE_VERTEXAI=true")
        if self.embedding_backend == "genai" and not (self.api_key or self.use_vertexai):
            raise ValueError("EMBEDDING_BACKEND=genai needs GEMINI_API_KEY or GOOGLE_GENAI_USE_VERTEXAI=true")
        return self

    @model_validator(mode="after")
    def _check_connectors(self) -> Settings:
        if self.freshdesk_api_key and not (self.freshdesk_domain or self.freshdesk_base_url):
            raise ValueError("FRESHDESK_API_KEY needs FRESHDESK_DOMAIN (or FRESHDESK_BASE_URL)")
        if self.email_transport == "smtp" and not (self.smtp_host and self.email_from):
            raise ValueError("EMAIL_TRANSPORT=smtp needs SMTP_HOST and EMAIL_FROM")
        if self.email_transport == "ses" and not self.email_from:
            raise ValueError("EMAIL_TRANSPORT=ses needs EMAIL_FROM")
        # Only functions that talk to the desk get its token (each function holds only its own
        # secrets), so the desk's address without the token means "not used here"; the token
        # without the address is a mistake.
        chatwoot = (self.chatwoot_base_url, self.chatwoot_account_id, self.chatwoot_inbox_id)
        if self.chatwoot_api_token and not all(chatwoot):
            raise ValueError("CHATWOOT_API_TOKEN needs CHATWOOT_BASE_URL, CHATWOOT_ACCOUNT_ID and CHATWOOT_INBOX_ID")
        if self.verify_jwt_secret is not None and len(self.verify_jwt_secret.get_secret_value()) < 32:
            raise ValueError("VERIFY_JWT_SECRET must be at least 32 characters (it signs verification links)")
        if self.chatwoot_bot_token and not (self.chatwoot_base_url and self.chatwoot_account_id):
            raise ValueError("CHATWOOT_BOT_TOKEN needs CHATWOOT_BASE_URL and CHATWOOT_ACCOUNT_ID")
        return self

    @property
    def kommo_return_hosts(self) -> list[str]:
        """KOMMO_RETURN_URL_HOSTS as a list of ``host`` or ``host:port`` (empty: Kommo's own hosts)."""
        return [h.strip().lower() for h in self.kommo_return_url_hosts.split(",") if h.strip()]

    @property
    def freshdesk_configured(self) -> bool:
        """Whether tickets can be created."""
        return bool(self.freshdesk_api_key and (self.freshdesk_domain or self.freshdesk_base_url))

    @property
    def chatwoot_configured(self) -> bool:
        """Whether escalations sync to a Chatwoot desk."""
        return bool(
            self.chatwoot_base_url and self.chatwoot_api_token and self.chatwoot_account_id and self.chatwoot_inbox_id
        )

    @property
    def chatwoot_bot_configured(self) -> bool:
        """The Chatwoot agent bot can reply (it needs no desk inbox or admin token)."""
        return bool(self.chatwoot_base_url and self.chatwoot_account_id and self.chatwoot_bot_token)

    @property
    def chatwoot_platform_configured(self) -> bool:
        """Single sign-on into Chatwoot can make users and links (a platform app's token, the
        desk's address and the account its users join)."""
        return bool(self.chatwoot_base_url and self.chatwoot_account_id and self.chatwoot_platform_token)

    @property
    def api_key(self) -> SecretStr | None:
        """The Gemini API key: ``GOOGLE_API_KEY`` wins over ``GEMINI_API_KEY``, as in the SDK."""
        return self.google_api_key or self.gemini_api_key

    @property
    def resolved_llm_backend(self) -> Literal["genai", "extractive"]:
        """``auto`` becomes Gemini when a key or Vertex is configured, else the offline provider."""
        if self.llm_backend != "auto":
            return self.llm_backend
        return "genai" if (self.api_key or self.use_vertexai) else "extractive"

    @property
    def resolved_embedding_backend(self) -> Literal["genai", "local", "none"]:
        """``auto`` becomes Gemini embeddings when a key or Vertex is configured, else the local model."""
        if self.embedding_backend != "auto":
            return self.embedding_backend
        return "genai" if (self.api_key or self.use_vertexai) else "local"

    @property
    def rate(self) -> RateLimit:
        """The parsed per-user rate limit."""
        return RateLimit.parse(self.rate_limit)
