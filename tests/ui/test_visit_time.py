"""A visit's "When" is the time the worker entered, in any zone, after any number of autosaves.

The laptop's zone is set by each test (the `local_zone` fixture: TZ and time.tzset(), checked
against Qt), so these prove the same thing whatever zone the test run is in. The visit is
stored as an exact instant in UTC and shown in local time: in the editor, the visit list, the
amendments, the timeline and the caseload.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QPoint, Qt, QTime
from PySide6.QtWidgets import QDateTimeEdit, QLineEdit

from rbsw_desktop.domain import Case, Visit, VisitStatus, VisitType, Zone
from rbsw_desktop.store import Store
from rbsw_desktop.store.sync_state import PushAck
from rbsw_desktop.ui.business_support import summary
from rbsw_desktop.ui.case_workspace import CaseWorkspace
from rbsw_desktop.ui.caseload import CaseloadModel
from rbsw_desktop.ui.conflicts import ConflictsView
from rbsw_desktop.ui.visits import VisitEditor, VisitsTab
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.ui.conftest import open_tab, store_taskman

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
#: The real autosave timer, made quick so a test waits milliseconds, not seconds, for it.
QUICK_AUTOSAVE_MS = 30


def choose(qtbot, tab: VisitsTab, visit_id: str) -> VisitEditor:  # noqa: ANN001
    """Click the visit's line in the list, as a worker does; the editor opens it."""
    for row in range(tab.list.count()):
        item = tab.list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == visit_id:
            qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton,
                             pos=tab.list.visualItemRect(item).center())
            break
    editor = tab.editor
    qtbot.waitUntil(lambda: editor.visit is not None and editor.visit.id == visit_id)
    return editor


