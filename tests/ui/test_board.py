"""The board as a family and worker use it: add, drag red to green, move by keyboard, review,
and meeting mode showing nothing worker-only."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLabel

from rbsw_desktop.domain import BoardItem, Case, RaisedBy, WithheldReason, Zone
from rbsw_desktop.store import Store
from rbsw_desktop.ui.board import BoardTab
from rbsw_desktop.ui.meeting_mode import MeetingMode
from tests.ui.conftest import open_tab
from tests.ui.test_app_shell import SHOTS


def make_tab(qtbot, store: Store, case: Case) -> BoardTab:  # noqa: ANN001
    return open_tab(qtbot, BoardTab, store, case.id)


def zone_texts(tab: BoardTab, zone: Zone) -> list[str]:
    model = tab.models[zone]
    return [model.index(r).data().split("\n")[0] for r in range(model.rowCount())]


def test_models_pass_the_model_tester(qtbot, qtmodeltester, store: Store, case: Case) -> None:
    store.add_board_item(case.id, Zone.RED, "Fictional red")
    tab = make_tab(qtbot, store, case)
    for model in tab.models.values():
        qtmodeltester.check(model)


def test_add_an_item_in_the_familys_words(qtbot, store: Store, case: Case) -> None:
    tab = make_tab(qtbot, store, case)
    tab.add_from({"text": "Mum and Dad argue at night", "zone": Zone.RED,
                  "raised_by": RaisedBy.FAMILY, "shareable": True, "withheld_reason": None,
                  "worker_note": ""})
    assert zone_texts(tab, Zone.RED) == ["Mum and Dad argue at night"]
    shown = tab.models[Zone.RED].index(0).data()
    assert "Raised by the family" in shown and "Shared with the family" in shown


def test_drag_red_to_green_then_review_shows_the_proud_moment(qtbot, store: Store,
                                                              case: Case) -> None:
    item = store.add_board_item(case.id, Zone.RED, "Dad shouts when he drinks")
    store.start_review(case.id)
    tab = make_tab(qtbot, store, case)
    red, green = tab.models[Zone.RED], tab.models[Zone.GREEN]
    # Exactly what a drop does: the dragged rows' mime data, dropped on the green zone.
    mime = red.mimeData([red.index(0)])
    assert green.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    green.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert zone_texts(tab, Zone.GREEN) == ["Dad shouts when he drinks"]
    assert zone_texts(tab, Zone.RED) == []
    assert store.get(BoardItem, item.id).zone is Zone.GREEN
    assert "Moved to Strengths" in tab.announce.text()
    qtbot.mouseClick(tab.review_button, Qt.MouseButton.LeftButton)
    lines = [tab.history.item(i).text() for i in range(tab.history.count())]
    assert lines[0].startswith("★ Moved to strengths: Dad shouts when he drinks")
    assert "This was a big worry, now it is a strength." in lines[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.grab().save(str(SHOTS / "board.png"))


def test_move_with_the_keyboard(qtbot, store: Store, case: Case) -> None:
    store.add_board_item(case.id, Zone.AMBER, "Money is tight")
    tab = make_tab(qtbot, store, case)
    view = tab.views[Zone.AMBER]
    view.setFocus()
    view.setCurrentIndex(tab.models[Zone.AMBER].index(0))
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert zone_texts(tab, Zone.GREEN) == ["Money is tight"]
    view = tab.views[Zone.GREEN]
    view.setCurrentIndex(tab.models[Zone.GREEN].index(0))
    qtbot.keyClick(view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert zone_texts(tab, Zone.RED) == ["Money is tight"]


def test_meeting_mode_shows_nothing_worker_only(qtbot, store: Store, case: Case) -> None:
    shared = store.add_board_item(case.id, Zone.RED, "Poppy missed school",
                                  worker_note="WORKER ONLY NOTE")
    store.add_board_item(case.id, Zone.AMBER, "Neighbour's report", shareable=False,
                         withheld_reason=WithheldReason.THIRD_PARTY)
    store.add_board_item(case.id, Zone.GREEN, "Nana helps every day")
    store.start_review(case.id)
    store.move_board_item(shared.id, Zone.GREEN)
    store.start_review(case.id)
    tab = make_tab(qtbot, store, case)
    tab.meeting_mode()
    meeting: MeetingMode = tab.meeting
    qtbot.addWidget(meeting)
    texts = " ".join(label.text() for label in meeting.findChildren(QLabel))
    assert "Poppy missed school" in texts and "Nana helps every day" in texts
    assert "now a strength" in texts
    for secret in ("WORKER ONLY", "Neighbour", "Raised by", "Not shared", shared.id, case.id):
        assert secret not in texts
    meeting.resize(1280, 720)
    meeting.grab().save(str(SHOTS / "meeting-mode.png"))
    qtbot.keyClick(meeting, Qt.Key.Key_Escape)
    assert not meeting.isVisible()
