"""Stop words for retrieval: words that carry no meaning in a support question.

``STOPWORDS`` are English function and chat words ("please", "thanks", "don't") and the
commonest Spanish, Portuguese, French, German, Italian and Russian ones; ``FOREIGN_STOPWORDS``
are more function words of German, French, Spanish, Italian, Portuguese and Dutch.
``text.tokens`` drops a folded word found in either.
"""

from __future__ import annotations

STOPWORDS = frozenset(
    (
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did",
        "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have",
        "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into",
        "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of",
        "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she",
        "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then",
        "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was",
        "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
        "you", "your", "yours", "yourself", "yourselves", "please", "hi", "hello", "thanks", "thank", "hey",
        "can't", "cannot", "i'm", "i've", "i'd", "it's", "don't", "doesn't", "isn't", "get", "got", "let", "want",
        "need", "know", "tell", "el", "la", "los", "las", "un", "una", "de", "del", "que", "y", "en", "por", "para",
        "con", "es", "como", "mi", "tu", "o", "a", "e", "os", "as", "um", "uma", "do", "da", "le", "les", "des",
        "du", "et", "est", "pour", "avec", "der", "die", "das", "ein", "eine", "und", "ist", "mit", "von", "zu",
        "il", "lo", "gli", "di", "che", "и", "в", "во", "на", "с", "со", "по", "к", "ко", "о", "об", "от", "до",
        "за", "из", "у", "не", "что", "как", "это", "я", "мы", "вы", "он", "она", "они", "мой", "мне",
    )
)  # fmt: skip
#: Function words of the other languages our customers write in; none is an English word
#: that carries meaning in a support question.
FOREIGN_STOPWORDS = frozenset(
    (
        "aber", "als", "am", "an", "auch", "auf", "aus", "bei", "bin", "bis", "bist", "da", "dann", "das", "dass",
        "dem", "den", "denen", "der", "des", "dich", "dir", "du", "durch", "ein", "eine", "einem", "einen", "einer",
        "eines", "er", "es", "euch", "euer", "für", "fur", "gibt", "habe", "haben", "hat", "hatte", "ich", "ihr",
        "ihre", "im", "in", "ist", "ja", "jetzt", "kann", "kein", "keine", "können", "konnen", "man", "mein",
        "meine", "mich", "mir", "mit", "muss", "nach", "nicht", "noch", "nur", "ob", "oder", "ohne", "sein", "sich",
        "sie", "sind", "so", "soll", "über", "uber", "um", "und", "uns", "unser", "vom", "von", "vor", "warum",
        "was", "welche", "wenn", "wer", "werden", "wie", "wieder", "will", "wir", "wird", "wo", "zu", "zum", "zur",
        "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "en", "pour", "dans", "que", "qui", "ne",
        "pas", "sur", "au", "aux", "ce", "cette", "mon", "ma", "mes", "je", "tu", "il", "elle", "nous", "vous",
        "ils", "elles", "se", "sa", "son", "ses", "leur", "avec", "comment", "quoi", "quel", "quelle", "el", "los",
        "las", "una", "unos", "unas", "del", "y", "es", "en", "por", "para", "que", "con", "como", "cual", "mi",
        "mis", "yo", "tu", "su", "sus", "nos", "il", "lo", "gli", "di", "da", "nel", "nella", "per", "che", "con",
        "come", "cosa", "sono", "io", "mio", "mia", "o", "os", "as", "um", "uma", "do", "da", "dos", "das", "no",
        "na", "em", "com", "como", "eu", "meu", "minha", "het", "een", "van", "ik", "je", "mijn", "niet", "op",
        "te", "dat", "wat", "hoe", "voor", "met", "zijn",
    )
)  # fmt: skip