def click_into(qtbot, field: QDateTimeEdit) -> None:  # noqa: ANN001
    """Click on the time's text, where a person's click lands: the field's line edit (a click
    sent to the QDateTimeEdit itself would hit its combo-box hit test and step the day)."""
    text = field.findChild(QLineEdit)
    field.activateWindow()
    qtbot.mouseClick(text, Qt.MouseButton.LeftButton, pos=QPoint(5, text.height() // 2))


def type_and_wait_for_autosave(qtbot, editor: VisitEditor, words: str) -> None:  # noqa: ANN001
    with qtbot.waitSignal(editor.sig_saved, timeout=3000):
        qtbot.keyClicks(editor.texts["observations"], words)
    assert editor.status.text().startswith("Saved")


def shown(editor: VisitEditor) -> tuple[QDate, int, int]:
    """What "When" shows: the day, the hour and the minute (the format hides seconds)."""
    at = editor.visited_at.dateTime()
    return at.date(), at.time().hour(), at.time().minute()


def local(text: str, zone: str) -> str:
    """The expected local reading, worked out with zoneinfo, not with the code under test."""
    return datetime.fromisoformat(text).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


CASES = [
    # zone, stored instant, the local day and time it must show
    ("Europe/London", "2026-06-25T06:09:00.000Z", (2026, 6, 25), "07:09"),          # BST
    ("Europe/London", "2026-01-15T07:09:23.456Z", (2026, 1, 15), "07:09"),          # GMT
    # The last Sunday of October: 01:30 happens twice, first BST then GMT. Both must stay.
    ("Europe/London", "2026-10-25T00:30:00.000Z", (2026, 10, 25), "01:30"),
    ("Europe/London", "2026-10-25T01:30:00.000Z", (2026, 10, 25), "01:30"),
    ("Europe/London", "2026-10-25T00:59:59.999Z", (2026, 10, 25), "01:59"),
    ("Europe/Paris", "2026-01-15T06:09:00.000Z", (2026, 1, 15), "07:09"),           # CET
    ("Europe/Paris", "2026-06-25T05:09:00.000Z", (2026, 6, 25), "07:09"),           # CEST
    ("Pacific/Auckland", "2026-06-25T19:09:23.456Z", (2026, 6, 26), "07:09"),       # next day
]


@pytest.mark.parametrize(("zone", "stored", "day", "time"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_when_is_unchanged_by_autosaves_and_reopening(qtbot, store: Store, case: Case,  # noqa: ANN001
                                                      local_zone, zone: str, stored: str,  # noqa: ANN001
                                                      day: tuple[int, int, int],
                                                      time: str) -> None:
    local_zone(zone)
    visit = store.visits.add(case.id, visited_at=stored)
    hour, minute = (int(x) for x in time.split(":"))
    want = (QDate(*day), hour, minute)
    for attempt in range(2):             # and again after "restarting": a fresh tab
        tab = open_tab(qtbot, VisitsTab, store, case.id)
        editor = choose(qtbot, tab, visit.id)
        editor.autosave.timer.setInterval(QUICK_AUTOSAVE_MS)
        for words in ("Fictional: ", "we made ", "a den. "):
            type_and_wait_for_autosave(qtbot, editor, words)
            assert store.records.get(Visit, visit.id).visited_at == stored, (attempt, words)
            assert shown(editor) == want, (attempt, words)
        assert editor.visited_at.text().endswith(time)
        assert tab.list.currentItem().text().splitlines()[0] == local(stored, zone)
        # The worker clicks into "When" and tabs across its parts, then goes on to the notes:
        # Qt reads the text back (in October it takes the first 01:30, BST), yet the moment
        # saved stays the one stored.
        when = editor.visited_at
        click_into(qtbot, when)
        qtbot.waitUntil(when.hasFocus)
        qtbot.keyClick(when, Qt.Key.Key_Tab)
        editor.texts["analysis"].setFocus()
        type_and_wait_for_autosave(qtbot, editor, "x")
        assert store.records.get(Visit, visit.id).visited_at == stored
        assert tab.list.currentItem().text().splitlines()[0] == local(stored, zone)
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = f"visit-when-{zone.replace('/', '-')}-{stored[:16].replace(':', '')}.png"
        assert tab.grab().save(str(SHOTS / name))
        tab.close()
    assert store.records.get(Visit, visit.id).observations.startswith("Fictional: we made a den.")


def test_the_time_the_worker_enters_is_stored_as_that_local_moment(
        qtbot, store: Store, case: Case, local_zone) -> None:  # noqa: ANN001
    local_zone("Europe/London")
    visit = store.visits.add(case.id, visited_at="2026-06-25T09:41:17.250Z")
    tab = open_tab(qtbot, VisitsTab, store, case.id)
    editor = choose(qtbot, tab, visit.id)
    editor.autosave.timer.setInterval(QUICK_AUTOSAVE_MS)
    when = editor.visited_at
    when.setFocus()
    with qtbot.waitSignal(editor.sig_saved, timeout=3000):
        when.setSelectedSection(QDateTimeEdit.Section.HourSection)   # as a click on the hours
        qtbot.keyClicks(when, "07")
        when.setSelectedSection(QDateTimeEdit.Section.MinuteSection)
        qtbot.keyClicks(when, "09")
    qtbot.waitUntil(lambda: store.records.get(Visit, visit.id).visited_at
                    == "2026-06-25T06:09:00.000Z")      # 07:09 BST, to the minute entered
    for words in ("Fictional ", "words"):
        type_and_wait_for_autosave(qtbot, editor, words)
    assert store.records.get(Visit, visit.id).visited_at == "2026-06-25T06:09:00.000Z"
    assert shown(editor) == (QDate(2026, 6, 25), 7, 9)
    assert tab.list.currentItem().text().startswith("2026-06-25 07:09\n")
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert tab.grab().save(str(SHOTS / "visit-when-london-summer.png"))


def test_a_visit_synced_to_a_laptop_in_another_zone_is_the_same_moment(
        qtbot, store: Store, case: Case, local_zone, tmp_path: Path) -> None:  # noqa: ANN001
    local_zone("Europe/London")
    visit = store.visits.add(case.id, visited_at="2026-06-25T06:09:00.000Z")   # 07:09 BST
    (op,) = [o for o in store.outbox.next_push_batch(500, 10**7) if o.record_id == visit.id]
    store.outbox.mark_pushed([op], [PushAck(op.op_id, "applied", 1)])

    other = Store.create(tmp_path / "auckland", PASSPHRASE, kdf=FAST_KDF)
    try:
        local_zone("Pacific/Auckland")
        tally = other.outbox.apply_pulled([{"entity": "visit", "id": visit.id, "rev": 1,
                                     "fields": op.fields}])
        assert tally.applied == 1
        tab = open_tab(qtbot, VisitsTab, other, case.id)
        editor = choose(qtbot, tab, visit.id)
        editor.autosave.timer.setInterval(QUICK_AUTOSAVE_MS)
        assert shown(editor) == (QDate(2026, 6, 25), 18, 9)      # 18:09 NZST, same moment
        for words in ("Fictional: ", "read in Auckland"):
            type_and_wait_for_autosave(qtbot, editor, words)
        assert other.records.get(Visit, visit.id).visited_at == "2026-06-25T06:09:00.000Z"
        (back,) = [o for o in other.outbox.next_push_batch(500, 10**7) if o.record_id == visit.id]
        assert back.fields["visited_at"] == "2026-06-25T06:09:00.000Z"
        tab.close()
    finally:
        other.lock()

    local_zone("Europe/London")                  # the first laptop shows 07:09 still
    tab = open_tab(qtbot, VisitsTab, store, case.id)
    assert shown(choose(qtbot, tab, visit.id)) == (QDate(2026, 6, 25), 7, 9)


def test_amendments_and_the_timeline_show_local_times(qtbot, store: Store, case: Case,  # noqa: ANN001
                                                      local_zone) -> None:  # noqa: ANN001
    zone = "Pacific/Auckland"
    local_zone(zone)
    visit = store.visits.add(case.id, visited_at="2026-06-25T19:09:00.000Z",
                             visit_type=VisitType.STATUTORY)
    store.visits.finalise(visit.id)
    amendment = store.visits.amend(visit.id, "Fictional correction", reason="typo")
    item = store.board.add(case.id, Zone.GREEN, "Goes to football (fictional)")
    (move,) = store.board.history(item.id)

    tab = open_tab(qtbot, VisitsTab, store, case.id)
    editor = choose(qtbot, tab, visit.id)
    assert editor.amendments.item(0).text().startswith(
        f"{local(amendment.amended_at, zone)}: Fictional correction")

    workspace = open_tab(qtbot, CaseWorkspace, store, case.id)
    workspace.tabs.setCurrentWidget(workspace.timeline)
    lines = [workspace.timeline.item(i).text() for i in range(workspace.timeline.count())]
    assert f"{local(move.moved_at, zone)}   Board: added to {Zone.GREEN.label}: Goes to " \
        "football (fictional)" in lines
    assert "2026-06-26 07:09   Statutory visit" in lines
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert workspace.grab().save(str(SHOTS / "timeline-auckland.png"))


def test_the_caseload_dates_a_visit_by_the_local_day(store: Store, case: Case,
                                                     local_zone) -> None:  # noqa: ANN001
    local_zone("Europe/London")
    # 00:30 BST on Tuesday 2 June is 23:30 UTC on Monday 1 June.
    store.visits.add(case.id, visited_at="2026-06-01T23:30:00.000Z", child_seen=True,
                     visit_type=VisitType.STATUTORY, status=VisitStatus.FINALISED)
    (summary_row,) = store.cases.summaries(today=date(2026, 6, 15))
    assert summary_row.last_visit == date(2026, 6, 2)
    # 10 working days counting 2 June: due Monday 15 June, so not overdue that day.
    assert summary_row.next_visit_due == date(2026, 6, 15)
    assert summary_row.days_overdue == 0
    model = CaseloadModel()
    model.set_cases([summary_row])
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == \
        "Last statutory visit: 02 Jun 2026"
    assert model.index(0, 1).data() == "Due today"          # 15 June, the day it is due


def test_the_pod_view_names_a_visit_by_its_local_day(local_zone) -> None:  # noqa: ANN001
    local_zone("Europe/London")
    assert summary({"entity": "visit", "fields": {"visited_at": "2026-06-01T23:30:00.000Z"}}) \
        == "Visit on Tue 2 Jun 2026"


@pytest.mark.parametrize("words_differ", [True, False])
def test_a_conflict_shows_times_locally_and_never_merges_them_as_text(
        qtbot, store: Store, case: Case, local_zone, words_differ: bool) -> None:  # noqa: ANN001
    local_zone("Europe/London")
    visit = store.visits.add(case.id, visited_at="2026-06-25T06:09:00.000Z",
                             observations="Fictional: mine")
    (op,) = [o for o in store.outbox.next_push_batch(500, 10**7) if o.record_id == visit.id]
    fields = {**op.fields, "visited_at": "2026-06-25T09:30:00.000Z"}
    if words_differ:
        fields["observations"] = "Fictional: theirs"
    store.outbox.mark_pushed([op], [PushAck(op.op_id, "conflict",
                                            theirs={"rev": 2, "deleted": False, "fields": fields})])
    view = ConflictsView(taskman=store_taskman(store))
    qtbot.addWidget(view)
    view.reload()
    assert "visited_at: 2026-06-25 07:09" in view.mine.toPlainText()
    assert "visited_at: 2026-06-25 10:30" in view.theirs.toPlainText()
    if words_differ:                         # the words merge; the time is chosen, not merged
        assert view.merge.isEnabled() and "Fictional: theirs" in view.merge_edit.toPlainText()
        view.merge.click()
        assert store.records.get(Visit, visit.id).visited_at == "2026-06-25T06:09:00.000Z"
    else:
        assert not view.merge.isEnabled()
        view.keep_theirs.click()
        assert store.records.get(Visit, visit.id).visited_at == "2026-06-25T09:30:00.000Z"


def test_qt_follows_the_zone_the_test_sets(local_zone) -> None:  # noqa: ANN001
    from PySide6.QtCore import QDateTime
    at = datetime(2026, 6, 25, 6, 9, tzinfo=UTC)
    for zone, hour in (("Europe/London", 7), ("Europe/Paris", 8), ("Pacific/Auckland", 18)):
        local_zone(zone)
        assert QDateTime.fromMSecsSinceEpoch(int(at.timestamp()) * 1000).time() == \
            QTime(hour, 9)
