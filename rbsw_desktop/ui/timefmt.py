"""QDateTime and the store's instant text, through epoch milliseconds.

No string is parsed on the way in or out, so Qt never guesses which zone a wall time is in:
the stored UTC instant becomes a QDateTime in the laptop's local time (with the offset in force
at that moment: BST in summer, GMT in winter, the right one of the two 01:30s in October) and
back again exactly, to the millisecond.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime

from rbsw_desktop.domain.instants import instant_from_ms, instant_ms

MINUTE_MS = 60_000


def qdatetime_of(text: str) -> QDateTime:
    """Stored instant text -> a local QDateTime for the same moment (ValueError if it is
    not an instant)."""
    return QDateTime.fromMSecsSinceEpoch(instant_ms(text))


def instant_of(value: QDateTime, *, to_the_minute: bool = False) -> str:
    """A QDateTime (any time spec) -> stored instant text. `to_the_minute` drops seconds and
    milliseconds, for a time a person entered in hours and minutes (every zone's offset is
    whole minutes, so this never moves the minute shown)."""
    ms = value.toMSecsSinceEpoch()
    return instant_from_ms(ms - ms % MINUTE_MS if to_the_minute else ms)


def same_minute_shown(a: QDateTime, b: QDateTime) -> bool:
    """Do the two show the same local day, hour and minute? Two moments in the repeated hour
    of October (01:30 BST, 01:30 GMT) do: a person cannot tell them apart on screen."""
    a, b = a.toLocalTime(), b.toLocalTime()
    return a.date() == b.date() and (a.time().hour(), a.time().minute()) == \
        (b.time().hour(), b.time().minute())
