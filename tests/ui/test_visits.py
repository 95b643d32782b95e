"""Writing a visit as a worker does: typing, autosave, an idle lock, finalising, amending."""

from __future__ import annotations

from PySide6.QtCore import Qt

from rbsw_desktop.domain import Visit, VisitStatus
from tests.ui.test_app_shell import SHOTS, unlock, window  # noqa: F401 - fixture


def open_poppy(qtbot, win) -> None:  # noqa: ANN001
    unlock(qtbot, win)
    poppy = next(r for r in win.caseload.model_.rows if r.child_name == "Poppy Pretend")
    win.open_case(poppy.id)


def test_write_a_visit_lock_when_idle_unlock_and_find_the_text(qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab = window.workspace.visits
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    editor = tab.editor
    assert editor.isEnabled() and editor.visit is not None
    visit_id = editor.visit.id
    qtbot.keyClicks(editor.texts["observations"], "Fictional: we baked flapjacks together")
    qtbot.keyClicks(editor.texts["child_words"], "I like the crunchy bits")
    assert editor.dirty
    # No explicit save: the idle lock must not lose what was typed.
    window.idle_timer.setInterval(30)
    window.idle_timer.start()
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    unlock(qtbot, window)
    store = window.taskman.store
    visit = store.records.get(Visit, visit_id)
    assert visit.observations == "Fictional: we baked flapjacks together"
    assert visit.child_words == "I like the crunchy bits"
    assert [h.record_id for h in store.search.find("flapjacks")] == [visit_id]


def test_autosave_on_focus_change(qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab = window.workspace.visits
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    editor = tab.editor
    editor.texts["analysis"].setFocus()
    qtbot.keyClicks(editor.texts["analysis"], "Fictional analysis words")
    editor.save_if_dirty()          # what a focus change or the 3-second timer triggers
    assert "Saved" in editor.status.text()
    saved = window.taskman.store.records.get(Visit, editor.visit.id)
    assert saved.analysis == "Fictional analysis words"
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "visit-editor.png"))


def test_finalise_locks_and_amendments_show_with_the_original(qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab = window.workspace.visits
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    editor = tab.editor
    qtbot.keyClicks(editor.texts["observations"], "Fictional original words")
    editor.child_seen.setChecked(True)
    editor.seen_alone.setChecked(True)
    assert editor.finalise_button.isEnabled() and not editor.amend_button.isEnabled()  # draft
    editor.finalise_now()
    assert editor.visit.status is VisitStatus.FINALISED
    observations = editor.texts["observations"]
    assert observations.isReadOnly() and not editor.child_seen.isEnabled()
    qtbot.keyClicks(observations, " typed after finalising")     # a legal record: no edits
    assert observations.toPlainText() == "Fictional original words"
    assert editor.amend_button.isEnabled() and not editor.finalise_button.isEnabled()
    # Visibly so: a finalised field and a disabled button do not look like live ones.
    assert observations.grab().toImage().pixelColor(5, 5) != \
        tab.list.grab().toImage().pixelColor(5, 5)
    assert editor.finalise_button.grab().toImage().pixelColor(
        editor.finalise_button.width() // 2, 3) != editor.amend_button.grab().toImage(
    ).pixelColor(editor.amend_button.width() // 2, 3)
    editor.amend_now("Correction: it was Tuesday", "date")
    assert editor.amendments.count() == 1
    assert "Correction: it was Tuesday" in editor.amendments.item(0).text()
    assert editor.texts["observations"].toPlainText() == "Fictional original words"
    window.grab().save(str(SHOTS / "visit-finalised.png"))


def test_finalise_is_refused_in_plain_words_without_a_reason(qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab = window.workspace.visits
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    editor = tab.editor
    editor.child_seen.setChecked(True)
    editor.finalise_now()
    assert "record why" in editor.status.text()
    assert editor.visit.status is VisitStatus.DRAFT



def view_audits(store) -> int:  # noqa: ANN001
    return store.db.execute("SELECT count(*) FROM audit WHERE action = 'view'").fetchone()[0]


def test_autosaves_refresh_only_the_visits_line_and_audit_no_views(qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    store = window.taskman.store
    tab = window.workspace.visits
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    editor = tab.editor
    views = view_audits(store)
    line = tab.list.currentItem()
    timeline_first = window.workspace.timeline.item(0)
    for words in ("Fictional: ", "we played ", "snap"):
        qtbot.keyClicks(editor.texts["observations"], words)
        editor.save_if_dirty()          # what the 3-second timer does
        assert editor.status.text().startswith("Saved")
    editor.announced.setChecked(False)
    editor.save_if_dirty()
    assert store.records.get(Visit, editor.visit.id).observations == "Fictional: we played snap"
    assert view_audits(store) == views                       # no "view" per autosave
    assert tab.list.currentItem() is line                     # the list was not rebuilt...
    assert window.workspace.timeline.item(0) is timeline_first   # ...nor the case reloaded
    assert "Draft" in line.text()


def test_no_visit_chosen_says_so_instead_of_a_blank_form(qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    editor = window.workspace.visits.editor
    assert editor.placeholder.isVisible()
    assert "Choose a visit or start a new one" in editor.placeholder.text()
    assert not editor.visited_at.isVisible()       # no "Sat 1 Jan 2000 00:00"
    qtbot.mouseClick(window.workspace.visits.new_button, Qt.MouseButton.LeftButton)
    assert editor.visited_at.isVisible() and not editor.placeholder.isVisible()
    scroll = editor.texts["observations"].parentWidget().parentWidget().parentWidget()
    assert not scroll.horizontalScrollBar().isVisible()
    assert scroll.height() > editor.height() * 0.6      # the form takes the height
