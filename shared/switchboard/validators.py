"""The shapes of identifiers and addresses that cross our edges, in one place.

Each is a regular expression string, usable as a pydantic ``Field(pattern=...)`` and with
:func:`re.fullmatch`.
"""

from __future__ import annotations

import re

#: A tenant id: it names Firestore documents and appears in URLs and task names.
TENANT_ID = r"^[A-Za-z0-9_-]{1,64}$"
#: An escalation (agent failure) id: a UUID as we issue them, or the CRM's own id format.
FAILURE_ID = r"^[A-Za-z0-9-]{1,64}$"
#: An email address, checked loosely: one ``@``, a dot in the domain, no spaces or control
#: characters. The classes are spelled out so that every regex dialect (pydantic's, JSON Schema's
#: in the OpenAPI document) reads them the same way.
_ADDRESS_PART = r"[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+"
EMAIL = rf"^{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}$"
#: A one-line value (names, ids, offices): no line breaks or other control characters, which would
#: otherwise reach email headers, ticket subjects and logs.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"

_TENANT_ID = re.compile(TENANT_ID)
_FAILURE_ID = re.compile(FAILURE_ID)


def is_tenant_id(value: str) -> bool:
    """Whether ``value`` is a valid tenant id."""
    return bool(_TENANT_ID.match(value))


def is_failure_id(value: str) -> bool:
    """Whether ``value`` is a valid escalation id."""
    return bool(_FAILURE_ID.match(value))
