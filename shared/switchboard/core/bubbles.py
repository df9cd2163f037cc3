"""Splitting a reply into chat bubbles (Kommo's ``show`` handler takes at most 80 characters)."""

from __future__ import annotations

MAX_BUBBLE = 80
MAX_BUBBLES = 10


def _words(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for word in text.split():
        while len(word) > limit:  # only a single word longer than a bubble is ever cut
            out.append(word[:limit])
            word = word[limit:]
        out.append(word)
    return out


def split_bubbles(text: str, limit: int = MAX_BUBBLE, max_bubbles: int = MAX_BUBBLES) -> list[str]:
    """Pack words into bubbles of at most ``limit`` characters, at most ``max_bubbles`` of them.

    Paragraphs start a new bubble. Joined with single spaces, the bubbles give back the text
    with its whitespace normalised (or a prefix of it, when it needs more than ``max_bubbles``).
    """
    bubbles: list[str] = []
    for paragraph in text.split("\n\n"):
        current = ""
        for word in _words(paragraph, limit):
            if current and len(current) + 1 + len(word) > limit:
                bubbles.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        if current:
            bubbles.append(current)
    return bubbles[:max_bubbles]
