"""Sessions in direct work, driven as a worker does: "New session" keeps nothing until something
is written in it or a picture attached, a draft left blank is not kept, and a session is removed
after a confirmation that names it (its pictures with it, as tombstones that sync)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from rbsw_desktop.domain import Attachment, Case, DirectWorkActivity, DirectWorkTool
from rbsw_desktop.store import Store
from rbsw_desktop.store.demo import demo_drawing_png
from rbsw_desktop.ui.direct_work import DirectWorkTab
from tests.ui.conftest import open_tab
from tests.ui.test_app_shell import SHOTS
from tests.ui.test_direct_work_pictures import alt, confirmation, focus


def new_tab(qtbot, store: Store, case: Case) -> DirectWorkTab:  # noqa: ANN001
    tab = open_tab(qtbot, DirectWorkTab, store, case.id)
    tab.autosave.timer.setInterval(50)        # the real pause is 3 seconds
    return tab


def kept(store: Store, case: Case) -> list[str]:
    return [a.title for a in store.direct_work.of_case(case.id)]


def test_a_new_session_is_kept_only_once_something_is_written(qtbot, store: Store,
                                                              case: Case) -> None:
    tab = new_tab(qtbot, store, case)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    assert tab.title.isEnabled() and tab.window().focusWidget() is tab.title
    assert "kept once you write something" in tab.message.text()
    assert kept(store, case) == [] and tab.list.count() == 0
    assert not tab.remove_button.isEnabled()
    # Choosing a tool and ticking the sharing box is not a session yet.
    tab.tool.setFocus()
    qtbot.keyClick(tab.tool, Qt.Key.Key_Down)
    qtbot.keyClick(tab.shareable, Qt.Key.Key_Space)
    assert tab.shareable.isChecked()
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert kept(store, case) == [] and tab.list.count() == 0
    # A title is.
    qtbot.keyClicks(tab.title, "Fictional: my family")
    qtbot.waitUntil(lambda: kept(store, case) == ["Fictional: my family"])
    qtbot.waitUntil(lambda: tab.list.count() == 1)
    assert "Fictional: my family" in tab.list.item(0).text()
    assert tab.list.currentRow() == 0 and tab.remove_button.isEnabled()
    assert tab.title.text() == "Fictional: my family"     # nothing on screen was reset
    (saved,) = store.direct_work.of_case(case.id)
    assert saved.shareable and saved.tool == DirectWorkTool(tab.tool.currentData())
    assert store.db.execute("SELECT action FROM audit WHERE record_id = ? ORDER BY seq",
                            [saved.id]).fetchall()[0] == ("create",)


def test_a_blank_draft_is_not_kept(qtbot, store: Store, case: Case) -> None:
    tab = new_tab(qtbot, store, case)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)   # twice: still nothing
    assert kept(store, case) == [] and tab.list.count() == 0
    # A word typed and taken back again: saved for a moment, then not kept once left.
    qtbot.keyClicks(tab.child_words, "x")
    qtbot.waitUntil(lambda: len(store.direct_work.of_case(case.id)) == 1)
    draft_id = tab.activity.id
    qtbot.keyClick(tab.child_words, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: store.direct_work.of_case(case.id)[0].child_words == "")
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.list.count() == 0)
    assert store.direct_work.of_case(case.id) == []
    (gone,) = store.records.find(DirectWorkActivity, "id = ?", [draft_id],
                                 include_deleted=True)
    assert gone.deleted                           # a tombstone, as every removal


def test_a_picture_makes_a_new_session_kept_and_a_refused_file_does_not(
        qtbot, store: Store, case: Case, tmp_path: Path) -> None:
    tab = new_tab(qtbot, store, case)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    bad = tmp_path / "notes.exe"
    bad.write_bytes(b"MZ")
    tab.attach(bad)                    # (the file chooser's answer)
    assert "Only photos and scans" in tab.message.text()
    assert kept(store, case) == [] and tab.list.count() == 0
    drawing = tmp_path / "drawing.png"
    drawing.write_bytes(demo_drawing_png())
    tab.attach(drawing)
    qtbot.waitUntil(lambda: tab.thumbs.count() == 1)
    assert kept(store, case) == [""] and tab.list.count() == 1
    assert len(store.direct_work.attachments(tab.activity.id)) == 1


def test_removing_a_session_asks_naming_it_and_takes_its_pictures(qtbot, store: Store,
                                                                  case: Case) -> None:
    keep = store.direct_work.add(case.id, DirectWorkTool.FREE_FORM, title="Fictional: kept",
                                 held_on="2026-11-20")
    activity = store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES,
                                     title="Fictional: Sam's houses", held_on="2026-11-24")
    photo = store.direct_work.attach(activity.id, case.id, demo_drawing_png(), "image/png",
                                     filename="houses.png", caption="Fictional: the houses")
    tab = new_tab(qtbot, store, case)
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.list.visualItemRect(tab.list.item(0)).center())
    qtbot.waitUntil(lambda: tab.thumbs.count() == 1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.grab().save(str(SHOTS / "direct-work-session.png"))

    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    box = confirmation(qtbot, tab)
    assert box.text() == ("Remove the session “Three Houses: Fictional: Sam's houses” of "
                          "Tue 24 Nov 2026?")
    assert box.informativeText().startswith("Its photo or scan goes with it. ")
    qtbot.keyClick(box, Qt.Key.Key_Escape)         # Esc: nothing removed
    assert not box.isVisible() and len(kept(store, case)) == 2

    focus(qtbot, tab.list)                          # Delete on the list asks too
    qtbot.keyClick(tab.list, Qt.Key.Key_Delete)
    box = confirmation(qtbot, tab)
    alt(qtbot, box, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: tab.list.count() == 1)
    assert kept(store, case) == ["Fictional: kept"]
    assert store.direct_work.attachments(activity.id) == []
    assert store.records.find(Attachment, "id = ?", [photo.id], include_deleted=True)[0].deleted
    assert tab.activity is None and not tab.title.isEnabled() and tab.thumbs.count() == 0
    assert tab.message.text() == "The session was removed."
    assert tab.window().focusWidget() is tab.list
    assert keep.id == tab.list.item(0).data(Qt.ItemDataRole.UserRole).id


def test_a_filed_session_is_shown_as_it_stays(qtbot, store: Store, case: Case) -> None:
    activity = store.direct_work.add(case.id, DirectWorkTool.FREE_FORM, title="Fictional: filed")
    store.db.execute("UPDATE direct_work_activity SET sync_state = 'filed', rev = 1 WHERE id = ?",
                     [activity.id])
    tab = new_tab(qtbot, store, case)
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.list.visualItemRect(tab.list.item(0)).center())
    qtbot.waitUntil(lambda: tab.activity is not None)
    assert tab.title.text() == "Fictional: filed"
    assert not tab.title.isEnabled() and not tab.remove_button.isEnabled()
    assert not tab.attach_button.isEnabled()
    assert tab.message.text() == ("This session was filed in the council's case system, so it "
                                  "stays as it is.")
