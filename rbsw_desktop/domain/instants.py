"""Instants: the one place a moment in time becomes text, and text becomes a moment again.

A moment (a visit's time, a board move, an amendment) is stored as an exact instant in UTC,
`YYYY-MM-DDTHH:MM:SS.mmmZ`, and shown in the laptop's local time. A calendar day (a review's
`held_on`, `next_visit_due`) is a plain `YYYY-MM-DD` in the worker's own day, not an instant.

Never slice an instant's text to get a time or a day (`visited_at[:16]`, `[:10]`): that is the
UTC time and the UTC day, which in summer (BST) or outside the UK are not the worker's. Use
`local_text` to show one and `local_date` for the day it happened on. Local time is the C
library's zone (TZ, /etc/localtime), the same one Qt's local time uses.

    instant_text(datetime(2026, 6, 25, 6, 9, tzinfo=UTC))  -> '2026-06-25T06:09:00.000Z'
    local_text('2026-06-25T06:09:00.000Z')                   -> '2026-06-25 07:09' (London)
    local_date('2026-06-01T23:30:00.000Z')                   -> date(2026, 6, 2)   (London)
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
#: How the visit list, timeline and amendments show a moment (local time).
SHOWN = "%Y-%m-%d %H:%M"


def utc_now() -> str:
    """Now, as stored."""
    return instant_text(datetime.now(UTC))


def instant_text(dt: datetime) -> str:
    """An aware datetime as stored: UTC, milliseconds, `Z`. A naive one is refused: nothing
    says which zone its wall time is in."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("A time without a zone cannot be stored: whose 10:00 is it?")
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: An instant's text as `instant_text` writes it.
_STORED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")


def stored_instant(text: str) -> str:
    """Any instant's text (`Z` or an offset) -> as stored; ValueError when it is not a time.
    Text already as stored comes back as it is, once it is found to be a real moment (not a
    30 February): most of what laptops send, without the round trip through a datetime."""
    if _STORED.fullmatch(text):
        datetime.fromisoformat(text)
        return text
    return instant_text(parse_instant(text))


def parse_instant(text: str) -> datetime:
    """Stored text -> an aware datetime in UTC. Accepts `Z`, `+00:00` or any other offset.
    Text with no offset at all is read as UTC (what the store holds), never as local time."""
    value = str(text).strip()
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def instant_ms(text: str) -> int:
    """Milliseconds since the epoch (what QDateTime.fromMSecsSinceEpoch takes): exact, no
    floating point, no zone guessed."""
    return (parse_instant(text) - EPOCH) // _MS


def instant_from_ms(ms: int) -> str:
    """Milliseconds since the epoch (QDateTime.toMSecsSinceEpoch) -> stored text."""
    return instant_text(EPOCH + timedelta(milliseconds=int(ms)))


def local_datetime(text: str) -> datetime:
    """An instant in the laptop's local time (aware, with the offset in force at that moment,
    so a summer visit shows BST and a winter one GMT, whatever the date today)."""
    return parse_instant(text).astimezone()


def local_date(text: str) -> date:
    """The local calendar day an instant fell on: a visit at 00:30 BST on 2 June is stored as
    1 June 23:30 UTC, and happened on 2 June."""
    return local_datetime(text).date()


def day_words(day: date) -> str:
    """A day for a person to read: 'Tue 1 Dec 2026' (no strftime `%-d`: Windows refuses it)."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def local_text(text: str | None, fmt: str = SHOWN) -> str:
    """An instant for a person to read, in local time. Nothing -> ''; text that is not an
    instant is shown as it is rather than hidden or guessed at."""
    if not text:
        return ""
    try:
        return local_datetime(text).strftime(fmt)
    except (ValueError, TypeError, OverflowError, OSError):
        return str(text)
