from __future__ import annotations

import pytest

from switchboard.core.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("How do I reset my password?", "en"),
        ("¿Cómo puedo cambiar mi contraseña?", "es"),
        ("Como faço para redefinir minha senha?", "pt"),
        ("Comment puis-je changer mon mot de passe ?", "fr"),
        ("Wie kann ich mein Passwort ändern?", "de"),
        ("Come posso cambiare la mia password?", "it"),
        ("Как сменить пароль?", "ru"),
        ("Як змінити пароль?", "uk"),
        ("Нууц үгээ яаж солих вэ?", "mn"),
        ("Şifremi nasıl değiştirebilirim?", "tr"),
        ("Jak mogę zmienić hasło?", "pl"),
    ],
)
def test_detects_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_falls_back_to_default_when_nothing_points_anywhere() -> None:
    assert detect_language("12345", default="de") == "de"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # one stop word shared with German or Dutch, but plainly English
        ("archive emails in gmail", "en"),
        ("dropbox storage is full", "en"),
        # the same tie in a text that is not English goes to the other language
        ("de app werkt niet", "nl"),
        ("die App ist kaputt", "de"),
    ],
)
def test_a_tie_with_english_goes_to_english_only_when_the_words_are_english(text: str, lang: str) -> None:
    assert detect_language(text) == lang
