"""The lock screen: set a passphrase on first run, unlock afterwards.

The key derivation (Argon2id, about half a second) runs off the UI thread; wrong passphrases
and the growing wait are said in plain words.

Unlock with the computer login: where the IT policy allows it (`allow_keyring_unlock`), the
worker may tick "Unlock with my computer login"; their next passphrase unlock keeps the data key
in the OS keyring, and at the next start of the app it opens from there with no passphrase.
Only at start: a lock (Ctrl+L or the idle time) always asks for the passphrase. Unticking it,
or a policy that does not allow it, removes the kept key. No keyring: a plain note, and the
passphrase as always.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.paths import store_exists
from rbsw_desktop.security import keyring_access
from rbsw_desktop.ui import style
from rbsw_desktop.ui.a11y import StatusLabel
from rbsw_desktop.ui.taskman import TaskManager, plain_message

if TYPE_CHECKING:
    from rbsw_desktop.store import Store


BOX_WIDTH = 520          # the lock screen's words and fields


def store_class() -> type[Store]:
    """The store, imported when it is first opened (on the store thread): the lock screen
    shows before the store's code is loaded."""
    from rbsw_desktop.store import Store
    return Store


class LockScreen(QWidget):
    """Emits `sig_unlocked(store)` once the passphrase opens (or creates) the store."""

    sig_unlocked = Signal(object)

    def __init__(self, *, taskman: TaskManager, data_dir: Path, demo_passphrase: str = "",
                 store_factory: Callable[[Path, str], Store] | None = None,
                 allow_keyring_unlock: bool | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.taskman = taskman
        self.data_dir = data_dir
        self.store_factory = store_factory or (lambda d, p: store_class().create(d, p))
        self.creating = not store_exists(data_dir)

        self.title = QLabel(objectName="title")
        self.title.setFont(style.scaled_font(self.font(), 1.6, bold=True))
        self.hint = QLabel(objectName="hint", wordWrap=True)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.confirm = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName("Passphrase again")
        self.button = QPushButton(objectName="primary")
        self.button.setDefault(True)
        self.error = StatusLabel("Unlock message", objectName="error", wordWrap=True)
        self.demo_note = QLabel(objectName="hint", wordWrap=True)
        self.demo_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.remember = QCheckBox("Unlock with my computer &login when rbsw-desktop starts")
        self.remember.setAccessibleName("Unlock with my computer login")
        self.keyring_note = QLabel(objectName="hint", wordWrap=True)

        form = QFormLayout()
        form.addRow("&Passphrase", self.passphrase)
        self.confirm_label = QLabel("Passphrase &again")
        self.confirm_label.setBuddy(self.confirm)
        form.addRow(self.confirm_label, self.confirm)

        box = QWidget()
        box.setFixedWidth(BOX_WIDTH)
        inner = QVBoxLayout(box)
        for w in (self.title, self.hint):
            inner.addWidget(w)
        inner.addLayout(form)
        inner.addWidget(self.remember)
        inner.addWidget(self.keyring_note)
        inner.addWidget(self.button)
        inner.addWidget(self.error)
        inner.addWidget(self.demo_note)
        # One width, centred by stretches: the height its wrapped words need is worked out
        # at the width they get (aligned, or wider than they may be, the box was given the
        # height of fewer lines and its words and fields were squashed into it).
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(box)
        middle.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)

        if demo_passphrase:
            self.demo_note.setText("This is the fictional demo store. Its passphrase is: "
                                   f"{demo_passphrase}")
        self.demo_note.setVisible(bool(demo_passphrase))
        self.button.clicked.connect(self.submit)
        self.passphrase.returnPressed.connect(self.submit)
        self.confirm.returnPressed.connect(self.submit)
        self.refresh()
        self._setup_keyring_unlock(allow_keyring_unlock)

    # -- unlock with the computer login --------------------------------------------------------

    def _setup_keyring_unlock(self, allowed: bool | None) -> None:
        """What the keyring holds is read in the task manager's pool (the keyring is a D-Bus
        call that may wait for its own questions), never on the UI thread; the tick box is
        ready once it answers, and a kept data key opens the store (once, at start)."""
        if allowed is None:
            from rbsw_desktop.deployment import load_policy
            allowed = load_policy().allow_keyring_unlock
        self.keyring_allowed = bool(allowed)
        self.keyring_usable = False
        self.remember.setVisible(self.keyring_allowed)
        self.remember.setEnabled(False)
        self.keyring_note.setVisible(False)
        data_dir, allowed, at_start = self.data_dir, self.keyring_allowed, not self.creating

        def read() -> tuple[bool, bytes | None]:
            keyring_access.apply_keyring_policy(data_dir, allowed)
            usable = allowed and keyring_access.available()
            return usable, keyring_access.recall_data_key(data_dir) if usable else None
        self.taskman.run_in_pool(read, lambda found: self._keyring_read(*found, at_start),
                                 lambda _exc: self._keyring_read(False, None, False))

    def _keyring_read(self, usable: bool, key: bytes | None, at_start: bool) -> None:
        self.keyring_usable = usable
        self.remember.setEnabled(usable)
        self.remember.setChecked(key is not None)
        self.keyring_note.setText(keyring_access.NO_BACKEND
                                  if self.keyring_allowed and not usable else "")
        self.keyring_note.setVisible(bool(self.keyring_note.text()))
        if key is not None and at_start and self.keyring_allowed and not self.creating:
            self._unlock_with_key(key)

    def _unlock_with_key(self, key: bytes) -> None:
        """Open the store with the data key kept in the keyring."""
        self.error.setText("Unlocking with your computer login…")
        self.setEnabled(False)
        data_dir = self.data_dir
        self.taskman.run_on_store_thread(lambda: store_class().open_with_key(data_dir, key),
                                         self._opened, self._keyring_refused)

    def _keyring_refused(self, exc: BaseException) -> None:
        data_dir = self.data_dir                          # it no longer fits this store
        self.taskman.run_in_pool(lambda: keyring_access.forget_data_key(data_dir),
                                 lambda _none: None, lambda _exc: None)
        self.remember.setChecked(False)
        self.setEnabled(True)
        self.error.setText("Your computer login could not unlock rbsw-desktop this time. "
                           "Type your passphrase.")
        self.passphrase.setFocus()

    def _keep_or_forget_key(self, store: Store) -> None:
        """After a passphrase unlock, in the pool: keep the data key in the keyring (ticked)
        or remove it (not ticked)."""
        if not self.keyring_usable:
            return
        data_dir, key, keep = self.data_dir, store.raw_key(), self.remember.isChecked()

        def write() -> None:
            if keep:
                keyring_access.remember_data_key(data_dir, key)
            else:
                keyring_access.forget_data_key(data_dir)
        self.taskman.run_in_pool(write, lambda _none: None, self._keyring_write_failed)

    def _keyring_write_failed(self, exc: BaseException) -> None:
        self.keyring_note.setText(plain_message(exc))
        self.keyring_note.setVisible(True)
        self.remember.setChecked(False)

    def refresh(self) -> None:
        self.creating = not store_exists(self.data_dir)
        self.confirm.setVisible(self.creating)
        self.confirm_label.setVisible(self.creating)
        if self.creating and self.demo_note.text():
            self.title.setText("The fictional demo")
            self.hint.setText("Press Create to make a store of made-up families to try the app "
                              "with. Nothing in it is real.")
            self.button.setText("&Create the demo store")
        elif self.creating:
            from rbsw_desktop.security.keys import MIN_PASSPHRASE  # (only here: first start)
            self.title.setText("Welcome to rbsw-desktop")
            self.hint.setText("Choose a passphrase of at least "
                              f"{MIN_PASSPHRASE} characters. Everything on this laptop is "
                              "encrypted with it. A short sentence you will remember works well.")
            self.button.setText("&Create my store")
        else:
            self.title.setText("rbsw-desktop is locked")
            self.hint.setText("Type your passphrase to unlock. Your work was saved before "
                              "locking.")
            self.button.setText("&Unlock")
        self.button.setAccessibleName(self.button.text().replace("&", ""))

    def reset(self) -> None:
        self.passphrase.clear()
        self.confirm.clear()
        self.error.clear()
        self.setEnabled(True)
        self.refresh()
        self.passphrase.setFocus()

    def submit(self) -> None:
        text = self.passphrase.text()
        if not text:
            self.error.setText("Please type your passphrase.")
            return
        if self.creating and text != self.confirm.text():
            self.error.setText("The two passphrases are not the same. Please type them again.")
            return
        self.error.setText("Creating your encrypted store…" if self.creating else "Unlocking…")
        self.setEnabled(False)
        data_dir, creating, factory = self.data_dir, self.creating, self.store_factory

        def open_store() -> Store:
            return factory(data_dir, text) if creating else store_class().unlock(data_dir, text)
        self.taskman.run_on_store_thread(open_store, self._opened, self._refused)

    def _opened(self, store: Store) -> None:
        if self.passphrase.text():          # a passphrase unlock: keep or drop the login key
            self._keep_or_forget_key(store)
        self.passphrase.clear()
        self.confirm.clear()
        self.error.clear()
        self.setEnabled(True)
        self.sig_unlocked.emit(store)

    def _refused(self, exc: BaseException) -> None:
        self.setEnabled(True)
        self.error.announce(plain_message(exc))
        self.passphrase.selectAll()
        self.passphrase.setFocus()
