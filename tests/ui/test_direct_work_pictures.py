"""Pictures in direct work, driven as a worker does: a photo of a drawing opens full size from
its thumbnail (Enter or a double-click), fitted to a window that fits the screen or at its
actual size, takes a caption (saved, spoken by a screen reader, found by search), turns a
quarter at a time (kept as the record's turn; the thumbnail and the window show it turned) and
is removed after a confirmation that names it (a tombstone that syncs)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QBuffer, Qt
from PySide6.QtGui import QAccessible, QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QMessageBox

from rbsw_desktop.domain import Attachment, Case, DirectWorkActivity, DirectWorkTool
from rbsw_desktop.store import Store, codec
from rbsw_desktop.store.demo import demo_drawing_png
from rbsw_desktop.store.sync_state import PushAck
from rbsw_desktop.ui.direct_work import DirectWorkTab
from rbsw_desktop.ui.picture_viewer import PictureViewer
from tests.ui.conftest import open_tab
from tests.ui.test_app_shell import SHOTS

CAPTION = "Fictional: Sam's three houses"


def png(width: int, height: int) -> bytes:
    """A wide picture: left half red, right half blue (so a turn shows where each half went)."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    painter = QPainter(image)
    painter.fillRect(width // 2, 0, width - width // 2, height, QColor("blue"))
    painter.end()
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def session_with_picture(store: Store, case: Case, data: bytes,
                         caption: str = "") -> tuple[DirectWorkActivity, Attachment]:
    activity = store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES,
                                     title="Fictional: houses")
    picture = store.direct_work.attach(activity.id, case.id, data, "image/png",
                                       filename="houses.png", caption=caption)
    return activity, picture


def open_session(qtbot, store: Store, case: Case) -> DirectWorkTab:  # noqa: ANN001
    tab = open_tab(qtbot, DirectWorkTab, store, case.id)
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.list.visualItemRect(tab.list.item(0)).center())
    qtbot.waitUntil(lambda: tab.thumbs.count() == 1)
    return tab


def thumb_size(tab: DirectWorkTab) -> tuple[int, int]:
    size = tab.thumbs.item(0).icon().availableSizes()[0]
    return size.width(), size.height()


def spoken(widget: Any, child: int | None = None) -> str:
    """What a screen reader is given as the name (Qt's accessibility interface)."""
    face = QAccessible.queryAccessibleInterface(widget)
    if child is not None:
        face = face.child(child)
    return face.text(QAccessible.Text.Name)


