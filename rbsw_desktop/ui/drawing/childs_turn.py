"""The child's turn: the worker hands the laptop over. Full screen, large buttons, simple words,
and only the activity's own sheet and words: nothing else of the case or of any other child.

It is an application-modal window, so the main window's shortcuts and menus do nothing while it
shows (Qt does not deliver them behind a modal window); closing it, or Esc, asks for the worker's
passphrase, checked on the store thread exactly as an unlock checks it (`Store.check_passphrase`,
with the same growing wait after wrong ones). The idle lock still applies: the app's lock ends
the child's turn (the direct-work tab saves first) and shows the lock screen as usual.

Prompts are read aloud with Qt's text-to-speech where the laptop has it and a voice; otherwise
there is no "Read it to me" button at all.
"""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.ui import style
from rbsw_desktop.ui.drawing.sheet import MIN_HEIGHT, DrawingSheet
from rbsw_desktop.ui.drawing.toolbox import SIDE
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, plain_message

BIG_SIDE = 68          # a button a child can hit; the tools in two rows fit 1024 px


def speech_engine() -> Any | None:
    """Qt's text-to-speech with at least one voice, or None (no module, no voice)."""
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech
    except ImportError:
        return None
    engine = QTextToSpeech()
    return engine if engine.availableVoices() else None


class ChildsTurn(QWidget):
    """Takes the tab's sheet while it shows; `sig_ended(sheet)` gives it back."""

    sig_ended = Signal(QWidget)

    def __init__(self, sheet: QWidget, words: dict[str, QPlainTextEdit], *,
                 taskman: TaskManager, title: str, parent: QWidget) -> None:
        # A window of its own, but the tab's child: it goes with the tab (say the council
        # signs the laptop out while it shows).
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("page")
        self.setWindowTitle("Your turn")
        self.setAccessibleName("The child's turn")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.taskman = taskman
        self.sheet = cast(DrawingSheet, sheet)
        self.words = words              # the tab's words boxes, by prompt
        self._ending = False
        big = style.scaled_font(self.font(), 1.6, bold=True)
        body = style.scaled_font(self.font(), 1.3)

        self.heading = QLabel(objectName="title", wordWrap=True)
        self.heading.setFont(big)
        self.heading.setAccessibleName("What to draw")
        self.read_aloud: QPushButton | None = None
        self.speech = speech_engine()
        self.done_button = QPushButton("I've finished")
        self.done_button.setFont(body)
        self.done_button.setMinimumHeight(BIG_SIDE)
        self.done_button.clicked.connect(self.ask_passphrase)
        # The child's words for this drawing area, shown when they choose to write.
        self.writing = QPlainTextEdit(placeholderText="Write it here", tabChangesFocus=True)
        self.writing.setFont(body)
        self.writing.setMaximumHeight(110)
        self.writing.setAccessibleName("Words")
        self.writing.textChanged.connect(self._wrote)
        self.write_button = QPushButton("Write words", checkable=True)
        self.write_button.setFont(body)
        self.write_button.setMinimumHeight(BIG_SIDE)
        self.write_button.toggled.connect(self._show_writing)

        top = QHBoxLayout()
        top.addWidget(QLabel(title, font=body))
        top.addWidget(self.heading, 1)
        if self.speech is not None:
            self.read_aloud = QPushButton("Read it to me")
            self.read_aloud.setFont(body)
            self.read_aloud.setMinimumHeight(BIG_SIDE)
            self.read_aloud.clicked.connect(lambda: self.speech.say(self.prompt))
            top.addWidget(self.read_aloud)
        top.addWidget(self.write_button)
        top.addWidget(self.done_button)

        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Worker's passphrase")
        self.passphrase.setFont(body)
        self.passphrase.returnPressed.connect(self._check)
        self.back_button = QPushButton("Back to the worker", objectName="primary")
        self.back_button.clicked.connect(self._check)
        self.keep_button = QPushButton("Keep drawing")
        self.keep_button.clicked.connect(self._keep_going)
        self.message = QLabel(objectName="error", wordWrap=True)
        self.message.setAccessibleName("Passphrase message")
        self.leave_panel = QWidget()
        leave = QHBoxLayout(self.leave_panel)
        leave.addWidget(QLabel("For the worker: type your passphrase", font=body))
        leave.addWidget(self.passphrase, 1)
        leave.addWidget(self.back_button)
        leave.addWidget(self.keep_button)
        leave.addWidget(self.message, 1)
        self.leave_panel.hide()

        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(top)
        self.layout_.addWidget(sheet, 1)
        self.layout_.addWidget(self.writing)      # when the child chooses to write
        self.layout_.addWidget(self.leave_panel)
        self.setFont(body)                      # the sheet's tabs and buttons too, while here
        self.sheet.toolbox.set_button_side(BIG_SIDE)
        self.sheet.setMinimumHeight(0)          # all of it fits a small screen (1024x600)
        self.sheet.areas.currentChanged.connect(lambda _i: self._show_area())
        self._show_area()

    @property
    def prompt(self) -> str:
        return self.sheet.current.name

    def begin(self) -> None:
        self.showFullScreen()
        self.activateWindow()
        self.sheet.current.setFocus()

    def _show_area(self) -> None:
        self.heading.setText(self.prompt)
        box = self.words.get(self.prompt)
        self.writing.blockSignals(True)
        self.writing.setPlainText(box.toPlainText() if box is not None else "")
        self.writing.blockSignals(False)
        self.write_button.setChecked(bool(self.writing.toPlainText()))
        self._show_writing(self.write_button.isChecked())

    def _show_writing(self, on: bool) -> None:
        self.writing.setVisible(on)
        if on:
            self.writing.setFocus()

    def _wrote(self) -> None:
        box = self.words.get(self.prompt)
        if box is not None:                   # into the tab's box: its autosave keeps it
            box.setPlainText(self.writing.toPlainText())

    # -- leaving ------------------------------------------------------------------------------

    def ask_passphrase(self) -> None:
        self.leave_panel.show()
        self.message.clear()
        self.passphrase.setFocus()

    def _keep_going(self) -> None:
        self.passphrase.clear()
        self.leave_panel.hide()
        self.sheet.current.setFocus()

    def _check(self) -> None:
        text = self.passphrase.text()
        if not text:
            self.message.setText("Please type your passphrase.")
            return
        self.message.setText("Checking…")
        self.back_button.setEnabled(False)
        StoreOp(self, lambda store: store.check_passphrase(text), taskman=self.taskman
                ).success(lambda _r: self.end()).failure(self._refused).run_in_background()

    def _refused(self, exc: BaseException) -> None:
        self.back_button.setEnabled(True)
        self.message.setText(plain_message(exc))
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def end(self) -> None:
        """Give the sheet back and close (the passphrase was right, or the app is locking)."""
        if self._ending:
            return
        self._ending = True
        self.passphrase.clear()
        self.sheet.toolbox.set_button_side(SIDE)
        self.sheet.setMinimumHeight(MIN_HEIGHT)
        self.layout_.removeWidget(self.sheet)
        self.sig_ended.emit(self.sheet)
        self.close()
        self.deleteLater()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.ask_passphrase()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._ending:
            super().closeEvent(event)
            return
        event.ignore()                  # only the worker's passphrase ends it
        self.ask_passphrase()
