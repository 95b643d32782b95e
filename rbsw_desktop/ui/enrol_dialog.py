"""Set up sync from inside the app (what `rbsw enrol` does, for laptops without the CLI): the
council system's address (prefilled from the IT policy's `gateway_url` when it has one) and the
one-time code business support gave the worker.

    dialog = EnrolDialog(taskman=taskman, parent=window)
    dialog.sig_enrolled.connect(...)        # the Enrolment; the token is in the keyring
    dialog.open()

The gateway is asked off the UI thread (the task manager's pool); the answer is written to the
keyring and the store on the store's own thread. Every failure is shown in plain words.
"""

from __future__ import annotations

import logging
import platform

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.security import keyring_access
from rbsw_desktop.sync.device import Enrolment, register_device, save_enrolment
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, plain_message

log = logging.getLogger(__name__)


def policy_gateway_url() -> str:
    """The IT policy's gateway address, or "" (a damaged policy is the policy's own problem)."""
    try:
        from rbsw_desktop.deployment import load_policy

        return load_policy().gateway_url or ""
    except Exception:  # noqa: BLE001 - the worker can still type the address
        log.warning("could not read the IT policy's gateway address")
        return ""


class EnrolDialog(QDialog):
    sig_enrolled = Signal(object)        # Enrolment

    def __init__(self, *, taskman: TaskManager, gateway_url: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.setWindowTitle("Set up sync with the council")
        intro = QLabel("Business support gives you a one-time code to set up this laptop. "
                       "Type it here with the council system's address.", wordWrap=True)
        self.url = QLineEdit(gateway_url if gateway_url is not None else policy_gateway_url())
        self.url.setAccessibleName("Council system address")
        self.url.setPlaceholderText("https://gateway.council.example")
        self.code = QLineEdit()
        self.code.setAccessibleName("Enrolment code")
        self.code.setPlaceholderText("ABCD-EFGH-JKLM")
        self.message = QLabel(objectName="error", wordWrap=True)
        self.message.setAccessibleName("Set-up message")
        form = QFormLayout()
        form.addRow("Council system &address", self.url)
        form.addRow("One-time &code", self.code)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.setup_button = self.buttons.addButton("&Set up sync",
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.setup_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        (self.code if self.url.text() else self.url).setFocus()

    @Slot()
    def submit(self) -> None:
        url, code = self.url.text().strip(), self.code.text().strip()
        if not url:
            self.message.setText("Please type the council system's address (IT support or "
                                 "business support can tell you it).")
            return
        if not code:
            self.message.setText("Please type the one-time code from business support.")
            return
        self._busy(True, "Contacting the council system…")
        name = platform.node() or "laptop"

        def register() -> Enrolment:
            keyring_access.require()          # before the one-time code is spent
            return register_device(url, code, name)
        self.taskman.run_in_pool(register, self._registered, self._failed)

    def _registered(self, enrolment: Enrolment) -> None:
        self.message.setText("Saving the set-up on this laptop…")
        StoreOp(self, lambda store: save_enrolment(store, enrolment), taskman=self.taskman
                ).success(lambda _none: self._saved(enrolment)).failure(self._failed
                                                                   ).run_in_background()

    def _saved(self, enrolment: Enrolment) -> None:
        self._busy(False, "")
        log.info("enrolled from the app")
        self.sig_enrolled.emit(enrolment)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy(False, plain_message(exc))
        self.code.selectAll()
        self.code.setFocus()

    def _busy(self, busy: bool, text: str) -> None:
        self.message.setText(text)
        for w in (self.url, self.code, self.setup_button):
            w.setEnabled(not busy)
