"""Business hours: a weekly schedule in the tenant's time zone, and what the AI does outside it.

Stored in the tenant's settings as a plain mapping (validated by the admin API on the way in)::

    {"timezone": "Europe/Berlin",
     "schedule": {"mon": ["09:00-17:30"], "tue": ["09:00-12:00", "13:00-17:00"], ...},
     "outside": "silent" | "message",
     "message": "We are closed; a person will answer tomorrow from 9:00."}

A day missing from ``schedule`` (or with no ranges) is closed all day. A range ``"HH:MM-HH:MM"`` runs
from its start up to (not including) its end in local wall-clock time, ``24:00`` ends at midnight;
a range never crosses midnight (split it over two days). Ranges are strings because Firestore
stores no list inside a list. An empty or absent mapping means always open.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from switchboard.errors import FieldProblem

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OUTSIDE = ("silent", "message")
FIELDS = ("timezone", "schedule", "outside", "message")
_RANGE = re.compile(r"^((?:[01]\d|2[0-3]):[0-5]\d)-((?:[01]\d|2[0-3]):[0-5]\d|24:00)$")


@cache
def zones() -> frozenset[str]:
    """Every IANA time zone name this machine knows (the system's or the tzdata package's)."""
    return frozenset(available_timezones())


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def problems(hours: dict[str, Any]) -> list[FieldProblem]:
    """What is wrong with a business-hours mapping (empty when it is valid); each problem names
    the field and the rule, never the value sent."""
    found: list[FieldProblem] = []
    if not isinstance(hours, dict):
        return [FieldProblem("business_hours", "invalid", "an object with timezone, schedule, outside and message")]

    def bad(loc: str, message: str) -> None:
        found.append(FieldProblem(loc, "invalid", message))

    for key in hours:
        if key not in FIELDS:
            bad(str(key)[:40], f"not a field (fields: {', '.join(FIELDS)})")

    zone = hours.get("timezone")
    if not isinstance(zone, str) or zone not in zones():
        bad("timezone", "an IANA time zone name such as Europe/Berlin")
    schedule = hours.get("schedule")
    if not isinstance(schedule, dict):
        bad("schedule", 'a mapping of mon..sun to lists of "HH:MM-HH:MM" ranges')
        schedule = {}
    for day, ranges in schedule.items():
        if day not in DAYS:
            bad("schedule", f"days are {', '.join(DAYS)}")
            continue
        if not isinstance(ranges, list) or len(ranges) > 6:
            bad(f"schedule.{day}", 'a list of at most 6 "HH:MM-HH:MM" ranges')
            continue
        spans: list[tuple[int, int]] = []
        for n, span in enumerate(ranges):
            found_range = _RANGE.match(span) if isinstance(span, str) else None
            if found_range is None:
                bad(f"schedule.{day}.{n}", 'a range is "HH:MM-HH:MM" from 00:00 to 24:00')
                continue
            start, end = _minutes(found_range[1]), _minutes(found_range[2])
            if end <= start:
                bad(f"schedule.{day}.{n}", "a range ends after it starts (split one that crosses midnight)")
                continue
            spans.append((start, end))
        spans.sort()
        if any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
            bad(f"schedule.{day}", "the day's ranges overlap")
    outside = hours.get("outside", "silent")
    if outside not in OUTSIDE:
        bad("outside", "'silent' (leave it to people) or 'message' (answer with the out-of-hours message)")
    message = hours.get("message", "")
    if not isinstance(message, str) or len(message) > 2000:
        bad("message", "text of at most 2000 characters")
    elif outside == "message" and not message.strip():
        bad("message", "required when outside is 'message'")
    return found


def is_open(hours: dict[str, Any] | None, now: datetime) -> bool:
    """Whether ``now`` (an aware datetime) falls within the business hours; always open when unset.

    A mapping that does not validate (written by hand in the store) counts as always open: the AI
    keeps answering rather than going silent on a typo.
    """
    if not isinstance(hours, dict) or not hours or problems(hours):
        return True
    local = now.astimezone(ZoneInfo(str(hours["timezone"])))
    day = DAYS[local.weekday()]
    minute = local.hour * 60 + local.minute
    for span in hours["schedule"].get(day, []):
        start, end = span.split("-")
        if _minutes(start) <= minute < _minutes(end):
            return True
    return False
