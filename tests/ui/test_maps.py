"""The ecomap, genogram and Scaling 0-10 tools, driven as a worker does (keys and mouse into the
real direct-work tab over a real encrypted store): what is stored, and what is shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

from rbsw_desktop.domain import Case, DirectWorkActivity, DirectWorkTool, Person
from rbsw_desktop.domain.direct_work_content import QUESTION
from rbsw_desktop.store import Store
from rbsw_desktop.ui.direct_work import DirectWorkTab
from rbsw_desktop.ui.maps.ecomap import KIND, LINK, NAME, EcomapEditor, EcomapView
from rbsw_desktop.ui.maps.ecomap_paint import BOX_H, BOX_W, KIND_TINTS, sheet_rect
from rbsw_desktop.ui.maps.genogram import GenogramEditor
from rbsw_desktop.ui.maps.scales import ScalesEditor
from tests.ui.conftest import open_tab
from tests.ui.test_app_shell import SHOTS


def shot(qtbot: Any, tab: DirectWorkTab, name: str) -> None:
    """The screenshot, once the tab's scrolling area has taken in what was added to it."""
    editor = tab.editor
    assert editor is not None
    qtbot.waitUntil(lambda: editor.height() >= editor.minimumSizeHint().height())
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert tab.grab().save(str(SHOTS / name))


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_here(qtbot: Any, text: str) -> None:
    """Keys to whatever has the focus, as a person types (the first key into a table's cell
    opens the cell's editor, and the rest go there)."""
    for char in text:
        qtbot.keyClicks(focused(), char)


def key(qtbot: Any, k: Qt.Key, times: int = 1,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), k, modifier)


def enter(qtbot: Any, table: QAbstractItemView) -> None:
    """Return keeps what was typed into a cell (the table takes it a moment later)."""
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)


def new_session(qtbot: Any, store: Store, case: Case, tool_letters: str) -> DirectWorkTab:
    tab = open_tab(qtbot, DirectWorkTab, store, case.id, size=(1100, 900))
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    tab.tool.setFocus()
    type_here(qtbot, tool_letters)              # a closed list chooses by its first letters
    return tab


def stored(store: Store, tab: DirectWorkTab) -> DirectWorkActivity:
    assert tab.activity is not None
    return store.records.get(DirectWorkActivity, tab.activity.id)


def pixel(widget: QWidget, at: QPoint) -> QColor:
    image: QImage = widget.grab().toImage()
    return image.pixelColor(at * image.devicePixelRatio())


def corner_inside(view: EcomapView, at: tuple[float, float]) -> QPoint:
    """On screen, just inside the corner of a person's box at `at` away from the child (clear
    of their name and of the line to the child)."""
    scale, middle = sheet_rect(view.width(), view.height())
    x = at[0] + (BOX_W / 2 - 7) * (1 if at[0] >= 0 else -1)
    y = at[1] + (BOX_H / 2 - 6) * (1 if at[1] >= 0 else -1)
    return QPoint(round(middle.x() + x * scale), round(middle.y() + y * scale))


