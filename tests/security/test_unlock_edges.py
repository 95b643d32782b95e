"""The unlock's edges, driven through the real unlock (the `rbsw` command and the real lock screen
typed into with qtbot) on a real SQLCipher store: a garbled or hostile `unlock-attempts.json`
never locks the worker out for long nor crashes the unlock; a `keyfile.json` asking for a KDF
no real key file has (4 GiB, t=64) is refused as damaged before the KDF runs; a changed cipher
name is "damaged", never "wrong passphrase", and is no failed attempt."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from rbsw_desktop.errors import TooManyAttempts
from rbsw_desktop.security.keys import DEFAULT_PARAMS, _canonical
from rbsw_desktop.security.lockout import MAX_WAIT_SECONDS
from rbsw_desktop.store import Store
from tests.conftest import FAST_KDF, PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400.0
UNEXPECTED = "something went wrong"


def rbsw(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RBSW_PASSPHRASE=PASSPHRASE, RBSW_TEST_FAST_KDF="1",
               PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "rbsw_desktop.cli", "--data-dir",
                           str(data_dir), *args], capture_output=True, text=True, env=env,
                          timeout=120, stdin=subprocess.DEVNULL, cwd=ROOT)


@pytest.fixture(autouse=True)
def _logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBSW_LOG_DIR", str(tmp_path / "logs"))


@pytest.fixture
def locked(data_dir: Path) -> Path:
    Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF).lock()
    return data_dir


def _attempts(data_dir: Path, text: str) -> None:
    (data_dir / "unlock-attempts.json").write_text(text)


def _rewrite_keyfile(data_dir: Path, **changes: Any) -> None:
    """Change the key file as a hostile (or careful) hand would: with a valid checksum."""
    path = data_dir / "keyfile.json"
    doc = json.loads(path.read_text())
    for name, value in changes.items():
        if name == "cipher":
            doc[name] = value
        else:
            doc["kdf"][name] = value
    body = {k: v for k, v in doc.items() if k != "checksum"}
    doc["checksum"] = hashlib.sha256(_canonical(body)).hexdigest()
    path.write_text(json.dumps(doc, indent=1))


# -- unlock-attempts.json --------------------------------------------------------------------

HOSTILE = {
    "2,000 failures, a day ahead": lambda now: json.dumps(
        {"failures": 2000, "last_failure": now + DAY}),
    "a count beyond any float": lambda now: '{"failures": 1e999, "last_failure": 0}',
    "a time of Infinity": lambda now: '{"failures": 50, "last_failure": Infinity}',
    "a time of NaN": lambda now: '{"failures": 50, "last_failure": NaN}',
    "a huge count": lambda now: json.dumps({"failures": 10**400, "last_failure": now}),
    "not an object": lambda now: "[1, 2, 3]",
    "not JSON": lambda now: "\x00\xff garbled",
}


@pytest.mark.parametrize("garble", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_garbled_attempts_file_never_crashes_nor_locks_out_for_long(
        locked: Path, garble: Any) -> None:
    _attempts(locked, garble(time.time()))
    done = rbsw(locked, "cases", "--json")
    assert UNEXPECTED not in done.stderr.lower(), done.stderr
    if done.returncode == 0:
        assert json.loads(done.stdout) == []
        return
    assert done.returncode == 1 and "Too many wrong passphrases" in done.stderr, done.stderr
    wait = float(done.stderr.split("wait ")[1].split(" seconds")[0])
    assert 0 < wait <= MAX_WAIT_SECONDS


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_time_a_day_ahead_is_taken_as_now_and_the_wait_ends(locked: Path) -> None:
    clock = Clock()
    _attempts(locked, json.dumps({"failures": 2000, "last_failure": clock.now + DAY}))
    with pytest.raises(TooManyAttempts) as caught:
        Store.unlock(locked, PASSPHRASE, clock=clock)
    assert caught.value.wait_seconds <= MAX_WAIT_SECONDS
    saved = json.loads((locked / "unlock-attempts.json").read_text())
    assert saved["last_failure"] <= clock.now and saved["failures"] <= 100
    clock.now += MAX_WAIT_SECONDS + 0.1        # the usual wait, not a day
    Store.unlock(locked, PASSPHRASE, clock=clock).lock()
    assert not (locked / "unlock-attempts.json").exists()


def test_the_lock_screen_says_how_long_to_wait_after_a_hostile_attempts_file(
        qtbot: Any, locked: Path) -> None:
    _attempts(locked, json.dumps({"failures": 2000, "last_failure": time.time() + DAY}))
    screen = _type_passphrase(qtbot, locked)
    text = screen.error.text()
    assert text.startswith("Too many wrong passphrases. Please wait "), text
    assert float(text.split("wait ")[1].split(" seconds")[0]) <= MAX_WAIT_SECONDS


# -- keyfile.json ----------------------------------------------------------------------------

BEYOND = {
    "4 GiB and t=64": {"memory_kib": 4_194_304, "time_cost": 64},
    "t=11": {"time_cost": 11},
    "17 lanes": {"parallelism": 17},
    "9 lanes": {"parallelism": 9},
}


@pytest.mark.parametrize("settings", BEYOND.values(), ids=BEYOND.keys())
def test_a_keyfile_asking_for_a_kdf_we_never_write_is_damaged_before_the_kdf_runs(
        locked: Path, settings: dict[str, int]) -> None:
    _rewrite_keyfile(locked, **settings)
    started = time.monotonic()
    done = rbsw(locked, "cases")
    assert time.monotonic() - started < 20          # no minutes-long, gigabytes-big KDF
    assert done.returncode == 1
    assert "settings this app never writes" in done.stderr, done.stderr
    assert not (locked / "unlock-attempts.json").exists()     # not a failed attempt


def test_the_settings_we_write_are_within_the_bounds() -> None:
    DEFAULT_PARAMS.check()
    FAST_KDF.check()


def test_a_changed_cipher_name_is_damaged_not_a_wrong_passphrase(locked: Path) -> None:
    _rewrite_keyfile(locked, cipher="aes-128-cbc")
    for _ in range(5):                               # more than the free attempts
        done = rbsw(locked, "cases")
        assert done.returncode == 1
        assert "damaged or has been changed" in done.stderr, done.stderr
        assert "not right" not in done.stderr and "wait" not in done.stderr
    assert not (locked / "unlock-attempts.json").exists()


def test_the_lock_screen_calls_a_changed_cipher_damaged(qtbot: Any, locked: Path) -> None:
    _rewrite_keyfile(locked, cipher="chacha20")
    screen = _type_passphrase(qtbot, locked)
    assert "damaged or has been changed" in screen.error.text()
    assert not (locked / "unlock-attempts.json").exists()


def _type_passphrase(qtbot: Any, data_dir: Path) -> Any:
    from PySide6.QtCore import Qt

    from rbsw_desktop.ui.lock_screen import LockScreen
    from rbsw_desktop.ui.taskman import TaskManager
    taskman = TaskManager()                         # the real pool thread, as in the app
    screen = LockScreen(taskman=taskman, data_dir=data_dir, allow_keyring_unlock=False)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.isEnabled() and screen.error.text() not in ("", "Unlocking…"),
                    timeout=20_000)
    taskman.shutdown()
    return screen
