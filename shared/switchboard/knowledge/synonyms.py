"""General customer-support vocabulary: phrases folded to one token, and query-side synonyms.

Customers rarely use the words of the help centre ("kick a user out" for "remove a member",
"2FA" for "two-step verification"). Phrases are canonicalised in articles and questions alike;
single-word synonyms expand only the question, with less weight than the words it used.
"""

from __future__ import annotations

import re

from switchboard.knowledge.text import fold, stem

#: (pattern, canonical token), applied to folded text before tokenising.
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), token)
    for p, token in (
        (
            r"\b(?:two[- ]?(?:factor|step)(?: auth\w*| verification| login)?|2fa|mfa|multi[- ]?factor(?: auth\w*)?)\b",
            " twofactor ",
        ),
        (r"\b(?:sign|log)[- ]?(?:in|on)\b|\blogin\b", " login "),
        (r"\bsingle sign[- ]?on\b|\bsso\b|\bsaml\b", " sso "),
        (r"\bmoney back\b|\brefunds?\b|\breimburse\w*", " refund "),
        (r"\be[- ]?mails?\b", " email "),
        (r"\bto[- ]?dos?\b", " task "),
        (r"\bcredit card\b|\bdebit card\b", " card "),
        (r"\bper (?:user|seat|member)\b", " seat "),
        (r"\bset ?up\b", " setup "),
        (r"\bcheck ?out\b", " checkout "),
        (r"\bopt[- ]out\b|\bunsubscrib\w*", " unsubscribe "),
        (r"\bspread ?sheets?\b|\bexcel\b", " csv "),
        (r"\b(?:take|kick|throw) (?:\w+ )?(?:out|away|off)\b|\bget rid of\b", " remove "),
        (r"\b(?:get|send|mail) (?:\w+ )?(?:in touch|hold)\b|\breach (?:out )?(?:to )?\b", " contact "),
    )
)

_GROUPS = (
    "remove delete kick revoke deactivate",
    "cost price pricing fee charge pay",
    "cancel stop end terminate downgrade",
    "invoice bill receipt",
    "card payment",
    "download export backup copy",
    "upload attach import",
    "hide archive",
    "repeat recurring recur weekly daily monthly",
    "colleague coworker teammate member employee user people person staff",
    "app mobile iphone ios android phone",
    "support help helpdesk",
    "notification alert notify digest",
    "account workspace organisation organization company",
    "limit max maximum",
    "size big large mb gb megabyte gigabyte",
    "block blocked dependency depend",
    "template reuse structure",
    "region location stored host hosting",
    "encrypt encryption secure security",
    "token key credential",
    "automate automation rule",
    "invite add",
    "admin administrator owner",
    "plan subscription",
    "quit leave left",
    "new create start",
    "sync synchronise synchronize integration connect",
    "yearly annual annually",
    "discount save saving cheaper",
    "role permission access promote",
    "mute pause silence snooze reduce fewer",
    "activate activation confirm confirmation verify",
    "storage space quota",
    "attachment file",
    "resend resent again",
)

SYNONYM_WEIGHT = 0.6


def _build() -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for group in _GROUPS:
        words = {stem(w) for w in group.split()}
        for word in words:
            table.setdefault(word, set()).update(words - {word})
    return {k: tuple(sorted(v)) for k, v in table.items()}


SYNONYMS = _build()


def canonical(text: str) -> str:
    """Fold and canonicalise support phrases ("Two-step verification" → "twofactor")."""
    folded = fold(text)
    for pattern, token in PHRASES:
        folded = pattern.sub(token, folded)
    return folded