def test_build_an_ecomap_from_the_case_and_new_people_and_move_one_by_keyboard(
        qtbot: Any, store: Store, case: Case) -> None:
    mum = store.records.save(Person(case_id=case.id, name="Jo Fictional", relationship="Mum"))
    store.records.save(Person(case_id=case.id, name="Ray Fictional", relationship="Grandad"))
    tab = new_session(qtbot, store, case, "Ec")
    editor = tab.editor
    assert isinstance(editor, EcomapEditor)
    table, view = editor.table, editor.view
    # Mum from the case's records; then a school, typed in, stressful.
    qtbot.mouseClick(editor.add_offered, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.add_new, Qt.MouseButton.LeftButton)
    type_here(qtbot, "Example Primary (fictional)")
    enter(qtbot, table)
    key(qtbot, Qt.Key.Key_Right)
    key(qtbot, Qt.Key.Key_F2)
    type_here(qtbot, "Sch")
    enter(qtbot, table)
    key(qtbot, Qt.Key.Key_Right, 2)
    key(qtbot, Qt.Key.Key_F2)
    type_here(qtbot, "Stre")
    enter(qtbot, table)
    assert [table.item(r, NAME).text() for r in range(2)] == ["Jo Fictional",
                                                           "Example Primary (fictional)"]
    assert (table.item(1, KIND).text(), table.item(1, LINK).text()) == ("School", "Stressful")

    # The person chosen in the table is the one chosen on the map; Tab goes into the map, Tab
    # again chooses the next person there; the arrow keys move them.
    key(qtbot, Qt.Key.Key_Up)
    key(qtbot, Qt.Key.Key_Tab)
    assert focused() is view and view.selected == mum.id
    key(qtbot, Qt.Key.Key_Tab)
    school = editor.ecomap().people[1]
    assert view.selected == school.id
    before = view.places[school.id]
    key(qtbot, Qt.Key.Key_Left, 6)
    key(qtbot, Qt.Key.Key_Up, 3)
    key(qtbot, Qt.Key.Key_Up, 1, Qt.KeyboardModifier.ShiftModifier)
    moved = (before[0] - 60, before[1] - 32)
    assert view.places[school.id] == moved
    # On screen, the school's box (its kind's tint) is where it was moved to.
    assert pixel(view, corner_inside(view, moved)) == QColor(KIND_TINTS["school"])
    assert pixel(view, corner_inside(view, before)) != QColor(KIND_TINTS["school"])
    # And Mum dragged with the mouse, a fifth of the map to the right.
    start = view.point_of(mum.id).toPoint()
    end = start + QPoint(view.width() // 5, 0)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, start + QPoint(10, 0))
    qtbot.mouseMove(view, end)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)
    dragged = tuple(round(v, 1) for v in view.places[mum.id])      # kept to a tenth
    assert (view.point_of(mum.id).toPoint() - end).manhattanLength() <= 2
    shot(qtbot, tab, "ecomap.png")
    assert focused() is view and view.selected == mum.id
    key(qtbot, Qt.Key.Key_Tab)
    assert view.selected == school.id
    key(qtbot, Qt.Key.Key_Tab)                      # after the last person, Tab leaves the map
    assert focused() is not view

    saved = stored(store, tab).content["ecomap"]    # focus left the map: it saved itself
    by_name = {p["name"]: p for p in saved["people"]}
    assert by_name["Jo Fictional"]["id"] == mum.id and by_name["Jo Fictional"]["kind"] == "family"
    assert (by_name["Jo Fictional"]["x"], by_name["Jo Fictional"]["y"]) == dragged
    assert (by_name["Example Primary (fictional)"]["x"],
            by_name["Example Primary (fictional)"]["y"]) == moved
    assert {(k["person_id"], k["strength"]) for k in saved["links"]} == {
        (mum.id, "strong"), (by_name["Example Primary (fictional)"]["id"], "stressful")}

    # Shown again from the store, the map is as it was left.
    again = open_tab(qtbot, DirectWorkTab, store, case.id)
    again.list.setCurrentRow(0)
    assert isinstance(again.editor, EcomapEditor)
    assert again.editor.view.places[school.id] == moved


def cell(qtbot: Any, table: QAbstractItemView, text: str, *, choose: bool = False) -> None:
    """Into the current cell: typed (a cell starts editing at the first key), or for a list
    of choices F2 and the choice's first letters; then Return."""
    if choose:
        key(qtbot, Qt.Key.Key_F2)
    type_here(qtbot, text)
    enter(qtbot, table)


