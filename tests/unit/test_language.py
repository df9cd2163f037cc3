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
