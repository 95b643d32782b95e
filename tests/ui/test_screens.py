"""Every screen, and every window opened from one, on a real council laptop: it fits 1024x600
with nothing out of reach or cut off, each Alt-key letter belongs to one control, and a screen
reader hears a name for every control (a button's carrying the words on it) and the words of
every status message (through Qt's accessibility interface, what AT-SPI reads)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QListView,
    QMessageBox,
    QScrollArea,
    QTabBar,
    QWidget,
)

from rbsw_desktop.ui.a11y import StatusLabel
from rbsw_desktop.ui.main_window import MainWindow
from rbsw_desktop.ui.taskman import TaskManager
from tests.ui.screen_walk import open_child, show_tab, walk
from tests.ui.test_app_shell import SHOTS, demo_window, unlock

SMALL = QSize(1024, 600)
SIZES = (SMALL, QSize(1366, 768))
#: What a person operates or reads as a part: each needs a name. (Scroll bars are read by
#: their role and position; static text by its words.)
CONTROL_ROLES = {
    QAccessible.Role.Button, QAccessible.Role.CheckBox, QAccessible.Role.RadioButton,
    QAccessible.Role.ComboBox, QAccessible.Role.EditableText, QAccessible.Role.List,
    QAccessible.Role.Table, QAccessible.Role.Tree, QAccessible.Role.PageTabList,
    QAccessible.Role.ProgressBar, QAccessible.Role.Slider, QAccessible.Role.SpinBox,
    QAccessible.Role.Splitter, QAccessible.Role.Grip, QAccessible.Role.RowHeader,
    QAccessible.Role.ColumnHeader, QAccessible.Role.StatusBar, QAccessible.Role.ToolBar,
}


@pytest.fixture
def window(qtbot, qapp, tmp_path: Path):
    win = demo_window(qtbot, tmp_path, TaskManager(synchronous=True))
    yield win
    win.lock()


def settle(root: QWidget) -> None:
    """The layouts worked out afresh, as the window manager would see them."""
    for _ in range(3):                   # a layout request may post another
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    root.layout().activate()


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# -- small screens ----------------------------------------------------------------------------

def test_the_window_opens_within_the_screen_it_opens_on(window: MainWindow) -> None:
    room = window.screen().availableGeometry()
    assert window.width() <= room.width() and window.height() <= room.height()
    assert room.contains(window.frameGeometry().topLeft())


def test_every_screen_fits_1024x600_and_is_photographed(qtbot, window: MainWindow) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, root in walk(qtbot, window):
        settle(root)
        hint = root.minimumSizeHint().expandedTo(root.minimumSize())
        assert hint.width() <= SMALL.width() and hint.height() <= SMALL.height(), (name, hint)
        question = isinstance(root, QMessageBox)     # Qt sizes a question to its words
        for size in (root.size(),) if question else SIZES:
            size = size.boundedTo(root.maximumSize())   # (the photo: at most its screen)
            root.resize(size)
            settle(root)
            assert root.size() == size, (name, root.size())
            shot = slug(name) if question else f"{slug(name)}-{size.width()}x{size.height()}"
            root.grab().save(str(SHOTS / f"{shot}.png"))
        root.resize(SMALL)
        settle(root)
        for widget in root.findChildren(QLabel):
            if widget.isVisible() and widget.wordWrap() and widget.text():
                need = widget.heightForWidth(widget.width())
                assert widget.height() >= need, (name, widget.text()[:40], widget.height(), need)
        for view in root.findChildren(QListView):      # each line whole, none scrolled away
            if view.isVisible() and view.window() is root.window():
                assert view.horizontalScrollBar().maximum() == 0, (name, view.accessibleName())


def reachable(root: QWidget, widget: QWidget) -> bool:
    """Scrolled to as keyboard focus would scroll to it, is it wholly on the window?"""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget)
        parent = parent.parentWidget()
    QApplication.processEvents()
    where = QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())
    return widget.isVisible() and not widget.visibleRegion().isEmpty() \
        and root.rect().contains(where)


def test_at_1024x600_the_buttons_of_each_tab_are_within_reach(qtbot, window: MainWindow) -> None:
    window.resize(SMALL)
    unlock(qtbot, window)
    open_child(qtbot, window)
    settle(window)
    assert window.size() == SMALL
    visits = window.workspace.visits
    visits.list.setCurrentRow(0)
    qtbot.mouseClick(visits.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=visits.list.visualItemRect(visits.list.item(0)).center())
    assert reachable(window, visits.editor.finalise_button)
    board = show_tab(qtbot, window, 1)
    assert reachable(window, board.review_pick) and reachable(window, board.history)
    direct_work = show_tab(qtbot, window, 2)
    qtbot.mouseClick(direct_work.new_button, Qt.MouseButton.LeftButton)
    settle(window)
    window.resize(SMALL)
    assert window.size() == SMALL
    for button in (direct_work.save_button, direct_work.attach_button):
        assert reachable(window, button), button.text()
    window.grab().save(str(SHOTS / "direct-work-session-1024x600.png"))


def test_the_lock_screen_is_not_squashed(qtbot, window: MainWindow) -> None:
    window.resize(SMALL)
    screen = window.lock_screen
    screen.error.setText("That passphrase is not right. Please try again. After several "
                         "wrong tries, please wait 30 seconds.")
    settle(window)
    for field in (screen.passphrase, screen.confirm, screen.button):
        if field.isVisible():
            assert field.height() >= field.sizeHint().height(), field.accessibleName()
    for label in (screen.title, screen.hint, screen.error, screen.demo_note):
        assert label.height() >= label.heightForWidth(label.width()), label.text()[:30]
    window.grab().save(str(SHOTS / "lock-screen-message-1024x600.png"))


def test_after_lock_and_unlock_the_caseload_has_its_room_back(qtbot, window: MainWindow) -> None:
    window.resize(SMALL)
    unlock(qtbot, window)
    wide = window.caseload.width()
    open_child(qtbot, window)
    assert window.caseload.width() < wide          # room for the case
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    unlock(qtbot, window)
    qtbot.wait(0)
    assert window.caseload.width() >= wide - 2
    assert window.caseload.horizontalScrollBar().value() == 0
    qtbot.keyClicks(window.search, "Pretend")
    qtbot.wait(0)
    view, metrics = window.caseload, window.caseload.fontMetrics()
    names = [view.model().index(r, 0).data() for r in range(view.model().rowCount())]
    assert names
    for name in names:
        assert view.columnWidth(0) >= metrics.horizontalAdvance(name), name


# -- keyboard ---------------------------------------------------------------------------------

def test_enter_after_unlock_opens_a_child_and_the_choice_survives_a_save(
        qtbot, window: MainWindow) -> None:
    unlock(qtbot, window)
    qtbot.keyClick(window.caseload, Qt.Key.Key_Return)        # no mouse: the first child
    assert window.workspace is not None
    view = window.caseload
    qtbot.keyClick(view, Qt.Key.Key_Down)
    chosen = view.currentIndex().data()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert chosen in window.workspace.heading.text()
    visits = window.workspace.visits
    qtbot.mouseClick(visits.new_button, Qt.MouseButton.LeftButton)   # saved: caseload refreshed
    qtbot.waitUntil(lambda: visits.list.count() >= 1)
    assert view.currentIndex().data() == chosen


def mnemonic(text: str) -> str | None:
    match = re.search(r"(?<!&)&([^&\s])", text.replace("&&", ""))
    return match.group(1).lower() if match else None


def mnemonics(root: QWidget) -> list[tuple[str, str]]:
    """(letter, control) for every visible control with an Alt-key letter on this screen."""
    found: list[tuple[str, str]] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or widget.window() is not root.window():
            continue
        texts: list[str] = []
        buddy = widget.buddy() if isinstance(widget, QLabel) else None
        if isinstance(widget, QAbstractButton) or (buddy is not None and buddy.isVisible()):
            texts = [widget.text()]
        elif isinstance(widget, QGroupBox):
            texts = [widget.title()]
        elif isinstance(widget, QTabBar):
            texts = [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
        for text in texts:
            letter = mnemonic(text)
            if letter:
                found.append((letter, text.replace("&", "")))
    return found


def test_each_alt_letter_belongs_to_one_control_on_every_screen(qtbot, window: MainWindow
                                                                ) -> None:
    clashes = {}
    for name, root in walk(qtbot, window):
        seen: dict[str, list[str]] = {}
        for letter, control in mnemonics(root):
            seen.setdefault(letter, []).append(control)
        clash = {letter: controls for letter, controls in seen.items() if len(controls) > 1}
        if clash:
            clashes[name] = clash
    assert clashes == {}


# -- screen readers ---------------------------------------------------------------------------

def accessible_tree(root: QWidget) -> list[tuple[QAccessible.Role, str, bool, str]]:
    """(role, name, focusable, what) for every node under `root`, as a screen reader gets it."""
    nodes = []

    def visit(node) -> None:  # noqa: ANN001
        if node is None or not node.isValid():
            return
        obj = node.object()
        what = type(obj).__name__ if obj is not None else "part"
        nodes.append((node.role(), node.text(QAccessible.Text.Name), node.state().focusable,
                      what))
        for i in range(node.childCount()):
            visit(node.child(i))
    visit(QAccessible.queryAccessibleInterface(root))
    return nodes


def button_names(root: QWidget) -> list[tuple[str, str]]:
    """(the words on it, its accessible name) for every visible button of this window."""
    return [(button.text().replace("&", "").rstrip("…").strip(),
             QAccessible.queryAccessibleInterface(button).text(QAccessible.Text.Name))
            for button in root.findChildren(QAbstractButton)
            if button.isVisible() and button.window() is root.window() and button.text()]


def test_a_screen_reader_hears_a_name_for_every_control_on_every_screen(
        qtbot, window: MainWindow) -> None:
    problems: dict[str, list[str]] = {}
    for name, root in walk(qtbot, window):
        missing = [f"{role.name} {what}" for role, text, focusable, what in accessible_tree(root)
                   if not text.strip() and (focusable or role in CONTROL_ROLES)]
        # What a person sees on a button is in what they hear (and can say to voice control).
        missing += [f"{shown!r} heard as {heard!r}" for shown, heard in button_names(root)
                    if shown.lower() not in heard.lower()]
        if missing:
            problems[name] = missing
        for label in root.findChildren(StatusLabel):
            if label.isVisible():
                node = QAccessible.queryAccessibleInterface(label)
                assert node.text(QAccessible.Text.Name) == label.text(), (name, label.text())
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_status_messages_are_heard_as_their_words_and_said_at_once(
        qtbot, window: MainWindow, monkeypatch) -> None:
    said: list[tuple[QAccessible.Event, str]] = []
    original = QAccessible.updateAccessibility

    def listen(event) -> None:  # noqa: ANN001 - what a screen reader is sent, passed on
        if event.type() in (QAccessible.Event.Alert, QAccessible.Event.Announcement):
            said.append((event.type(), getattr(event, "message", lambda: "")()))
        original(event)
    monkeypatch.setattr(QAccessible, "updateAccessibility", listen)

    def heard(widget: QWidget) -> str:
        return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)

    unlock(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    unlock(qtbot, window, "not the passphrase")
    assert "not right" in heard(window.lock_screen.error)
    assert any("not right" in words for _kind, words in said)
    unlock(qtbot, window)
    assert "overdue" in heard(window.status)
    open_child(qtbot, window)
    assert "Poppy Pretend" in heard(window.workspace.heading)
    said.clear()
    direct_work = show_tab(qtbot, window, 2)
    qtbot.mouseClick(direct_work.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(direct_work.title, "Three houses")
    qtbot.mouseClick(direct_work.save_button, Qt.MouseButton.LeftButton)
    assert heard(direct_work.message).startswith("Saved")
    assert any(words.startswith("Saved") for _kind, words in said)