def test_three_generations_go_into_a_genogram_by_keyboard_and_the_drawing_follows(
        qtbot: Any, store: Store, case: Case) -> None:
    tab = new_session(qtbot, store, case, "Ge")
    editor = tab.editor
    assert isinstance(editor, GenogramEditor)
    people, rels = editor.people, editor.relationships
    rows = [("Grandad Fictional", "Ma", "1950", "2019", False),
            ("Nan Fictional", "Fe", "1952", "", False),
            ("Mum Fictional", "Fe", "1980", "", True),
            ("Ada Fictional", "Fe", "2017-03-04", "", True)]
    for name, sex, born, died, home in rows:
        qtbot.mouseClick(editor.add_person, Qt.MouseButton.LeftButton)  # its name is typed next
        cell(qtbot, people, name)
        key(qtbot, Qt.Key.Key_Right)
        cell(qtbot, people, sex, choose=True)
        key(qtbot, Qt.Key.Key_Right)
        cell(qtbot, people, born)
        key(qtbot, Qt.Key.Key_Right)
        if died:
            cell(qtbot, people, died)
        key(qtbot, Qt.Key.Key_Right)
        if home:
            key(qtbot, Qt.Key.Key_Space)               # lives with the child: ticked
    for who, kind, whom in (("Gr", "pare", "Mu"), ("Na", "pare", "Mu"),
                            ("Gr", "part", "Na"), ("Mu", "pare", "Ad")):
        qtbot.mouseClick(editor.add_relationship, Qt.MouseButton.LeftButton)
        cell(qtbot, rels, who, choose=True)
        key(qtbot, Qt.Key.Key_Right)
        cell(qtbot, rels, kind, choose=True)
        key(qtbot, Qt.Key.Key_Right)
        cell(qtbot, rels, whom, choose=True)
    assert editor.problem.text() == ""
    key(qtbot, Qt.Key.Key_Tab)                         # focus moves on: it saves itself

    saved = stored(store, tab).content["genogram"]
    ids = {p["name"]: p["id"] for p in saved["people"]}
    assert [(p["name"], p["sex"], p["born"], p["died"], p["in_household"])
            for p in saved["people"]] == [
        ("Grandad Fictional", "male", "1950", "2019", False),
        ("Nan Fictional", "female", "1952", None, False),
        ("Mum Fictional", "female", "1980", None, True),
        ("Ada Fictional", "female", "2017-03-04", None, True)]
    assert {(ids_of(ids, r["from"]), r["kind"], ids_of(ids, r["to"]))
            for r in saved["relationships"]} == {
        ("Grandad Fictional", "parent_of", "Mum Fictional"),
        ("Nan Fictional", "parent_of", "Mum Fictional"),
        ("Grandad Fictional", "partners", "Nan Fictional"),
        ("Mum Fictional", "parent_of", "Ada Fictional")}

    # The drawing: three generation rows, eldest at the top; a cross through Grandad (died),
    # none through Nan; a square for him, a circle for her.
    view = editor.view
    at = {name: view.point_of(pid) for name, pid in ids.items()}
    assert at["Grandad Fictional"].y() == at["Nan Fictional"].y() < at["Mum Fictional"].y() \
        < at["Ada Fictional"].y()
    ink = QColor("#1f2328")
    assert near(pixel(view, at["Grandad Fictional"].toPoint()), ink)
    assert not near(pixel(view, at["Nan Fictional"].toPoint()), ink)
    shot(qtbot, tab, "genogram.png")


def ids_of(ids: dict[str, str], pid: str) -> str:
    return next(name for name, i in ids.items() if i == pid)


def near(a: QColor, b: QColor, within: int = 60) -> bool:
    return all(abs(x - y) <= within for x, y in zip(a.getRgb()[:3], b.getRgb()[:3],
                                                    strict=True))


