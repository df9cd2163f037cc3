"""The Chatwoot bot's fixed messages: tenant wording first, ours when theirs cannot be filled."""

from __future__ import annotations

from switchboard.core import bot_texts
from switchboard.core.language import detect_language


def test_a_tenants_own_wording_is_used_and_filled() -> None:
    texts = {"link_sent": {"en": "Check {email}, please."}}
    assert bot_texts.text("link_sent", "en", texts, email="a@b.co") == "Check a@b.co, please."
    assert bot_texts.text("link_sent", "mn", texts, email="a@b.co") == bot_texts.TEXTS["link_sent"]["mn"].format(
        email="a@b.co"
    )


def test_a_tenant_text_with_a_placeholder_we_do_not_fill_falls_back_to_ours() -> None:
    for broken in ("Hi {name}!", "Hi {0}!", "Hi {email"):
        texts = {"link_sent": {"en": broken}}
        assert bot_texts.text("link_sent", "en", texts, email="a@b.co") == bot_texts.TEXTS["link_sent"]["en"].format(
            email="a@b.co"
        )


def test_the_language_is_the_messages_else_the_known_one() -> None:
    def detect(text: str, default: str) -> str:
        return detect_language(text, default=default)

    assert bot_texts.choose_language("Сайн байна уу", "en", detect) == "mn"  # Cyrillic counts as Mongolian
    assert bot_texts.choose_language("jane@example.com", "mn", detect) == "mn"  # an address says nothing
    assert bot_texts.choose_language("How do refunds work?", "mn", detect) == "en"
