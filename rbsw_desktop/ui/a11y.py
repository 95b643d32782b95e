"""What a screen reader hears: status words that change (a save, a wrong passphrase, sync, a
board move) are read as the words themselves, never as a fixed name.

    self.status = StatusLabel("Save status", objectName="hint")
    self.status.setText("Saved 07:09")          # its accessible name is now "Saved 07:09"
    self.status.announce("That passphrase is not right")   # ... and it is read out at once

A `StatusLabel`'s accessible name is its text (Qt tells the screen reader the name changed);
what the label is for ("Save status") is its accessible description. `announce` also sends an
announcement (Qt 6.8 and later; an Alert event before), for the changes a worker must hear
without looking: a wrong passphrase, a save, a sync that failed, a board move.

`tab_into(before, part)`: Tab goes from `before` into a part built after the screen around it
(Qt puts a new part's controls last in Tab order), through the part's controls in their order;
`control_before(widget)` is the control Tab reaches just before it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QSplitterHandle,
    QToolButton,
    QWidget,
)


class StatusLabel(QLabel):
    def __init__(self, purpose: str, text: str = "", *, parent: QWidget | None = None,
                 **options: Any) -> None:
        super().__init__(text, parent, **options)
        self.setAccessibleDescription(purpose)
        self.setAccessibleName(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setAccessibleName(text)       # (Qt sends NameChanged)

    def clear(self) -> None:
        self.setText("")

    def announce(self, text: str) -> None:
        """Show `text` and have a screen reader say it now."""
        self.setText(text)
        if text:
            announce(self, text)


def announce(widget: QWidget, text: str) -> None:
    """Have a screen reader say `text` now, on behalf of `widget`."""
    try:
        from PySide6.QtGui import QAccessibleAnnouncementEvent
    except ImportError:              # Qt before 6.8: an Alert, read with the widget's name
        QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.Alert))
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    QAccessible.updateAccessibility(event)


def tab_into(before: QWidget, part: QWidget) -> None:
    """Tab goes from `before` into `part`'s controls, in their own order, then on as before."""
    controls, widget = [part], before.nextInFocusChain()
    while widget is not None and widget is not before:    # (the chain goes round the window)
        if part.isAncestorOf(widget):
            controls.append(widget)
        widget = widget.nextInFocusChain()
    controls = [w for w in controls if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
    for first, second in zip([before, *controls], controls, strict=False):
        QWidget.setTabOrder(first, second)


def control_before(widget: QWidget) -> QWidget:
    """The control Tab reaches just before `widget`."""
    before = widget.previousInFocusChain()
    while before is not None and before is not widget \
            and before.focusPolicy() == Qt.FocusPolicy.NoFocus:
        before = before.previousInFocusChain()
    return before or widget


def name_parts(root: QWidget) -> None:
    """Names for the parts Qt builds inside a screen's controls, which have none of their own:
    a splitter's handles, a search box's clear button, a drop-down's list of choices.
    Called once a screen (or a tab of it) is built; a part named already is left."""
    for widget in root.findChildren(QWidget):
        owner = widget.parentWidget()
        if isinstance(widget, QComboBox):
            widget, name = widget.view(), f"Choices: {widget.accessibleName()}"
        elif isinstance(widget, QSplitterHandle) and owner is not None:
            name = f"Resize: {owner.accessibleName()}"
        elif isinstance(widget, QToolButton) and isinstance(owner, QLineEdit):
            name = f"Clear {owner.accessibleName().lower()}"
        else:
            continue
        if not widget.accessibleName():
            widget.setAccessibleName(name)
