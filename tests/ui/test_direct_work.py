"""Direct work: the child's words, and a photo of their drawing that is still there (and still
encrypted) after the app restarts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from rbsw_desktop.domain import Case, DirectWorkActivity
from rbsw_desktop.store import Store
from rbsw_desktop.store.demo import demo_drawing_png
from rbsw_desktop.ui.direct_work import DirectWorkTab
from tests.conftest import PASSPHRASE
from tests.ui.conftest import open_tab
from tests.ui.test_app_shell import SHOTS


def make_tab(qtbot, store: Store, case: Case) -> DirectWorkTab:  # noqa: ANN001
    return open_tab(qtbot, DirectWorkTab, store, case.id)


def test_record_words_attach_a_drawing_and_see_it_after_restart(qtbot, store: Store, case: Case,
                                                               data_dir: Path,
                                                               tmp_path: Path) -> None:
    tab = make_tab(qtbot, store, case)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    assert tab.activity is not None
    tab.tool.setCurrentIndex(tab.tool.findData("three_houses"))
    assert list(tab.parts) == ["House of worries", "House of good things", "House of dreams"]
    assert all(edit.isVisible() for edit in tab.parts.values())
    labels = [tab.parts_form.labelForField(e) for e in tab.parts.values()]
    assert all(label.isVisible() for label in labels)
    qtbot.keyClicks(tab.parts["House of dreams"], "A puppy called Biscuit")
    qtbot.keyClicks(tab.child_words, "I want a puppy")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    drawing = tmp_path / "drawing.png"
    drawing.write_bytes(demo_drawing_png())
    tab.attach(drawing)
    assert tab.thumbs.count() == 1
    assert not tab.thumbs.item(0).icon().isNull()
    activity_id = tab.activity.id
    tab.grab().save(str(SHOTS / "direct-work.png"))

    # Restart: lock the store, unlock it again, a new tab.
    store.lock()
    again = Store.unlock(data_dir, PASSPHRASE)
    saved = again.records.get(DirectWorkActivity, activity_id)
    assert saved.parts["House of dreams"] == "A puppy called Biscuit"
    assert saved.child_words == "I want a puppy"
    tab2 = make_tab(qtbot, again, case)
    tab2.list.setCurrentRow(0)
    assert tab2.thumbs.count() == 1 and not tab2.thumbs.item(0).icon().isNull()
    assert b"IHDR" not in (data_dir / "store.db").read_bytes()   # the PNG is not on disk
    again.lock()


def test_other_files_are_refused_in_plain_words(qtbot, store: Store, case: Case,
                                                tmp_path: Path) -> None:
    tab = make_tab(qtbot, store, case)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    bad = tmp_path / "notes.exe"
    bad.write_bytes(b"MZ")
    tab.attach(bad)
    assert "Only photos and scans" in tab.message.text()
    assert tab.thumbs.count() == 0