def test_score_a_scale_by_keyboard_and_mouse_and_see_it_beside_the_last_session(
        qtbot: Any, store: Store, case: Case) -> None:
    store.records.save(Person(case_id=case.id, name="Jo Fictional", relationship="Mum"))
    store.direct_work.add(case.id, DirectWorkTool.SCALING, held_on="2026-11-20",
                          parts={QUESTION: "How safe do you feel at home?"},
                          content={"scales": [{"person": "Ada Fictional", "score": 4,
                                               "why": "Shouting at night"}]})
    tab = new_session(qtbot, store, case, "Sc")
    editor = tab.editor
    assert isinstance(editor, ScalesEditor)
    # Offered: the child, her mum (from the case's people) and the worker, none scored yet.
    assert [r.person.text() for r in editor.rows] == ["Ada Fictional", "Jo Fictional",
                                                      "Sam Testworker"]
    assert [r.number.text() for r in editor.rows] == ["not scored"] * 3
    qtbot.mouseClick(tab.parts[QUESTION], Qt.MouseButton.LeftButton)
    type_here(qtbot, "How safe do you feel  at home?")    # the same question, spaced apart
    ada, mum, worker = editor.rows
    ada.slider.setFocus()
    type_here(qtbot, "7")                                  # a number key gives that score
    key(qtbot, Qt.Key.Key_Tab)                              # on to her "why"
    assert focused() is ada.why
    type_here(qtbot, "Mum is calmer now")
    mum.slider.setFocus()
    key(qtbot, Qt.Key.Key_End)                              # 10 ...
    key(qtbot, Qt.Key.Key_Left, 2)                          # ... less two
    groove = mum.slider.rect()
    qtbot.mouseClick(worker.slider, Qt.MouseButton.LeftButton,
                     pos=QPoint(groove.width() - 10, groove.height() // 2))
    assert worker.number.text() == "1"                      # a click steps towards it
    qtbot.mouseClick(editor.add, Qt.MouseButton.LeftButton)
    type_here(qtbot, "Nan Fictional")
    key(qtbot, Qt.Key.Key_Tab)
    type_here(qtbot, "5")
    assert [r.number.text() for r in editor.rows] == ["7", "8", "1", "5"]
    shot(qtbot, tab, "scaling.png")
    assert all(r.slider.height() >= 44 and r.isVisible() for r in editor.rows)   # large ones
    key(qtbot, Qt.Key.Key_Tab)                              # focus moves on: it saves itself

    saved = stored(store, tab)
    assert " ".join(saved.parts[QUESTION].split()) == "How safe do you feel at home?"
    assert saved.content["scales"] == [
        {"person": "Ada Fictional", "score": 7, "why": "Mum is calmer now"},
        {"person": "Jo Fictional", "score": 8, "why": ""},
        {"person": "Sam Testworker", "score": 1, "why": ""},
        {"person": "Nan Fictional", "score": 5, "why": ""}]
    # The chart holds this question's sessions, oldest first: Ada went from 4 to 7.
    sessions = editor.chart.sheet.sessions
    assert [(s.held_on, s.scales[0].person, s.scales[0].score) for s in sessions] == [
        ("2026-11-20", "Ada Fictional", 4), (saved.held_on, "Ada Fictional", 7)]
    assert "Ada Fictional 4" in editor.chart.accessibleDescription()
    assert "Ada Fictional 7" in editor.chart.accessibleDescription()


def test_a_year_that_is_not_one_is_said_in_words_and_not_kept(
        qtbot: Any, store: Store, case: Case) -> None:
    tab = new_session(qtbot, store, case, "Ge")
    editor = tab.editor
    assert isinstance(editor, GenogramEditor)
    qtbot.mouseClick(editor.add_person, Qt.MouseButton.LeftButton)
    cell(qtbot, editor.people, "Nan Fictional")
    key(qtbot, Qt.Key.Key_Right, 2)
    cell(qtbot, editor.people, "nineteen fifty")
    said = "When Nan Fictional was born is a year (1961) or a date (1961-04-02)"
    assert said in editor.problem.text()
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.text().startswith("Not saved: " + said)
    kept = stored(store, tab).content["genogram"]["people"]     # as it was before the year
    assert [(p["name"], p["born"]) for p in kept] == [("Nan Fictional", None)]
