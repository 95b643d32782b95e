"""Instants: stored in UTC, read back exactly, shown and dated in the laptop's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

import pytest

from rbsw_desktop.domain import utc_now
from rbsw_desktop.domain.instants import (
    instant_from_ms,
    instant_ms,
    instant_text,
    local_date,
    local_text,
    parse_instant,
    stored_instant,
)


def test_instant_text_is_the_stored_form_whatever_zone_the_datetime_is_in() -> None:
    paris = timezone(timedelta(hours=2))
    assert instant_text(datetime(2026, 6, 25, 8, 9, 23, 456789, tzinfo=paris)) \
        == "2026-06-25T06:09:23.456Z"
    assert instant_text(datetime(2026, 6, 25, 6, 9, tzinfo=UTC)) == "2026-06-25T06:09:00.000Z"
    with pytest.raises(ValueError, match="^A time without a zone cannot be stored"):
        instant_text(datetime(2026, 6, 25, 6, 9))      # naive: whose 06:09?
    now = utc_now()
    assert now.endswith("Z") and len(now) == len("2026-06-25T06:09:00.000Z")


def test_parse_instant_reads_z_and_offsets_as_the_same_moment() -> None:
    want = datetime(2026, 6, 25, 6, 9, 23, 456000, tzinfo=UTC)
    for text in ("2026-06-25T06:09:23.456Z", "2026-06-25T06:09:23.456+00:00",
                 "2026-06-25T07:09:23.456+01:00", "2026-06-25T06:09:23.456"):
        got = parse_instant(text)
        assert got == want and got.utcoffset() == timedelta(0), text
    with pytest.raises(ValueError):
        parse_instant("last Tuesday")


@pytest.mark.parametrize(("text", "stored"), [
    ("2026-06-25T06:09:23.456Z", "2026-06-25T06:09:23.456Z"),        # as stored: as it is
    ("2026-06-25T07:09:23.456+01:00", "2026-06-25T06:09:23.456Z"),
    ("2026-06-25T06:09:23.456789Z", "2026-06-25T06:09:23.456Z"),
    ("2026-06-25T06:09:23Z", "2026-06-25T06:09:23.000Z"),
    ("2026-06-25T06:09:23.456", "2026-06-25T06:09:23.456Z"),
])
def test_any_instant_becomes_its_stored_text(text: str, stored: str) -> None:
    assert stored_instant(text) == stored


@pytest.mark.parametrize("text", [
    "2026-02-30T09:00:00.000Z", "2026-12-01T24:00:00.000Z", "2026-12-01T09:60:00.000Z",
    "\uff12026-12-01T09:00:00.000Z", "last Tuesday", "",
])
def test_text_shaped_like_a_stored_instant_must_still_be_a_real_moment(text: str) -> None:
    with pytest.raises(ValueError):
        stored_instant(text)


def test_epoch_milliseconds_round_trip_exactly() -> None:
    for text in ("2026-06-25T06:09:23.456Z", "2026-10-25T00:30:00.000Z",
                 "2026-10-25T01:30:00.000Z", "1969-12-31T23:59:59.999Z"):
        assert instant_from_ms(instant_ms(text)) == text
    assert instant_ms("1970-01-01T00:00:01.001Z") == 1001


@pytest.mark.parametrize(("zone", "stored", "shown", "day"), [
    ("Europe/London", "2026-06-25T06:09:00.000Z", "2026-06-25 07:09", date(2026, 6, 25)),
    ("Europe/London", "2026-01-15T07:09:00.000Z", "2026-01-15 07:09", date(2026, 1, 15)),
    ("Europe/London", "2026-06-01T23:30:00.000Z", "2026-06-02 00:30", date(2026, 6, 2)),
    # The last Sunday of October: 01:30 happens twice, first in BST, then in GMT.
    ("Europe/London", "2026-10-25T00:30:00.000Z", "2026-10-25 01:30", date(2026, 10, 25)),
    ("Europe/London", "2026-10-25T01:30:00.000Z", "2026-10-25 01:30", date(2026, 10, 25)),
    ("Europe/Paris", "2026-01-15T06:09:00.000Z", "2026-01-15 07:09", date(2026, 1, 15)),
    ("Pacific/Auckland", "2026-06-25T19:09:00.000Z", "2026-06-26 07:09", date(2026, 6, 26)),
])
def test_shown_and_dated_in_local_time(local_zone, zone: str, stored: str, shown: str,  # noqa: ANN001
                                       day: date) -> None:
    local_zone(zone)
    assert local_text(stored) == shown
    assert local_date(stored) == day


def test_local_text_shows_what_it_cannot_read_as_it_is() -> None:
    assert local_text(None) == "" and local_text("") == ""
    assert local_text("not a time") == "not a time"


class _NoOffset(tzinfo):
    """A zone that cannot say its offset: as unknown as no zone at all."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None


def test_a_zone_without_an_offset_is_refused_and_stored_text_ignores_the_laptops_zone(
        local_zone) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="^A time without a zone"):
        instant_text(datetime(2026, 6, 25, 6, 9, tzinfo=_NoOffset()))
    local_zone("Europe/Paris")
    assert instant_text(datetime(2026, 6, 25, 6, 9, tzinfo=UTC)) == "2026-06-25T06:09:00.000Z"
    for text in ("2026-06-25T06:09:23.456z", "2026-06-25T06:09:23.456"):
        got = parse_instant(text)
        assert got == datetime(2026, 6, 25, 6, 9, 23, 456000, tzinfo=UTC), text
        assert got.utcoffset() == timedelta(0), text
    ms = instant_ms("1970-01-01T00:00:01.001Z")
    assert ms == 1001 and isinstance(ms, int)
