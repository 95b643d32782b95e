"""The case's timeline as a worker reads it: every record, amendments too, newest first by the
local day (a review or a direct work session is of its whole day, not "before midnight"), and
Enter or a double-click opens the record in its own tab."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget

from rbsw_desktop.domain import Case, DirectWorkTool, VisitType, Zone
from rbsw_desktop.store import Store
from rbsw_desktop.ui.case_workspace import CaseWorkspace
from tests.ui.conftest import open_tab

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
# Each zone's local midnight-ish moment of Thursday 25 June 2026: 00:30 that day, in UTC.
HALF_PAST_MIDNIGHT = {"Europe/London": "2026-06-24T23:30:00.000Z",
                      "Pacific/Auckland": "2026-06-24T12:30:00.000Z"}
ELEVEN_THE_DAY_BEFORE = {"Europe/London": "2026-06-24T10:00:00.000Z",
                         "Pacific/Auckland": "2026-06-23T23:00:00.000Z"}


def lines(timeline: QListWidget) -> list[str]:
    return [timeline.item(i).text() for i in range(timeline.count())]


def row_of(timeline: QListWidget, words: str) -> int:
    return next(i for i, line in enumerate(lines(timeline)) if words in line)


def activate(qtbot, timeline: QListWidget, row: int, *, by: str) -> None:  # noqa: ANN001
    """Open an entry as a person does: a double-click on it, or select it and press Enter."""
    item = timeline.item(row)
    timeline.scrollToItem(item)
    centre = timeline.visualItemRect(item).center()
    if by == "mouse":
        qtbot.mouseClick(timeline.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(timeline.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    else:
        qtbot.mouseClick(timeline.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.keyClick(timeline, Qt.Key.Key_Return)


@pytest.fixture
def recorded(store: Store, case: Case, local_zone, request):  # noqa: ANN001, ANN201
    zone = request.param
    local_zone(zone)
    late = store.visits.add(case.id, visited_at=HALF_PAST_MIDNIGHT[zone],
                            visit_type=VisitType.STATUTORY, child_seen=True,
                            child_seen_alone=True, observations="Fictional: a late visit")
    store.visits.finalise(late.id)
    amendment = store.visits.amend(late.id, "Fictional: it was a Thursday", reason="day")
    earlier = store.visits.add(case.id, visited_at=ELEVEN_THE_DAY_BEFORE[zone],
                               visit_type=VisitType.STATUTORY)
    session = store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES,
                                    held_on="2026-06-25", title="Fictional houses")
    item = store.board.add(case.id, Zone.AMBER, "Fictional: bedtimes are late")
    review = store.board.start_review(case.id, held_on=date(2026, 6, 24))
    return {"zone": zone, "late": late, "amendment": amendment, "earlier": earlier,
            "session": session, "item": item, "review": review}


@pytest.mark.parametrize("recorded", ["Europe/London", "Pacific/Auckland"], indirect=True)
def test_the_timeline_lists_amendments_and_sorts_by_the_local_day(qtbot, store: Store,  # noqa: ANN001
                                                                 case: Case, recorded) -> None:  # noqa: ANN001
    workspace = open_tab(qtbot, CaseWorkspace, store, case.id, size=(1024, 600))
    workspace.tabs.setCurrentWidget(workspace.timeline)
    shown = lines(workspace.timeline)
    me = store.cases.worker_names()[store.actor]
    amendment = next(line for line in shown if "Amendment" in line)
    assert f"Amendment to the visit of 2026-06-25 00:30 by {me}: Fictional: it was a " \
        "Thursday" in amendment
    june = [line for line in shown if line.startswith("2026-06-2")]
    assert june == [
        "2026-06-25   Direct work: Three Houses: Fictional houses",   # the day, on top of it
        "2026-06-25 00:30   Statutory visit",                         # not on the 24th (UTC)
        "2026-06-24   Review of the board",                           # not below 11:00
        "2026-06-24 11:00   Statutory visit (draft)",
    ], shown
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = recorded["zone"].replace("/", "-")
    assert workspace.grab().save(str(SHOTS / f"timeline-1024x600-{name}.png"))


@pytest.mark.parametrize("recorded", ["Europe/London"], indirect=True)
def test_enter_or_a_double_click_opens_the_record_in_its_tab(qtbot, store: Store, case: Case,  # noqa: ANN001
                                                             recorded) -> None:  # noqa: ANN001
    workspace = open_tab(qtbot, CaseWorkspace, store, case.id, size=(1024, 600))
    timeline = workspace.timeline
    workspace.tabs.setCurrentWidget(timeline)

    activate(qtbot, timeline, row_of(timeline, "00:30   Statutory visit"), by="keyboard")
    assert workspace.tabs.currentWidget() is workspace.visits
    editor = workspace.visits.editor
    qtbot.waitUntil(lambda: editor.visit is not None and editor.visit.id == recorded["late"].id)
    assert workspace.visits.list.currentItem().data(Qt.ItemDataRole.UserRole) == \
        recorded["late"].id
    assert editor.texts["observations"].toPlainText() == "Fictional: a late visit"

    workspace.tabs.setCurrentWidget(timeline)
    activate(qtbot, timeline, row_of(timeline, "11:00   Statutory visit"), by="mouse")
    qtbot.waitUntil(lambda: editor.visit.id == recorded["earlier"].id)

    workspace.tabs.setCurrentWidget(timeline)            # an amendment opens its visit
    activate(qtbot, timeline, row_of(timeline, "Amendment to the visit"), by="mouse")
    qtbot.waitUntil(lambda: editor.visit.id == recorded["late"].id)
    assert "Fictional: it was a Thursday" in editor.amendments.item(0).text()

    workspace.tabs.setCurrentWidget(timeline)
    activate(qtbot, timeline, row_of(timeline, "Direct work: Three Houses"), by="mouse")
    assert workspace.tabs.currentWidget() is workspace.direct_work
    qtbot.waitUntil(lambda: workspace.direct_work.activity is not None
                    and workspace.direct_work.activity.id == recorded["session"].id)

    workspace.tabs.setCurrentWidget(timeline)            # a board move: its item, selected
    activate(qtbot, timeline, row_of(timeline, "Board: added to"), by="keyboard")
    board = workspace.board
    assert workspace.tabs.currentWidget() is board
    amber = board.views[Zone.AMBER]
    qtbot.waitUntil(lambda: amber.selected_id() == recorded["item"].id)
