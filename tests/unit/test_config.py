from __future__ import annotations

import pytest
from pydantic import ValidationError

from switchboard.config import RateLimit, Settings


def test_rate_limit_parses_and_rejects_nonsense() -> None:
    assert RateLimit.parse("30/3600") == RateLimit(30, 3600)
    for bad in ("30", "0/60", "a/b", "30/-1"):
        with pytest.raises(ValueError):
            RateLimit.parse(bad)


def test_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "LLM_BACKEND", "RATE_LIMIT", "ALLOW_ANONYMOUS"):
        monkeypatch.delenv(name, raising=False)
    s = Settings()
    assert s.escalation_threshold == 0.30
    assert s.max_message_chars == 4000
    assert s.rate == RateLimit(30, 3600)
    assert s.allow_anonymous is False
    assert s.resolved_llm_backend == "extractive"


def test_a_key_switches_auto_to_gemini_and_genai_without_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.setenv("GEMINI_API_KEY", "k")
    assert Settings().resolved_llm_backend == "genai"
    monkeypatch.delenv("GEMINI_API_KEY")
    monkeypatch.setenv("LLM_BACKEND", "genai")
    with pytest.raises(ValidationError):
        Settings()


def test_secrets_do_not_leak_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "super-secret-value")
    assert "super-secret-value" not in repr(Settings())


def test_the_desk_address_without_its_token_means_not_used_here(monkeypatch: pytest.MonkeyPatch) -> None:
    desk = {"CHATWOOT_BASE_URL": "https://desk.example", "CHATWOOT_ACCOUNT_ID": "1", "CHATWOOT_INBOX_ID": "2"}
    for name, value in desk.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CHATWOOT_API_TOKEN", raising=False)
    assert Settings().chatwoot_configured is False  # a function that holds no desk token
    monkeypatch.setenv("CHATWOOT_API_TOKEN", "t")
    assert Settings().chatwoot_configured is True
    monkeypatch.delenv("CHATWOOT_INBOX_ID")
    with pytest.raises(ValueError, match="CHATWOOT_API_TOKEN needs"):
        Settings()


def test_the_chatwoot_bot_settings_are_checked() -> None:
    with pytest.raises(ValidationError, match="VERIFY_JWT_SECRET must be at least 32"):
        Settings.model_validate({"VERIFY_JWT_SECRET": "short"})
    with pytest.raises(ValidationError, match="CHATWOOT_BOT_TOKEN needs CHATWOOT_BASE_URL"):
        Settings.model_validate({"CHATWOOT_BOT_TOKEN": "t"})
    bot = Settings.model_validate(
        {"CHATWOOT_BOT_TOKEN": "t", "CHATWOOT_BASE_URL": "https://cw.example", "CHATWOOT_ACCOUNT_ID": "3"}
    )
    assert bot.chatwoot_bot_configured and not bot.chatwoot_configured  # the desk stays independent
    assert bot.max_ai_retries == 2 and bot.bot_language == "en"
