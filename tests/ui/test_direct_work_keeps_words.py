"""Direct work never drops what a worker typed: not when the Tool changes (a stray mouse wheel
over the combo is enough), and not when a scan finishes attaching while they type."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from rbsw_desktop.domain import Case, DirectWorkActivity
from rbsw_desktop.store import Store
from rbsw_desktop.store.demo import demo_drawing_png
from rbsw_desktop.ui.direct_work import DirectWorkTab
from rbsw_desktop.ui.taskman import TaskManager
from tests.ui.conftest import open_tab, threaded_taskman

DREAMS = "Fictional: a puppy called Biscuit"
FEELINGS = "Fictional: happy at Nana's"


def choose_tool(qtbot, tab: DirectWorkTab, value: str) -> None:  # noqa: ANN001
    """Pick a tool with the keyboard, as a worker does (Up/Down on the focused combo)."""
    tab.tool.setFocus()
    target = tab.tool.findData(value)
    while tab.tool.currentIndex() != target:
        key = Qt.Key.Key_Down if tab.tool.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(tab.tool, key)
    assert tab.tool.currentData() == value


def test_changing_the_tool_keeps_every_answer(qtbot, store: Store, case: Case) -> None:
    tab = open_tab(qtbot, DirectWorkTab, store, case.id)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    activity_id = tab.activity.id
    tab.autosave.timer.setInterval(100)       # the real pause is 3 seconds
    choose_tool(qtbot, tab, "three_houses")
    qtbot.keyClicks(tab.parts["House of dreams"], DREAMS)

    # One notch of the wheel over the combo: Wizard / Fairy has no "House of dreams".
    qtbot.keyClick(tab.tool, Qt.Key.Key_Down)
    assert tab.tool.currentData() == "wizard_fairy"
    assert "House of dreams" not in tab.parts
    qtbot.waitUntil(lambda: [a.tool.value for a in store.direct_work.of_case(case.id)]
                    == ["wizard_fairy"], timeout=3000)
    assert store.records.get(DirectWorkActivity, activity_id).parts["House of dreams"] == DREAMS

    qtbot.keyClick(tab.tool, Qt.Key.Key_Up)   # back again: the answer is there
    assert tab.parts["House of dreams"].toPlainText() == DREAMS

    # A prompt both tools have keeps its answer on screen.
    choose_tool(qtbot, tab, "wishes_and_feelings")
    qtbot.keyClicks(tab.parts["My feelings"], FEELINGS)
    choose_tool(qtbot, tab, "all_about_me")
    assert tab.parts["My feelings"].toPlainText() == FEELINGS
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    saved = store.records.get(DirectWorkActivity, activity_id)
    assert saved.tool.value == "all_about_me"
    assert saved.parts == {"House of dreams": DREAMS, "My feelings": FEELINGS}

    # Opened again later, switching back to Three Houses still shows the dream.
    tab2 = open_tab(qtbot, DirectWorkTab, store, case.id)
    tab2.list.setCurrentRow(0)
    assert tab2.parts["My feelings"].toPlainText() == FEELINGS
    choose_tool(qtbot, tab2, "three_houses")
    assert tab2.parts["House of dreams"].toPlainText() == DREAMS


@pytest.fixture
def threaded(qtbot, store: Store):  # noqa: ANN001, ANN201
    """A real-thread task manager over the test's store (the attach runs off the UI thread)."""
    manager = threaded_taskman(qtbot, store)
    yield manager
    manager.close_store()


def test_words_typed_while_a_scan_attaches_are_kept_and_saved(qtbot, store: Store, case: Case,
                                                             threaded: TaskManager,
                                                             tmp_path: Path,
                                                             monkeypatch) -> None:  # noqa: ANN001
    tab = DirectWorkTab(taskman=threaded, case_id=case.id)
    qtbot.addWidget(tab)
    tab.resize(1100, 720)
    tab.show()
    tab.autosave.timer.setInterval(60_000)    # only the worker's own actions save here
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(tab.title, "Fictional: the first session")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.activity is not None and tab.list.count() == 1)
    first_id = tab.activity.id
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)   # kept once the scan is
    assert tab.activity.id != first_id
    activity_id = tab.activity.id

    # Hold the attach in flight (a big scan still being encrypted) until the worker has typed.
    real_attach = threaded.store.direct_work.attach
    started, release = threading.Event(), threading.Event()

    def slow_attach(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started.set()
        release.wait(10)
        return real_attach(*args, **kwargs)

    monkeypatch.setattr(threaded.store.direct_work, "attach", slow_attach)
    drawing = tmp_path / "drawing.png"
    drawing.write_bytes(demo_drawing_png())
    tab.attach(drawing)
    qtbot.waitUntil(started.is_set)
    qtbot.keyClicks(tab.child_words, "Fictional: I drew my dog")
    qtbot.keyClicks(tab.parts["House of dreams"], DREAMS)
    assert tab.thumbs.count() == 0
    release.set()
    qtbot.waitUntil(lambda: tab.thumbs.count() == 1, timeout=10_000)
    assert tab.list.count() == 2

    assert not tab.thumbs.item(0).icon().isNull()
    assert tab.child_words.toPlainText() == "Fictional: I drew my dog"
    assert tab.parts["House of dreams"].toPlainText() == DREAMS
    assert tab.dirty and "Not saved yet" in tab.message.text()
    assert tab.autosave.timer.isActive()      # it will still save itself

    # The worker picks the other session: what they typed is saved first.
    row = next(r for r in range(tab.list.count())
               if tab.list.item(r).data(Qt.ItemDataRole.UserRole).id == first_id)
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.list.visualItemRect(tab.list.item(row)).center())
    qtbot.waitUntil(lambda: tab.message.text().startswith("Saved"), timeout=10_000)
    assert threaded.wait(10_000)
    saved = store.records.get(DirectWorkActivity, activity_id)
    assert saved.child_words == "Fictional: I drew my dog"
    assert saved.parts == {"House of dreams": DREAMS}
    assert len(store.direct_work.attachments(activity_id)) == 1
