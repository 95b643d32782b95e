"""Unlock with the computer login: the data key in the real OS keyring (gnome-keyring in a
private D-Bus session, started by the test command) only where the IT policy allows it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rbsw_desktop.domain import Zone
from rbsw_desktop.errors import KeyringUnavailable
from rbsw_desktop.security import keyring_access
from rbsw_desktop.store import Store
from tests.conftest import PASSPHRASE

needs_real_keyring = pytest.mark.skipif(
    os.environ.get("RBSW_TEST_KEYRING") != "secret-service",
    reason="run through `python3 installers/dev.py test`, which starts a private keyring")


@pytest.fixture
def no_keyring():
    import keyring
    from keyring.backends import fail
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@needs_real_keyring
def test_the_kept_data_key_opens_the_store(store: Store, data_dir: Path, case) -> None:
    store.board.add(case.id, Zone.GREEN, "Nana helps after school")
    keyring_access.remember_data_key(data_dir, store.raw_key())
    store.lock()
    key = keyring_access.recall_data_key(data_dir)
    assert key is not None and len(key) == 32
    reopened = Store.open_with_key(data_dir, key)
    assert [i.text for i in reopened.board.items(case.id)] == ["Nana helps after school"]
    reopened.lock()
    keyring_access.forget_data_key(data_dir)
    assert keyring_access.recall_data_key(data_dir) is None


@needs_real_keyring
def test_a_policy_that_forbids_it_removes_the_kept_key(store: Store, data_dir: Path) -> None:
    keyring_access.remember_data_key(data_dir, store.raw_key())
    keyring_access.apply_keyring_policy(data_dir, allowed=True)
    assert keyring_access.recall_data_key(data_dir) == store.raw_key()
    keyring_access.apply_keyring_policy(data_dir, allowed=False)
    assert keyring_access.recall_data_key(data_dir) is None
    assert keyring_access.get_secret(data_dir, keyring_access.DATA_KEY) is None


def test_with_keyring_unlock_off_the_start_never_touches_the_keyring(
        data_dir: Path, monkeypatch) -> None:  # noqa: ANN001
    """The usual laptop: nothing was ever kept, so the start asks the keyring nothing (a locked
    keyring may stop to ask its own questions)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    asked: list[str] = []
    monkeypatch.setattr(keyring_access, "available", lambda: asked.append("available") or True)
    monkeypatch.setattr(keyring_access, "delete_secret", lambda *a: asked.append("delete"))
    keyring_access.apply_keyring_policy(data_dir, allowed=False)
    assert asked == []
    (data_dir / keyring_access.KEPT_MARKER).touch()           # a key was kept once
    keyring_access.apply_keyring_policy(data_dir, allowed=False)
    assert "delete" in asked and not (data_dir / keyring_access.KEPT_MARKER).exists()


@needs_real_keyring
def test_the_marker_says_only_whether_a_key_is_kept(store: Store, data_dir: Path) -> None:
    marker = data_dir / keyring_access.KEPT_MARKER
    keyring_access.remember_data_key(data_dir, store.raw_key())
    assert marker.exists() and marker.read_bytes() == b""    # nothing secret beside the store
    keyring_access.forget_data_key(data_dir)
    assert not marker.exists()


@needs_real_keyring
def test_a_damaged_kept_key_is_dropped(data_dir: Path) -> None:
    keyring_access.set_secret(data_dir, keyring_access.DATA_KEY, "not hex at all")
    assert keyring_access.recall_data_key(data_dir) is None
    assert keyring_access.get_secret(data_dir, keyring_access.DATA_KEY) is None


def test_no_keyring_is_a_plain_message_and_nothing_on_disk(tmp_path: Path, no_keyring) -> None:
    with pytest.raises(KeyringUnavailable, match="passphrase"):
        keyring_access.remember_data_key(tmp_path, bytes(32))
    assert keyring_access.recall_data_key(tmp_path) is None
    keyring_access.apply_keyring_policy(tmp_path, allowed=False)   # no crash
    assert list(tmp_path.iterdir()) == []


# -- the lock screen (pytest-qt) ---------------------------------------------------------------

def _lock_screen(qtbot, data_dir: Path, allowed: bool):  # noqa: ANN001, ANN202
    from rbsw_desktop.ui.lock_screen import LockScreen
    from rbsw_desktop.ui.taskman import TaskManager
    screen = LockScreen(taskman=TaskManager(), data_dir=data_dir, allow_keyring_unlock=allowed)
    qtbot.addWidget(screen)
    screen.show()
    return screen


def _lock(screen, store: Store) -> None:  # noqa: ANN001
    """Lock the store the screen opened on the thread that opened it, as the app does."""
    screen.taskman.store = store
    screen.taskman.close_store()


