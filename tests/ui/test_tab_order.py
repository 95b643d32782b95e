"""Keyboard only: on every screen, and in each dialog it opens, Tab goes from the first control
round to it again through every control a person can use, in reading order, and no control
keeps Tab to itself.

Reading order: top to bottom, then left to right within a row (a few pixels' tolerance); a
block (a scroll area's contents, a side panel, a group) is read whole before the next block,
and a column is read before the column to its right (the genogram's two tables).

A date takes Tab through its parts and a map through its people, then lets it go. Tab stops at
one button of a group where one is chosen (a colour, a pen) and arrows choose within it, as in
every toolkit. A long text box passes Tab on (tabChangesFocus). A table or list lets Tab leave at
once and its arrows move within it: Qt's own tables keep Tab cell by cell, round and round, and
let not even Ctrl+Tab out, a trap for a keyboard user (the maps' tables were made so already).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from rbsw_desktop.ui.main_window import MainWindow
from rbsw_desktop.ui.taskman import TaskManager
from tests.ui.screen_walk import walk
from tests.ui.test_app_shell import demo_window

TOLERANCE = 6           # pixels: controls this close in height sit on one row
PRESSES = 600           # Tab presses before a screen is called a trap
STEPS = 12              # Tab steps within one control (a date's day, month, year, hour, minute;
                        # a map's people) before it is called a trap


@pytest.fixture
def window(qtbot, qapp, tmp_path: Path):
    win = demo_window(qtbot, tmp_path, TaskManager(synchronous=True))
    win.resize(QSize(1366, 768))
    yield win
    win.lock()


def control(widget: QWidget) -> QWidget:
    """The control a person sees: a date's or a combo box's own text is part of it."""
    parent = widget.parentWidget()
    return parent if isinstance(parent, QAbstractSpinBox | QComboBox) else widget


def name(widget: QWidget) -> str:
    words = widget.accessibleName() or getattr(widget, "text", lambda: "")() \
        or widget.objectName()
    return f"{type(widget).__name__}:{words}"


def tab_controls(root: QWidget) -> list[QWidget]:
    """Every control on this screen a person can reach: visible, enabled, takes Tab focus."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if (widget.window() is root.window() and widget.isVisible() and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and widget.focusProxy() is None):
            found.append(control(widget))
    return found


def tab_round(qtbot, root: QWidget, first: QWidget) -> list[QWidget]:  # noqa: ANN001
    """Press Tab from `first` until focus is back on it: the controls passed, each once."""
    root.window().activateWindow()
    qtbot.waitUntil(root.window().isActiveWindow)
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and control(QApplication.focusWidget()) is first)
    seen, kept = [first], 0
    for _ in range(PRESSES):
        focused = QApplication.focusWidget()
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        now = control(QApplication.focusWidget())
        if now is first:
            return seen
        if now is seen[-1]:
            kept += 1
            if kept > STEPS:
                raise AssertionError(f"{name(now)} keeps Tab to itself")
            continue
        kept = 0
        if now in seen:
            raise AssertionError(f"Tab came back to {name(now)} before the first control: "
                                 f"{[name(w) for w in seen]}")
        seen.append(now)
    raise AssertionError(f"Tab never came back round: {[name(w) for w in seen]}")


def reached(widget: QWidget, seen: list[QWidget]) -> bool:
    group = widget.group() if isinstance(widget, QAbstractButton) else None
    if group is not None and group.exclusive():         # Tab to the group, arrows within it
        return any(button in seen for button in group.buttons())
    # A control, or a box of them that hands focus to its first (a visit's table of people).
    return any(w is widget or widget.isAncestorOf(w) for w in seen)


def ancestors(widget: QWidget, root: QWidget) -> list[QWidget]:
    chain = [widget]
    while chain[-1] is not root and chain[-1].parentWidget() is not None:
        chain.append(chain[-1].parentWidget())
    return chain[::-1]


def blocks(a: QWidget, b: QWidget, root: QWidget) -> tuple[QRect, QRect]:
    """Where the two blocks that hold `a` and `b` sit, side by side in their nearest shared
    container."""
    up_a, up_b = ancestors(a, root), ancestors(b, root)
    depth = 0
    while depth + 1 < min(len(up_a), len(up_b)) and up_a[depth + 1] is up_b[depth + 1]:
        depth += 1
    shared = up_a[depth]
    block_a = up_a[min(depth + 1, len(up_a) - 1)]
    block_b = up_b[min(depth + 1, len(up_b) - 1)]

    def where(block: QWidget) -> QRect:
        if block is shared:
            return QRect(0, 0, 1, 1)
        return QRect(block.mapTo(shared, block.rect().topLeft()), block.size())
    return where(block_a), where(block_b)


def read_before(b: QWidget, a: QWidget, root: QWidget) -> bool:
    """Would a person read `b` before `a`? (Above it, or on its row and to its left.)"""
    rect_a, rect_b = blocks(a, b, root)
    if rect_b.bottom() < rect_a.top() + TOLERANCE:
        return rect_b.left() < rect_a.right() - TOLERANCE    # (not the top of the next column)
    same_row = rect_b.top() < rect_a.bottom() - TOLERANCE \
        and rect_a.top() < rect_b.bottom() - TOLERANCE
    return same_row and rect_b.right() < rect_a.left() + TOLERANCE \
        and rect_b.top() <= rect_a.top() + TOLERANCE


def test_tab_reaches_every_control_of_every_screen_in_reading_order(
        qtbot, window: MainWindow) -> None:
    problems: dict[str, list[str]] = {}
    walked = []
    for screen, root in walk(qtbot, window):
        found: list[str] = []
        controls = tab_controls(root)
        if not controls:            # nothing to use (sync problems with none): Esc closes it
            continue
        walked.append(screen)
        for box in controls:
            if isinstance(box, QPlainTextEdit | QTextEdit) and not box.tabChangesFocus() \
                    and not box.isReadOnly():
                found.append(f"{name(box)} types a tab")
        first = controls[0]                  # the first a person reads, of those in sight
        for widget in controls:
            if not widget.visibleRegion().isEmpty() and read_before(widget, first, root):
                first = widget
        try:
            seen = tab_round(qtbot, root, first)
        except AssertionError as trap:
            problems[screen] = [*found, str(trap)]
            continue
        found += [f"not reached: {name(w)}" for w in controls if not reached(w, seen)]
        found += [f"{name(b)} after {name(a)}" for a, b in zip(seen, seen[1:], strict=False)
                  if read_before(b, a, root)]
        if found:
            problems[screen] = found
    assert len(walked) == 29, walked
    assert problems == {}, "\n".join(f"{screen}:\n  " + "\n  ".join(found)
                                      for screen, found in problems.items())
