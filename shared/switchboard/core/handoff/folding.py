"""Text normalisation for the handoff detector: every lexicon is written in this spelling.

NFKC, lower case, Latin diacritics stripped (``połącz`` and ``polacz``, ``möchte`` and
``mochte`` are the same), curly apostrophes made straight, traditional Chinese characters mapped
to simplified ones, "w/" read as "with", chat shorthand spelled out ("qqn", "x favor"), letters
typed three times or more cut to two, and runs of white space made single spaces.
"""

from __future__ import annotations

import re
import unicodedata

_SPECIAL_FOLDS = {"ß": "ss", "ł": "l", "ı": "i", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ё": "е"}
_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4\u2032"
# Traditional -> simplified, for the characters the Chinese lexicon uses.
_TRAD_SIMP = dict(
    zip(
        "轉專員請幫沒聯繫係絡務話說談溝們個讓給電線還嗎麼樣經顧問機與為開煩負責後對這裡來應該過謝戶號碼賬帳審費刪團隊時間點兒單諮詢處見難",
        "转专员请帮没联系系络务话说谈沟们个让给电线还吗么样经顾问机与为开烦负责后对这里来应该过谢户号码账账审费删团队时间点儿单咨询处见难",
        strict=True,
    )
)


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        char = chr(cp)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[cp] = base.lower()
    for src, dst in _SPECIAL_FOLDS.items():
        table[ord(src)] = dst
    for char in _APOSTROPHES:
        table[ord(char)] = "'"
    for src, dst in _TRAD_SIMP.items():
        table[ord(src)] = dst
    return table


_FOLD = _fold_table()


_SHORTHAND = re.compile(r"(?<!\w)w/(?=\s|\w)")  # "connect me w/ an agent"
#: Chat shorthand spelled out: French "qqn" and "quelqu un", Spanish "q" and "x favor".
_ABBREVIATIONS = (
    (re.compile(r"(?<!\w)(?:qqn|qq1|qqun|quelqu un)(?!\w)"), "quelqu'un"),
    (re.compile(r"(?<!\w)x (?=favor\b)"), "por "),
    (re.compile(r"(?<!\w)q(?= \w)"), "que"),
)
# A letter typed three or more times in a row ("possso", "pleeease") is read as two.
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")


def normalize(text: str) -> str:
    """Lower case, NFKC, Latin accents stripped, straight apostrophes, single spaces, chat
    shorthand spelled out and stretched letters cut to two."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    folded = _STRETCHED.sub(r"\1\1", _SHORTHAND.sub("with ", folded))
    for pattern, spelled in _ABBREVIATIONS:
        folded = pattern.sub(spelled, folded)
    return " ".join(folded.split())