def alt(qtbot, window: Any, key: Qt.Key) -> None:  # noqa: ANN001
    """Alt+key in `window`, as a person presses it (the window has the keyboard)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(QApplication.focusWidget() or window, key, Qt.KeyboardModifier.AltModifier)


def focus(qtbot, widget: Any) -> None:  # noqa: ANN001
    """The keyboard on `widget`, in its active window (as after a person tabs to it)."""
    widget.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window())
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)


def open_by_keyboard(qtbot, tab: DirectWorkTab) -> PictureViewer:  # noqa: ANN001
    focus(qtbot, tab.thumbs)
    qtbot.keyClick(tab.thumbs, Qt.Key.Key_Home)
    qtbot.keyClick(tab.thumbs, Qt.Key.Key_Return)
    assert tab.viewer is not None
    qtbot.waitUntil(lambda: tab.viewer.isVisible())
    return tab.viewer


def test_enter_opens_it_full_size_to_caption_and_turn_it(qtbot, store: Store,
                                                         case: Case) -> None:
    activity, picture = session_with_picture(store, case, png(3000, 2000))
    tab = open_session(qtbot, store, case)
    assert thumb_size(tab) == (160, 106)                    # wide
    assert spoken(tab.thumbs, 0) == "Photo with no caption yet (houses.png)"

    viewer = open_by_keyboard(qtbot, tab)
    screen = viewer.screen().availableGeometry()
    assert viewer.width() <= screen.width() and viewer.height() <= screen.height()
    qtbot.waitUntil(lambda: not viewer.view.item.pixmap().isNull())
    # Fitted to the window: all of it shows, smaller than it is, with nothing to scroll.
    assert viewer.view.transform().m11() < 1
    assert viewer.view.horizontalScrollBar().maximum() == 0
    # At its actual size it scrolls.
    alt(qtbot, viewer, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: viewer.view.transform().m11() == 1)
    assert viewer.view.horizontalScrollBar().maximum() > 0
    alt(qtbot, viewer, Qt.Key.Key_F)   # fit again
    qtbot.waitUntil(lambda: viewer.view.transform().m11() < 1)

    # A caption, typed; it saves itself when focus moves on.
    alt(qtbot, viewer, Qt.Key.Key_P)
    assert viewer.caption.hasFocus()
    qtbot.keyClicks(viewer.caption, CAPTION)
    qtbot.keyClick(viewer.caption, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: store.records.get(Attachment, picture.id).caption == CAPTION)
    assert [h.record_id for h in store.search.find("three houses")] == [picture.id]
    assert spoken(viewer) == spoken(viewer.view) == f"Photo: {CAPTION}"

    # A quarter turn to the right: kept, and shown turned here and in the thumbnail.
    alt(qtbot, viewer, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: store.records.get(Attachment, picture.id).rotation == 90)
    assert (viewer.view.transform().m11(), viewer.view.transform().m12() > 0) == (0, True)
    shot = viewer.view.grab().toImage()
    # Turned right, the red (left) half is now on top and the blue half below.
    middle = shot.width() // 2
    assert shot.pixelColor(middle, shot.height() // 3).red() > 200
    assert shot.pixelColor(middle, shot.height() * 2 // 3).blue() > 200
    SHOTS.mkdir(parents=True, exist_ok=True)
    viewer.grab().save(str(SHOTS / "direct-work-picture-viewer.png"))
    qtbot.waitUntil(lambda: thumb_size(tab) == (106, 160))  # tall now
    assert tab.thumbs.item(0).text() == CAPTION
    assert spoken(tab.thumbs, 0) == f"Photo: {CAPTION}"
    alt(qtbot, viewer, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: store.records.get(Attachment, picture.id).rotation == 0)
    alt(qtbot, viewer, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: store.records.get(Attachment, picture.id).rotation == 270)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_BracketRight,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: store.records.get(Attachment, picture.id).rotation == 0)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_BracketLeft,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: store.records.get(Attachment, picture.id).rotation == 270)

    # Esc closes it; the worker is back on the thumbnail.
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    assert tab.viewer is None and not viewer.isVisible()
    assert tab.window().focusWidget() is tab.thumbs       # the tab's window has it back
    again = store.records.get(Attachment, picture.id)
    assert (again.caption, again.rotation, again.sha256) == (CAPTION, 270, picture.sha256)


def test_a_double_click_opens_it_too(qtbot, store: Store, case: Case) -> None:
    session_with_picture(store, case, demo_drawing_png(), caption="Fictional: my dog")
    tab = open_session(qtbot, store, case)
    centre = tab.thumbs.visualItemRect(tab.thumbs.item(0)).center()
    # A double-click's first click, then its second (QTest's double-click event alone has no
    # press before it, which a real double-click has).
    qtbot.mouseClick(tab.thumbs.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(tab.thumbs.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    viewer = tab.viewer
    assert viewer is not None and viewer.windowTitle() == "Fictional: my dog"
    qtbot.waitUntil(lambda: not viewer.view.item.pixmap().isNull())
    SHOTS.mkdir(parents=True, exist_ok=True)
    viewer.grab().save(str(SHOTS / "direct-work-picture-viewer-drawing.png"))
    viewer.reject()


def confirmation(qtbot, window: Any) -> QMessageBox:  # noqa: ANN001
    """The confirmation `window` (the tab or the picture's window) asks."""
    qtbot.waitUntil(lambda: window.confirm is not None and window.confirm.isVisible())
    return window.confirm


def test_delete_on_a_thumbnail_asks_naming_it_then_removes_it(qtbot, store: Store,
                                                              case: Case) -> None:
    activity, picture = session_with_picture(store, case, demo_drawing_png(),
                                             caption="Fictional: my dog")
    tab = open_session(qtbot, store, case)
    focus(qtbot, tab.thumbs)
    qtbot.keyClick(tab.thumbs, Qt.Key.Key_Home)
    qtbot.keyClick(tab.thumbs, Qt.Key.Key_Delete)
    box = confirmation(qtbot, tab)
    assert box.text() == "Remove the photo “Fictional: my dog”?"
    assert "pod's laptops" in box.informativeText()
    qtbot.keyClick(box, Qt.Key.Key_Return)       # the default answer is Cancel
    assert not box.isVisible()
    assert [a.id for a in store.direct_work.attachments(activity.id)] == [picture.id]

    focus(qtbot, tab.thumbs)
    qtbot.keyClick(tab.thumbs, Qt.Key.Key_Delete)
    box = confirmation(qtbot, tab)
    alt(qtbot, box, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: tab.thumbs.count() == 0)
    assert store.direct_work.attachments(activity.id) == []
    (tombstone,) = store.records.find(Attachment, "id = ?", [picture.id], include_deleted=True)
    assert tombstone.deleted and tombstone.caption == "Fictional: my dog"
    assert store.db.execute("SELECT deleted FROM outbox WHERE record_id = ? ORDER BY seq",
                            [picture.id]).fetchall() == [(0,), (1,)]
    assert store.search.find("dog") == []


def test_remove_in_the_window_asks_then_closes_it(qtbot, store: Store, case: Case) -> None:
    activity, picture = session_with_picture(store, case, demo_drawing_png())
    tab = open_session(qtbot, store, case)
    viewer = open_by_keyboard(qtbot, tab)
    alt(qtbot, viewer, Qt.Key.Key_M)
    box = confirmation(qtbot, viewer)
    assert box.text() == "Remove the photo “houses.png”?"
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "&Remove"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.viewer is None and tab.thumbs.count() == 0)
    assert store.direct_work.attachments(activity.id) == []


