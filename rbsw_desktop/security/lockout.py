"""Failed-attempt back-off for unlocking: after a few wrong passphrases, a growing wait.

The state file holds two numbers and no secret. It guards the lock screen against someone
guessing at the keyboard; the key file's Argon2id cost guards against guessing offline.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from rbsw_desktop.errors import TooManyAttempts
from rbsw_desktop.security.keys import write_private

FREE_ATTEMPTS = 3
MAX_WAIT_SECONDS = 300.0


def wait_after(failures: int) -> float:
    """Seconds to wait after `failures` wrong passphrases in a row: 0, 0, 0, 5, 10, 20 ... 300."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(5.0 * 2 ** (failures - FREE_ATTEMPTS), MAX_WAIT_SECONDS)


class Lockout:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock

    def _read(self) -> tuple[int, float]:
        try:
            doc = json.loads(self.path.read_text())
            return int(doc["failures"]), float(doc["last_failure"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0.0

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
        failures += 1
        write_private(self.path, json.dumps(
            {"failures": failures, "last_failure": self.clock()}).encode())
        return wait_after(failures)

    def succeeded(self) -> None:
        self.path.unlink(missing_ok=True)
