"""Drawing with the child in the direct-work tab: with the mouse and with a finger (synthesised
touch events), a stamp, undo and redo, clear (which asks first). Each checks what the real
encrypted store kept (the vector drawing, and its PNG rendering beside it) and what the canvas
shows (its pixels)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from rbsw_desktop.domain import Attachment, Case, DirectWorkActivity
from rbsw_desktop.store import Store
from rbsw_desktop.ui.direct_work import DirectWorkTab
from rbsw_desktop.ui.drawing.canvas import DrawingCanvas
from rbsw_desktop.ui.drawing.sheet import DrawingSheet
from tests.ui.conftest import open_tab, threaded_taskman
from tests.ui.test_app_shell import SHOTS

WORRIES = "House of worries"
RED = "#d32f2f"


def new_three_houses(qtbot, store: Store, case: Case, size=(1200, 800)  # noqa: ANN001
                     ) -> tuple[DirectWorkTab, DrawingSheet]:
    tab = open_tab(qtbot, DirectWorkTab, store, case.id, size=size)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    assert tab.activity is not None and tab.activity.tool.value == "three_houses"
    sheet = tab.editor
    assert isinstance(sheet, DrawingSheet) and sheet.isVisible()
    return tab, sheet


def stored(store: Store, tab: DirectWorkTab) -> DirectWorkActivity:
    return store.records.get(DirectWorkActivity, tab.activity.id)


def save(qtbot, tab: DirectWorkTab) -> None:  # noqa: ANN001
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.text().startswith("Saved")


def pixel(canvas: DrawingCanvas, x: float, y: float) -> QColor:
    """The colour the canvas shows at (x, y) of the drawing."""
    at = canvas.to_widget_point(x, y).toPoint()
    image = canvas.grab().toImage()
    ratio = image.devicePixelRatio()
    return image.pixelColor(round(at.x() * ratio), round(at.y() * ratio))


def renderings(store: Store, activity_id: str) -> list[Attachment]:
    return [a for a in store.direct_work.attachments(activity_id) if a.rendering_of]


def is_colour(c: QColor, hex_colour: str, slack: int = 40) -> bool:
    want = QColor(hex_colour)
    return all(abs(a - b) <= slack for a, b in ((c.red(), want.red()),
                                                (c.green(), want.green()),
                                                (c.blue(), want.blue())))


def drag(qtbot, canvas: DrawingCanvas, points: list[QPoint]) -> None:  # noqa: ANN001
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
    for p in points[1:]:
        qtbot.mouseMove(canvas, p)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])


def line(a: QPoint, b: QPoint, steps: int = 20) -> list[QPoint]:
    return [QPoint(a.x() + (b.x() - a.x()) * i // steps, a.y() + (b.y() - a.y()) * i // steps)
            for i in range(steps + 1)]


def test_a_red_line_drawn_with_the_mouse_is_kept_as_vectors_and_a_png(qtbot, store: Store,
                                                                       case: Case) -> None:
    tab, sheet = new_three_houses(qtbot, store, case)
    canvas = sheet.canvases[WORRIES]
    qtbot.mouseClick(sheet.toolbox.swatches["Red"], Qt.MouseButton.LeftButton)
    assert sheet.toolbox.swatches["Red"].accessibleName() == "Red"
    qtbot.mouseClick(sheet.toolbox.size_buttons["Thick pen"], Qt.MouseButton.LeftButton)
    mid_y = canvas.height() // 2
    drag(qtbot, canvas, line(QPoint(canvas.width() // 4, mid_y),
                             QPoint(canvas.width() * 3 // 4, mid_y)))
    assert tab.dirty
    save(qtbot, tab)

    drawing = stored(store, tab).content["drawing"][WORRIES]
    assert len(drawing["strokes"]) == 1
    stroke = drawing["strokes"][0]
    assert stroke["colour"] == RED and stroke["width"] == 24.0 and len(stroke["points"]) > 10
    x, y = stroke["points"][len(stroke["points"]) // 2][:2]
    assert is_colour(pixel(canvas, x, y), RED)                       # shown on the canvas
    assert is_colour(pixel(canvas, x, y - 100), "#ffffff")           # and only there

    [png] = renderings(store, tab.activity.id)                       # the PNG beside it
    assert png.rendering_of == WORRIES and png.media_type == "image/png"
    image = QImage.fromData(store.direct_work.blob(png.sha256))
    scale = image.width() / drawing["width"]
    assert is_colour(image.pixelColor(round(x * scale), round(y * scale)), RED)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.grab().save(str(SHOTS / "three-houses.png"))


def test_a_finger_draws_with_touch_events(qtbot, store: Store, case: Case) -> None:
    # Touch points off the (offscreen, 800x800) screen are not delivered: a window within it.
    tab, sheet = new_three_houses(qtbot, store, case, size=(780, 760))
    qtbot.mouseClick(sheet.areas.tabBar(), Qt.MouseButton.LeftButton,
                     pos=sheet.areas.tabBar().tabRect(2).center())
    canvas = sheet.canvases["House of dreams"]
    assert sheet.current is canvas
    QApplication.processEvents()                  # the tab's layout settles
    tab.editor_scroll.ensureWidgetVisible(canvas)        # scrolled to, as a person would
    QApplication.processEvents()
    qtbot.mouseClick(sheet.toolbox.swatches["Blue"], Qt.MouseButton.LeftButton)
    screen = QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
    points = line(QPoint(canvas.width() // 3, canvas.height() // 3),
                  QPoint(canvas.width() * 2 // 3, canvas.height() * 2 // 3))
    assert all(canvas.visibleRegion().contains(p) for p in points)
    QTest.touchEvent(canvas, screen).press(0, points[0], canvas).commit()
    for p in points[1:]:
        QTest.touchEvent(canvas, screen).move(0, p, canvas).commit()
    QTest.touchEvent(canvas, screen).release(0, points[-1], canvas).commit()
    save(qtbot, tab)

    kept = stored(store, tab).content["drawing"]
    assert list(kept) == ["House of dreams"]
    [stroke] = kept["House of dreams"]["strokes"]
    assert stroke["colour"] == "#1976d2" and len(stroke["points"]) > 10
    x, y = stroke["points"][len(stroke["points"]) // 2][:2]
    assert is_colour(pixel(canvas, x, y), "#1976d2")


def test_a_stamp_is_placed_undone_and_redone(qtbot, store: Store, case: Case) -> None:
    tab, sheet = new_three_houses(qtbot, store, case)
    canvas = sheet.canvases[WORRIES]
    happy = sheet.toolbox.stamp_buttons["happy"]
    assert happy.accessibleName() == "Happy face"
    qtbot.mouseClick(happy, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(canvas.width() // 2,
                                                                   canvas.height() // 2))
    save(qtbot, tab)
    [stamp] = stored(store, tab).content["drawing"][WORRIES]["stamps"]
    assert stamp["kind"] == "happy"
    face = (stamp["x"] + 30, stamp["y"] + 5)      # yellow cheek, away from the eyes and mouth
    assert is_colour(pixel(canvas, *face), "#ffd54f")

    qtbot.mouseClick(sheet.toolbox.undo_button, Qt.MouseButton.LeftButton)
    assert is_colour(pixel(canvas, *face), "#ffffff")
    assert not sheet.toolbox.undo_button.isEnabled() and sheet.toolbox.redo_button.isEnabled()
    save(qtbot, tab)
    assert WORRIES not in stored(store, tab).content.get("drawing", {})
    assert renderings(store, tab.activity.id) == []            # an empty area has no PNG

    qtbot.mouseClick(sheet.toolbox.redo_button, Qt.MouseButton.LeftButton)
    assert is_colour(pixel(canvas, *face), "#ffd54f")
    save(qtbot, tab)
    assert stored(store, tab).content["drawing"][WORRIES]["stamps"] == [stamp]


def test_clear_asks_first_and_a_changed_drawing_gets_a_new_rendering(qtbot, store: Store,
                                                                    case: Case) -> None:
    tab, sheet = new_three_houses(qtbot, store, case)
    canvas = sheet.canvases[WORRIES]
    drag(qtbot, canvas, line(QPoint(60, 60), QPoint(300, 200)))
    save(qtbot, tab)
    [first] = renderings(store, tab.activity.id)
    save(qtbot, tab)                                            # nothing changed: the same PNG
    assert [a.id for a in renderings(store, tab.activity.id)] == [first.id]
    drag(qtbot, canvas, line(QPoint(60, 200), QPoint(300, 60)))
    save(qtbot, tab)
    [second] = renderings(store, tab.activity.id)
    assert second.id != first.id and second.sha256 != first.sha256
    assert store.records.find(Attachment, "id = ?", [first.id], include_deleted=True)[0].deleted

    def answer(button_text: str) -> None:
        qtbot.mouseClick(sheet.toolbox.clear_button, Qt.MouseButton.LeftButton)
        box = sheet.confirm_clear
        assert isinstance(box, QMessageBox) and box.isVisible()
        assert WORRIES in box.text()
        button = next(b for b in box.buttons() if b.text() == button_text)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not box.isVisible())

    answer("Keep it")
    assert len(canvas.strokes) == 2
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Escape):      # a key pressed unread keeps it
        qtbot.mouseClick(sheet.toolbox.clear_button, Qt.MouseButton.LeftButton)
        box = sheet.confirm_clear
        assert isinstance(box, QMessageBox)
        qtbot.waitUntil(box.isVisible)
        qtbot.keyClick(box, key)
        qtbot.waitUntil(lambda shown=box: not shown.isVisible())
        assert len(canvas.strokes) == 2
    answer("Clear it")
    assert canvas.empty and not sheet.toolbox.clear_button.isEnabled()
    save(qtbot, tab)
    assert stored(store, tab).content.get("drawing", {}) == {}
    assert renderings(store, tab.activity.id) == []
    qtbot.mouseClick(sheet.toolbox.undo_button, Qt.MouseButton.LeftButton)   # undo the clear
    assert len(canvas.strokes) == 2


def test_a_drawing_comes_back_when_the_session_is_chosen_again(qtbot, store: Store,
                                                               case: Case) -> None:
    tab, sheet = new_three_houses(qtbot, store, case)
    drag(qtbot, sheet.canvases[WORRIES], line(QPoint(60, 60), QPoint(300, 200)))
    save(qtbot, tab)
    again = open_tab(qtbot, DirectWorkTab, store, case.id, size=(1280, 1000))
    qtbot.mouseClick(again.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=again.list.visualItemRect(again.list.item(0)).center())
    shown = again.editor
    assert isinstance(shown, DrawingSheet)
    assert shown.canvases[WORRIES].drawing() == sheet.canvases[WORRIES].drawing()
    QApplication.processEvents()


def test_a_pen_draws_with_its_pressure(qtbot, store: Store, case: Case) -> None:
    tab, sheet = new_three_houses(qtbot, store, case)
    canvas = sheet.canvases[WORRIES]
    qtbot.mouseClick(sheet.toolbox.size_buttons["Thick pen"], Qt.MouseButton.LeftButton)
    pen = QPointingDevice("Test pen (fictional)", 7, QInputDevice.DeviceType.Stylus,
                          QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
                          1, 2)
    points = line(QPoint(canvas.width() // 3, canvas.height() // 2),
                  QPoint(canvas.width() * 2 // 3, canvas.height() // 2), 10)
    kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * 10 + \
        [QEvent.Type.TabletRelease]
    for i, (kind, p) in enumerate(zip(kinds, [points[0], *points[1:], points[-1]],
                                      strict=True)):
        where = QPointF(p)
        event = QTabletEvent(kind, pen, where, QPointF(canvas.mapToGlobal(p)), i / 11,
                             0.0, 0.0, 0.0, 0.0, 0.0, Qt.KeyboardModifier.NoModifier,
                             Qt.MouseButton.LeftButton,
                             Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease
                             else Qt.MouseButton.LeftButton)
        QApplication.sendEvent(canvas, event)
    save(qtbot, tab)
    [stroke] = stored(store, tab).content["drawing"][WORRIES]["strokes"]
    pressures = [p[2] for p in stroke["points"]]
    assert pressures == sorted(pressures) and pressures[0] < 0.1 < 0.8 < pressures[-1]
    x0, y0 = stroke["points"][1][:2]          # a light touch draws thin, a firm one thick
    x1, y1 = stroke["points"][-2][:2]
    assert not is_colour(pixel(canvas, x0, y0 + 8), "#1f2328")
    assert is_colour(pixel(canvas, x1, y1 + 8), "#1f2328")


def test_a_save_on_the_real_store_thread_renders_the_png_there(qtbot, store: Store,
                                                               case: Case) -> None:
    manager = threaded_taskman(qtbot, store)
    tab = DirectWorkTab(taskman=manager, case_id=case.id)
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.activity is not None and tab.editor is not None)
    drag(qtbot, tab.editor.canvases[WORRIES], line(QPoint(60, 60), QPoint(300, 200)))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.message.text().startswith("Saved"))
    assert [a.rendering_of for a in renderings(store, tab.activity.id)] == [WORRIES]
    manager.close_store()


def test_the_safety_house_has_its_house_roof_and_path(qtbot, store: Store, case: Case) -> None:
    tab, _sheet = new_three_houses(qtbot, store, case)
    tab.tool.setFocus()
    while tab.tool.currentData() != "safety_house":           # as a person picks the tool
        qtbot.keyClick(tab.tool, Qt.Key.Key_Down)
    sheet = tab.editor
    assert isinstance(sheet, DrawingSheet)
    assert [sheet.areas.tabText(i) for i in range(sheet.areas.count())] == [
        "Who helps keep me safe", "Safety arrangements", "Where I am on the safety path"]
    qtbot.mouseClick(sheet.areas.tabBar(), Qt.MouseButton.LeftButton,
                     pos=sheet.areas.tabBar().tabRect(2).center())
    path = sheet.current
    assert path.guide == "path"
    assert is_colour(pixel(path, 50, 665), "#c5cad0", slack=60)    # the path starts here
    qtbot.mouseClick(sheet.toolbox.stamp_buttons["happy"], Qt.MouseButton.LeftButton)
    where = path.to_widget_point(600, 315).toPoint()              # me, half way along it
    qtbot.mouseClick(path, Qt.MouseButton.LeftButton, pos=where)
    save(qtbot, tab)
    kept = stored(store, tab)
    assert kept.tool.value == "safety_house"
    assert kept.content["drawing"]["Where I am on the safety path"]["stamps"][0]["kind"] == \
        "happy"
    tab.editor_scroll.ensureWidgetVisible(path)
    tab.grab().save(str(SHOTS / "safety-house.png"))


def test_a_stray_change_of_tool_keeps_the_drawing_until_the_tool_comes_back(
        qtbot, store: Store, case: Case) -> None:
    tab, sheet = new_three_houses(qtbot, store, case)
    qtbot.keyClicks(tab.title, "Fictional: houses")           # a session kept by its title
    drag(qtbot, sheet.canvases[WORRIES], line(QPoint(60, 60), QPoint(300, 200)))
    drawn = sheet.canvases[WORRIES].drawing()
    tab.tool.setFocus()
    qtbot.keyClick(tab.tool, Qt.Key.Key_Down)                  # Wizard / Fairy
    assert tab.tool.currentData() == "wizard_fairy"
    save(qtbot, tab)
    assert stored(store, tab).content == {}                    # Wizard / Fairy has no house
    qtbot.keyClick(tab.tool, Qt.Key.Key_Up)                    # back to Three Houses
    assert tab.editor.canvases[WORRIES].drawing() == drawn
    save(qtbot, tab)
    assert stored(store, tab).content["drawing"][WORRIES] == drawn.to_json()
