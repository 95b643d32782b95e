"""Failed-attempt back-off for unlocking: after a few wrong passphrases, a growing wait.

The state file holds two numbers and no secret. It guards the lock screen against someone
guessing at the keyboard; the key file's Argon2id cost guards against guessing offline.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable
from pathlib import Path

from rbsw_desktop.errors import TooManyAttempts
from rbsw_desktop.security.keys import write_private

FREE_ATTEMPTS = 3
MAX_WAIT_SECONDS = 300.0
#: The count kept is bounded: by then the wait is long since at its cap.
MAX_FAILURES = 100


def wait_after(failures: int) -> float:
    """Seconds to wait after `failures` wrong passphrases in a row: 0, 0, 0, 5, 10, 20 ... 300."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(5.0 * 2 ** min(failures - FREE_ATTEMPTS, 16), MAX_WAIT_SECONDS)


class Lockout:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock

    def _read(self) -> tuple[int, float]:
        """(wrong passphrases in a row, when the last was). Whatever the file says, the count is
        bounded and the time is never later than now: a garbled or hostile file (2,000 failures,
        a time a day ahead) can make the worker wait the usual few minutes at most."""
        try:
            doc = json.loads(self.path.read_text())
            failures, last = int(doc["failures"]), float(doc["last_failure"])
        except (OSError, ValueError, KeyError, TypeError, OverflowError):
            return 0, 0.0
        now = self.clock()
        failures = max(0, min(failures, MAX_FAILURES))
        if not math.isfinite(last) or last > now:
            last = now                   # a time in the future is taken as now, and kept so
            with contextlib.suppress(OSError):      # (a read-only file still never crashes)
                self._write(failures, last)
        return failures, last

    def _write(self, failures: int, last: float) -> None:
        write_private(self.path, json.dumps(
            {"failures": failures, "last_failure": last}).encode())

    def remaining(self) -> float:
        failures, last = self._read()
        return max(0.0, last + wait_after(failures) - self.clock())

    def check(self) -> None:
        left = self.remaining()
        if left > 0:
            raise TooManyAttempts(left)

    def failed(self) -> float:
        """Record a wrong passphrase; returns how long the next try must wait."""
        failures, _ = self._read()
        failures = min(failures + 1, MAX_FAILURES)
        self._write(failures, self.clock())
        return wait_after(failures)

    def succeeded(self) -> None:
        self.path.unlink(missing_ok=True)
