"""How long the laptop waits before trying the council again: doubling, capped, jittered, and
never sooner than the council asked (Retry-After, in seconds or as an HTTP date)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from rbsw_desktop.sync.backoff import MAX_RETRY_AFTER, Backoff, parse_retry_after


class _Highest(random.Random):
    """Jitter that always picks the top of the range, so the ceiling itself shows."""

    def uniform(self, a: float, b: float) -> float:
        return b


class _Lowest(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return a


def test_the_wait_doubles_up_to_the_cap_and_starts_again_after_a_reset() -> None:
    backoff = Backoff(rng=_Highest())
    assert [backoff.next_delay() for _ in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert backoff.attempts == 8
    backoff.reset()
    assert backoff.attempts == 0 and backoff.next_delay() == 0.5


def test_the_wait_is_jittered_within_the_ceiling() -> None:
    delays = [Backoff(base=1, cap=8, attempts=3, rng=random.Random(seed)).next_delay()
              for seed in range(50)]
    assert all(0 <= d <= 8 for d in delays) and len(set(delays)) == 50


def test_retry_after_is_honoured_but_never_for_more_than_the_limit() -> None:
    assert Backoff(rng=_Lowest()).next_delay(retry_after=7) == 7
    assert Backoff(rng=_Lowest()).next_delay(retry_after=500) == MAX_RETRY_AFTER == 120
    assert Backoff(rng=_Highest(), attempts=5).next_delay(retry_after=3) == 16
    assert Backoff(rng=_Lowest()).next_delay(retry_after=None) == 0


def test_retry_after_in_seconds() -> None:
    assert parse_retry_after(" 7 ") == 7.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("500") == MAX_RETRY_AFTER
    assert parse_retry_after("nan") is None
    assert parse_retry_after(None) is None and parse_retry_after("") is None
    assert parse_retry_after("soon") is None


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 6, 25, 6, 9, tzinfo=UTC)
    assert parse_retry_after("Thu, 25 Jun 2026 06:09:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 25 Jun 2026 06:09:30 -0000", now=now) == 30.0   # no zone
    assert parse_retry_after("Thu, 25 Jun 2026 07:09:30 +0100", now=now) == 30.0
    assert parse_retry_after("Thu, 25 Jun 2026 06:00:00 GMT", now=now) == 0.0       # past
    assert parse_retry_after("Fri, 26 Jun 2026 06:09:00 GMT", now=now) == MAX_RETRY_AFTER
    later = datetime.now(UTC) + timedelta(seconds=30)       # against the real clock
    assert 25 <= parse_retry_after(later.strftime("%a, %d %b %Y %H:%M:%S GMT")) <= 31
