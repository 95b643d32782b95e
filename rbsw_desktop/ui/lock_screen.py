"""The lock screen: set a passphrase on first run, unlock afterwards.

The key derivation (Argon2id, about half a second) runs off the UI thread; wrong passphrases
and the growing wait are said in plain words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.security.keys import MIN_PASSPHRASE
from rbsw_desktop.store import Store, store_exists
from rbsw_desktop.ui import style
from rbsw_desktop.ui.taskman import TaskManager, plain_message


class LockScreen(QWidget):
    """Emits `sig_unlocked(store)` once the passphrase opens (or creates) the store."""

    sig_unlocked = Signal(object)

    def __init__(self, *, taskman: TaskManager, data_dir: Path, demo_passphrase: str = "",
                 store_factory: Callable[[Path, str], Store] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.taskman = taskman
        self.data_dir = data_dir
        self.store_factory = store_factory or (lambda d, p: Store.create(d, p))
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
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.setAccessibleName("Unlock message")
        self.demo_note = QLabel(objectName="hint", wordWrap=True)
        self.demo_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("&Passphrase", self.passphrase)
        self.confirm_label = QLabel("Passphrase &again")
        self.confirm_label.setBuddy(self.confirm)
        form.addRow(self.confirm_label, self.confirm)

        box = QWidget()
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        for w in (self.title, self.hint):
            inner.addWidget(w)
        inner.addLayout(form)
        inner.addWidget(self.button)
        inner.addWidget(self.error)
        inner.addWidget(self.demo_note)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

        if demo_passphrase:
            self.demo_note.setText("This is the fictional demo store. Its passphrase is: "
                                   f"{demo_passphrase}")
        self.demo_note.setVisible(bool(demo_passphrase))
        self.button.clicked.connect(self.submit)
        self.passphrase.returnPressed.connect(self.submit)
        self.confirm.returnPressed.connect(self.submit)
        self.refresh()

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
            return factory(data_dir, text) if creating else Store.unlock(data_dir, text)
        self.taskman.run_in_pool(open_store, self._opened, self._refused)

    def _opened(self, store: Store) -> None:
        self.passphrase.clear()
        self.confirm.clear()
        self.error.clear()
        self.setEnabled(True)
        self.sig_unlocked.emit(store)

    def _refused(self, exc: BaseException) -> None:
        self.setEnabled(True)
        self.error.setText(plain_message(exc))
        self.passphrase.selectAll()
        self.passphrase.setFocus()