def test_a_filed_picture_stays_and_says_why(qtbot, store: Store, case: Case) -> None:
    activity, picture = session_with_picture(store, case, demo_drawing_png())
    store.db.execute("UPDATE attachment SET sync_state = 'filed', rev = 1 WHERE id = ?",
                     [picture.id])
    tab = open_session(qtbot, store, case)
    focus(qtbot, tab.thumbs)
    qtbot.keyClick(tab.thumbs, Qt.Key.Key_Home)
    qtbot.keyClick(tab.thumbs, Qt.Key.Key_Delete)
    box = confirmation(qtbot, tab)
    alt(qtbot, box, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: tab.message.text() == (
        "This photo or scan was filed in the council's case system, so it cannot be changed "
        "or removed."))
    assert tab.thumbs.count() == 1
    assert [a.id for a in store.direct_work.attachments(activity.id)] == [picture.id]
    # Its window says so, and offers nothing that would be refused.
    viewer = open_by_keyboard(qtbot, tab)
    assert viewer.caption.isReadOnly()
    assert not any(b.isEnabled() for b in (viewer.turn_left, viewer.turn_right,
                                           viewer.remove_button))
    assert "filed in the council's case system" in viewer.status.text()


def test_what_a_sync_brings_shows_in_the_thumbnails(qtbot, store: Store, case: Case) -> None:
    activity, picture = session_with_picture(store, case, demo_drawing_png(),
                                             caption="Fictional: my dog")
    store.outbox.mark_blob_uploaded(picture.sha256)
    while ops := store.outbox.next_push_batch(100, 10_000_000):    # all sent: nothing waits
        store.outbox.mark_pushed(ops, [PushAck(op.op_id, "applied", 1) for op in ops])
    tab = open_session(qtbot, store, case)

    def pulled(rev: int, deleted: bool = False, **fields: Any) -> None:
        """A change from the pod's other laptop, written as a pull writes it and announced
        as the app announces what a sync wrote."""
        change = {"entity": "attachment", "id": picture.id, "rev": rev, "deleted": deleted,
                  "fields": {**codec.to_fields(picture), **fields}}
        with store.collect_changes() as written:
            store.outbox.apply_pulled([change])
        tab.taskman.changes_applied(written.changes, None)

    pulled(2, caption="Fictional: our dog", rotation=90)
    qtbot.waitUntil(lambda: tab.thumbs.item(0).text() == "Fictional: our dog")
    assert spoken(tab.thumbs, 0) == "Photo: Fictional: our dog"
    assert thumb_size(tab) == (106, 160)              # turned: tall now
    pulled(3, deleted=True)
    qtbot.waitUntil(lambda: tab.thumbs.count() == 0)
