"""The language guesser's evidence for Latin-script languages: stop words and telltale letters.

``STOPWORDS`` are each language's commonest words in customer messages (articles, pronouns,
"want", "need", "please", "hello"); a message scores one point per word found in a language's
list. ``LATIN_HINTS`` are letters (and Spanish's inverted marks) that point to one of these
languages; each one present scores two points. Lower case, accents kept.
"""

from __future__ import annotations

STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        (
            "the", "a", "an", "is", "are", "was", "i", "you", "my", "me", "to", "of", "and", "in", "it", "for",
            "on", "with", "how", "do", "does", "what", "can", "please", "not", "this", "that", "have", "want",
            "need", "where", "when", "why", "your", "our", "be",
        )
    ),
    "es": frozenset(
        (
            "el", "la", "los", "las", "un", "una", "es", "son", "de", "del", "que", "y", "en", "por", "para", "con",
            "cómo", "como", "qué", "mi", "tu", "quiero", "necesito", "puedo", "hablar", "no", "está", "estoy",
            "por", "favor", "hola", "gracias", "usted",
        )
    ),
    "pt": frozenset(
        (
            "o", "a", "os", "as", "um", "uma", "é", "são", "de", "do", "da", "que", "e", "em", "por", "para", "com",
            "como", "quê", "meu", "minha", "você", "quero", "preciso", "posso", "falar", "não", "está", "estou",
            "obrigado", "olá", "isso", "não",
        )
    ),
    "fr": frozenset(
        (
            "le", "la", "les", "un", "une", "est", "sont", "de", "du", "des", "que", "et", "en", "pour", "avec",
            "comment", "je", "tu", "mon", "ma", "vous", "veux", "besoin", "puis", "parler", "pas", "ne", "suis",
            "bonjour", "merci", "ce",
        )
    ),
    "de": frozenset(
        (
            "der", "die", "das", "ein", "eine", "ist", "sind", "von", "und", "in", "mit", "wie", "ich", "du",
            "mein", "meine", "sie", "möchte", "brauche", "kann", "sprechen", "nicht", "bin", "hallo", "danke",
            "bitte", "zu",
        )
    ),
    "it": frozenset(
        (
            "il", "lo", "la", "gli", "le", "un", "una", "è", "sono", "di", "del", "che", "e", "in", "per", "con",
            "come", "io", "mio", "mia", "voglio", "ho", "bisogno", "posso", "parlare", "non", "sono", "ciao",
            "grazie",
        )
    ),
    "nl": frozenset(
        (
            "de", "het", "een", "is", "zijn", "van", "en", "in", "met", "hoe", "ik", "je", "mijn", "wil", "kan",
            "praten", "niet", "ben", "hallo",
        )
    ),
    "tr": frozenset(
        (
            "bir", "ve", "bu", "ne", "nasıl", "ben", "sen", "benim", "istiyorum", "lütfen", "için", "ile", "değil",
            "mi", "mı", "merhaba",
        )
    ),
    "pl": frozenset(
        (
            "jest", "są", "i", "w", "z", "na", "jak", "ja", "ty", "mój", "moja", "chcę", "mogę", "rozmawiać", "nie",
            "się", "proszę", "dzień", "dobry",
        )
    ),
}  # fmt: skip

LATIN_HINTS: dict[str, str] = {
    "ñ": "es", "¿": "es", "¡": "es", "ã": "pt", "õ": "pt", "ç": "pt", "ß": "de", "ä": "de", "ö": "de",
    "ü": "de", "ğ": "tr", "ı": "tr", "ş": "tr", "ł": "pl", "ą": "pl", "ę": "pl", "ś": "pl", "ż": "pl",
    "ź": "pl", "ć": "pl", "ń": "pl",
}  # fmt: skip