@needs_real_keyring
def test_the_worker_opts_in_and_the_next_start_opens_with_the_login(
        qtbot, store: Store, data_dir: Path, case) -> None:  # noqa: ANN001
    store.lock()
    screen = _lock_screen(qtbot, data_dir, allowed=True)
    qtbot.waitUntil(screen.remember.isEnabled)       # once the keyring answered
    assert screen.remember.isVisible() and not screen.remember.isChecked()
    qtbot.mouseClick(screen.remember, _left())
    assert screen.remember.isChecked()
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    with qtbot.waitSignal(screen.sig_unlocked, timeout=10_000) as opened:
        qtbot.mouseClick(screen.button, _left())
    _lock(screen, opened.args[0])
    screen.taskman.wait()                            # the key is kept in the pool
    assert keyring_access.recall_data_key(data_dir) is not None

    # The next start: no passphrase typed, the login's keyring opens the store.
    again = _lock_screen(qtbot, data_dir, allowed=True)
    with qtbot.waitSignal(again.sig_unlocked, timeout=10_000) as reopened:
        pass
    seen: list = []
    again.taskman.store = reopened.args[0]
    again.taskman.run_on_store(lambda s: s.cases.get(case.id).family_name, seen.append, seen.append)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen[0] == "The Fictional family"
    _lock(again, reopened.args[0])
    assert again.passphrase.text() == "" and again.remember.isChecked()

    # IT withdraws it: the kept key goes, and the passphrase is asked.
    forbidden = _lock_screen(qtbot, data_dir, allowed=False)
    assert not forbidden.remember.isVisible()
    forbidden.taskman.wait()
    assert keyring_access.recall_data_key(data_dir) is None
    with qtbot.assertNotEmitted(forbidden.sig_unlocked, wait=300):
        pass


@needs_real_keyring
def test_unticking_removes_the_kept_key(qtbot, store: Store, data_dir: Path) -> None:  # noqa: ANN001
    keyring_access.remember_data_key(data_dir, store.raw_key())
    store.lock()
    screen = _lock_screen(qtbot, data_dir, allowed=True)
    with qtbot.waitSignal(screen.sig_unlocked, timeout=10_000) as opened:
        pass
    _lock(screen, opened.args[0])
    assert screen.remember.isChecked()
    qtbot.mouseClick(screen.remember, _left())
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    with qtbot.waitSignal(screen.sig_unlocked, timeout=10_000) as opened:
        qtbot.mouseClick(screen.button, _left())
    _lock(screen, opened.args[0])
    screen.taskman.wait()
    assert keyring_access.recall_data_key(data_dir) is None


@needs_real_keyring
def test_a_kept_key_that_no_longer_fits_asks_for_the_passphrase(
        qtbot, store: Store, data_dir: Path) -> None:  # noqa: ANN001
    store.lock()
    keyring_access.remember_data_key(data_dir, bytes(range(32)))   # not this store's key
    screen = _lock_screen(qtbot, data_dir, allowed=True)
    qtbot.waitUntil(lambda: "Type your passphrase" in screen.error.text(), timeout=10_000)
    assert screen.isEnabled() and not screen.remember.isChecked()
    screen.taskman.wait()
    assert keyring_access.recall_data_key(data_dir) is None


def test_no_keyring_on_the_lock_screen_says_so_and_the_passphrase_works(
        qtbot, store: Store, data_dir: Path, no_keyring) -> None:  # noqa: ANN001
    store.lock()
    screen = _lock_screen(qtbot, data_dir, allowed=True)
    qtbot.waitUntil(screen.keyring_note.isVisible)   # once the keyring was asked
    assert not screen.remember.isEnabled() and "passphrase" in screen.keyring_note.text()
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    with qtbot.waitSignal(screen.sig_unlocked, timeout=10_000) as opened:
        qtbot.mouseClick(screen.button, _left())
    _lock(screen, opened.args[0])
    assert list(data_dir.glob("*key*")) == [data_dir / "keyfile.json"]


@needs_real_keyring
def test_the_lock_screen_asks_the_keyring_off_the_ui_thread(
        qtbot, store: Store, data_dir: Path, monkeypatch) -> None:  # noqa: ANN001
    """The keyring is a D-Bus call that may wait (a locked keyring asks its own questions):
    the lock screen reads it in the pool, never on the UI thread, and the kept key opens."""
    import threading

    import keyring
    keyring_access.remember_data_key(data_dir, store.raw_key())
    store.lock()
    backend = type(keyring.get_keyring())
    asked_on: list[threading.Thread] = []
    read = backend.get_password

    def reading(self, *args):  # noqa: ANN001, ANN002, ANN202 - the real read, watched
        asked_on.append(threading.current_thread())
        return read(self, *args)
    monkeypatch.setattr(backend, "get_password", reading)
    screen = _lock_screen(qtbot, data_dir, allowed=True)
    with qtbot.waitSignal(screen.sig_unlocked, timeout=10_000) as opened:
        pass
    _lock(screen, opened.args[0])
    assert asked_on and threading.main_thread() not in asked_on


def _left():  # noqa: ANN202
    from PySide6.QtCore import Qt
    return Qt.MouseButton.LeftButton


@needs_real_keyring
def test_a_wipe_takes_the_kept_key_too(store: Store, data_dir: Path) -> None:
    """A revoked (or lost) laptop keeps no way back in: the login-unlock key goes with the store."""
    from rbsw_desktop.security.wipe import wipe_store
    keyring_access.remember_data_key(data_dir, store.raw_key())
    wipe_store(store)
    assert keyring_access.recall_data_key(data_dir) is None
    assert not (data_dir / "store.db").exists()
    assert not (data_dir / keyring_access.KEPT_MARKER).exists()
