"""The Chatwoot agent bot's fixed messages, its verification email and its verification pages, in
Mongolian and English. A tenant may replace any message (``TenantSettings.bot["texts"]``:
``{key: {language: text}}``, with the same ``{email}`` / ``{reason}`` placeholders)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

LANGUAGES = ("en", "mn")

TEXTS: dict[str, dict[str, str]] = {
    "ask_email": {
        "en": "Hello! Before we start, please write your email address so that I can verify it.",
        "mn": "Сайн байна уу! Эхлэхийн өмнө имэйл хаягаа бичнэ үү, би түүнийг баталгаажуулна.",
    },
    "invalid_email": {
        "en": "That does not look like a valid email address ({reason}). Please write it again, "
        "for example name@example.com.",
        "mn": "Энэ имэйл хаяг буруу байна ({reason}). Дахин бичнэ үү, жишээ нь name@example.com.",
    },
    "link_sent": {
        "en": "I have sent a verification link to {email}. Please open it to continue; it works for 24 hours.",
        "mn": "{email} хаяг руу баталгаажуулах холбоос илгээлээ. Үргэлжлүүлэхийн тулд түүнийг нээнэ үү; "
        "холбоос 24 цагийн турш хүчинтэй.",
    },
    "reminder": {
        "en": "Please open the verification link I sent to {email} first. To use another address, write it here.",
        "mn": "Эхлээд {email} хаяг руу илгээсэн баталгаажуулах холбоосыг нээнэ үү. Өөр хаяг ашиглах бол энд бичнэ үү.",
    },
    "email_refused": {
        "en": "I could not send an email to {email}. Please check the address and write it again.",
        "mn": "{email} хаяг руу имэйл илгээж чадсангүй. Хаягаа шалгаад дахин бичнэ үү.",
    },
    "too_many_links": {
        "en": "I have already sent verification links recently. Please check your inbox (and spam folder) "
        "for the email to {email}, or try again later.",
        "mn": "Саяхан баталгаажуулах холбоос илгээсэн. {email} хаяг руу ирсэн имэйлээ (спам хавтсыг оролцуулан) "
        "шалгана уу, эсвэл дараа дахин оролдоно уу.",
    },
    "verified": {
        "en": "Your email is verified! How can I help you?",
        "mn": "Таны имэйл баталгаажлаа! Танд юугаар туслах вэ?",
    },
    "handoff": {
        "en": "I'm passing this conversation to a colleague, who will reply here shortly.",
        "mn": "Энэ яриаг манай ажилтанд шилжүүллээ. Ажилтан удахгүй энд хариулна.",
    },
}

REASONS: dict[str, dict[str, str]] = {
    "no_at": {"en": "there is no @ in it", "mn": "@ тэмдэг алга"},
    "spaces": {"en": "it contains spaces", "mn": "хоосон зай агуулж байна"},
    "domain": {"en": "the part after @ is not a domain", "mn": "@-ийн дараах хэсэг домэйн биш байна"},
    "local": {"en": "the part before @ is missing or invalid", "mn": "@-ийн өмнөх хэсэг дутуу эсвэл буруу байна"},
    "too_long": {"en": "it is too long", "mn": "хэт урт байна"},
}

EMAIL = {
    "subject": {"en": "Verify your email address", "mn": "Имэйл хаягаа баталгаажуулна уу"},
    "body": {
        "en": "Hello,\n\nPlease open this link to verify your email address and continue the chat:\n\n{link}\n\n"
        "The link works once and for 24 hours. If you did not ask for it, ignore this email.",
        "mn": "Сайн байна уу,\n\nИмэйл хаягаа баталгаажуулж чатаа үргэлжлүүлэхийн тулд энэ холбоосыг нээнэ үү:\n\n"
        "{link}\n\nХолбоос нэг удаа, 24 цагийн турш ажиллана. Та үүнийг хүсээгүй бол энэ имэйлийг үл тоомсорлоно уу.",
    },
    "button": {"en": "Verify my email", "mn": "Имэйлээ баталгаажуулах"},
}

PAGES: dict[str, dict[str, tuple[str, str]]] = {
    "verified": {
        "en": ("Email verified", "Your email address is verified. You can go back to the chat."),
        "mn": ("Имэйл баталгаажлаа", "Таны имэйл хаяг баталгаажлаа. Чат руугаа буцна уу."),
    },
    "expired": {
        "en": ("This link has expired", "Write your email address in the chat again to get a new link."),
        "mn": ("Холбоосын хугацаа дууссан", "Шинэ холбоос авахын тулд чатанд имэйл хаягаа дахин бичнэ үү."),
    },
    "replaced": {
        "en": (
            "This link is no longer valid",
            "A newer link was sent since. Use the newest email, or write your address in the chat again.",
        ),
        "mn": (
            "Энэ холбоос хүчингүй болсон",
            "Шинэ холбоос илгээсэн. Хамгийн сүүлийн имэйлээ ашиглах эсвэл чатанд хаягаа дахин бичнэ үү.",
        ),
    },
    "used": {
        "en": ("This link was already used", "Each link works once. Go back to the chat to continue."),
        "mn": ("Холбоосыг аль хэдийн ашигласан", "Холбоос бүр нэг удаа ажиллана. Чат руугаа буцаж үргэлжлүүлнэ үү."),
    },
    "invalid": {
        "en": ("This link is not valid", "Check that you opened the whole link from the email."),
        "mn": ("Холбоос хүчингүй байна", "Имэйл дэх холбоосыг бүтнээр нь нээсэн эсэхээ шалгана уу."),
    },
}


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_EMAILS = re.compile(r"\S+@\S+")


def choose_language(message: str, known: str, detect: Callable[[str, str], str]) -> str:
    """The bot speaks Mongolian or English: what the message is written in when it says (any
    Cyrillic counts as Mongolian here), else what the contact used before (``known``)."""
    text = _EMAILS.sub(" ", message)
    if not re.search(r"[^\W\d_]{2,}", text):  # an address or a number says nothing
        return known
    detected = detect(text, known)
    if detected in LANGUAGES:
        return detected
    return "mn" if _CYRILLIC.search(text) else known


def language_of(language: str, default: str) -> str:
    """The bot's language for a detected one: Mongolian or English, else the tenant's default."""
    return language if language in LANGUAGES else (default if default in LANGUAGES else "en")


def text(key: str, language: str, overrides: dict[str, Any] | None = None, **values: str) -> str:
    """A fixed message in ``language``, the tenant's own wording first."""
    custom = ((overrides or {}).get(key) or {}).get(language)
    template = custom if isinstance(custom, str) and custom.strip() else TEXTS[key][language]
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a tenant's text with a placeholder we do not fill
        return TEXTS[key][language].format(**values)


def reason(key: str, language: str) -> str:
    return REASONS[key][language]


def page(kind: str, language: str) -> str:
    """A small, self-contained HTML page for the verification link."""
    title, body = PAGES[kind][language_of(language, "en")]
    lang = language_of(language, "en")
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;"
        "color:#1f2933}h1{font-size:1.4rem}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(body)}</p></body></html>"
    )
