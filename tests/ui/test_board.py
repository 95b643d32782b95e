"""The board as a family and worker use it: add, drag red to green, move by keyboard, review,
and meeting mode showing nothing worker-only."""

from __future__ import annotations

import json
from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel

from rbsw_desktop.domain import BoardItem, Case, RaisedBy, WithheldReason, Zone
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.domain.instants import local_text
from rbsw_desktop.export.family_summary import plan_summary
from rbsw_desktop.store import Store
from rbsw_desktop.ui.board import ZONES, BoardTab
from rbsw_desktop.ui.meeting_mode import MeetingMode
from rbsw_desktop.ui.review_dialog import ReviewDialog
from tests.ui.conftest import open_tab
from tests.ui.test_app_shell import SHOTS


def make_tab(qtbot, store: Store, case: Case) -> BoardTab:  # noqa: ANN001
    return open_tab(qtbot, BoardTab, store, case.id)


def zone_texts(tab: BoardTab, zone: Zone) -> list[str]:
    model = tab.models[zone]
    return [model.index(r).data() for r in range(model.rowCount())]


def test_models_pass_the_model_tester(qtbot, qtmodeltester, store: Store, case: Case) -> None:
    store.board.add(case.id, Zone.RED, "Fictional red")
    tab = make_tab(qtbot, store, case)
    for model in tab.models.values():
        qtmodeltester.check(model)


def test_add_an_item_in_the_familys_words(qtbot, store: Store, case: Case) -> None:
    tab = make_tab(qtbot, store, case)
    tab.add_from({"text": "Mum and Dad argue at night", "zone": Zone.RED,
                  "raised_by": RaisedBy.FAMILY, "shareable": True, "withheld_reason": None,
                  "worker_note": ""})
    assert zone_texts(tab, Zone.RED) == ["Mum and Dad argue at night"]
    shown = tab.models[Zone.RED].index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Raised by the family" in shown and "Shared with the family" in shown


def test_drag_red_to_green_then_review_shows_the_proud_moment(qtbot, store: Store,
                                                              case: Case) -> None:
    item = store.board.add(case.id, Zone.RED, "Bedtimes are calm now")
    store.board.start_review(case.id)
    tab = make_tab(qtbot, store, case)
    red, green = tab.models[Zone.RED], tab.models[Zone.GREEN]
    # Exactly what a drop does: the dragged rows' mime data, dropped on the green zone.
    mime = red.mimeData([red.index(0)])
    assert green.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    green.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert zone_texts(tab, Zone.GREEN) == ["Bedtimes are calm now"]
    assert zone_texts(tab, Zone.RED) == []
    assert store.records.get(BoardItem, item.id).zone is Zone.GREEN
    assert "Moved to Strengths" in tab.announce.text()
    review_dialog(qtbot, tab)
    qtbot.mouseClick(tab.review_dialog.start_button, Qt.MouseButton.LeftButton)
    lines = [tab.history.item(i).text() for i in range(tab.history.count())]
    assert lines[0].startswith("★ Moved to strengths: Bedtimes are calm now")
    assert "This was a big worry, now it is a strength." in lines[0]


def review_dialog(qtbot, tab: BoardTab) -> ReviewDialog:  # noqa: ANN001
    """Start review pressed as a person does: the question it asks."""
    qtbot.mouseClick(tab.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.review_dialog is not None and tab.review_dialog.isVisible())
    return tab.review_dialog


def dialog_text(dialog) -> str:  # noqa: ANN001
    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def test_start_review_asks_first_and_cancel_keeps_no_review(qtbot, store: Store,
                                                            case: Case) -> None:
    store.board.add(case.id, Zone.RED, "Dad shouts at bedtime")
    tab = make_tab(qtbot, store, case)
    dialog = review_dialog(qtbot, tab)
    assert "Start a review dated today" in dialog_text(dialog)
    assert "cannot be changed or deleted afterwards" in dialog_text(dialog)
    assert store.board.reviews(case.id) == []                 # nothing yet: it only asks
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert tab.review_dialog is None and store.board.reviews(case.id) == []
    dialog = review_dialog(qtbot, tab)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert len(store.board.reviews(case.id)) == 1
    assert tab.announce.text().startswith("Review started")


def test_a_risk_that_moved_to_green_is_reworded_for_the_family_at_the_review(
        qtbot, store: Store, case: Case) -> None:
    """The review shows the words of what moved to strengths; the worker rewords it for the
    family's copy. The review keeps both: the original in the record, the new for the PDF."""
    risk = "When Dad drinks he shouts and throws things"
    item = store.board.add(case.id, Zone.RED, risk)
    store.board.add(case.id, Zone.GREEN, "Nana helps after school")
    store.board.start_review(case.id)
    store.board.move(item.id, Zone.GREEN)
    tab = make_tab(qtbot, store, case)
    dialog = review_dialog(qtbot, tab)
    assert risk in dialog_text(dialog) and "Well done!" in dialog_text(dialog)
    [box] = dialog.words.values()                            # only what moved to green
    assert dialog.focusWidget() is box and box.text() == risk     # typing goes there
    qtbot.keyClicks(box, "Dad has stopped drinking and home is calm")   # replaces the words
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "board-review-reword.png"))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    [row] = [r for r in store.board.reviews(case.id)[-1].snapshot
             if r["board_item_id"] == item.id]
    assert row["text"] == risk                               # the record keeps what was said
    assert row["family_text"] == "Dad has stopped drinking and home is calm"
    assert "for the family: Dad has stopped drinking" in tab.history.item(0).text()
    plan = plan_summary(store, case.id)
    assert plan.zones[Zone.GREEN] == ["Nana helps after school",
                                      "Dad has stopped drinking and home is calm"]
    assert [m.for_family for m in plan.changes] == ["Dad has stopped drinking and home is calm"]
    qtbot.mouseClick(tab.meeting_button, Qt.MouseButton.LeftButton)     # turned to the family
    qtbot.addWidget(tab.meeting)
    shown = " ".join(label.text() for label in tab.meeting.findChildren(QLabel))
    assert "Dad has stopped drinking and home is calm" in shown and "drinks" not in shown
    tab.meeting.close()


def test_two_reviews_on_one_day_are_told_apart(qtbot, store: Store, case: Case) -> None:
    store.board.add(case.id, Zone.RED, "Dad shouts at bedtime")
    first = store.board.start_review(case.id, held_on=date(2026, 12, 1))
    second = store.board.start_review(case.id, held_on=date(2026, 12, 1))
    for review, at in ((first, "2026-12-01T09:30:00.000Z"), (second, "2026-12-01T14:05:00.000Z")):
        store.db.execute('UPDATE "review" SET updated_at = ? WHERE id = ?', [at, review.id])
    tab = make_tab(qtbot, store, case)
    shown = [tab.review_pick.itemText(i) for i in range(tab.review_pick.count())]
    # In local time: 14:05 and 09:30 in London in December, 03:05 and 22:30 in Auckland.
    late, early = (local_text(at, "%H:%M") for at in ("2026-12-01T14:05:00.000Z",
                                                       "2026-12-01T09:30:00.000Z"))
    assert shown == [f"Tue 1 Dec 2026, {late} (latest)", f"Tue 1 Dec 2026, {early}"]


def test_move_with_the_keyboard(qtbot, store: Store, case: Case) -> None:
    store.board.add(case.id, Zone.AMBER, "Money is tight")
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
    shared = store.board.add(case.id, Zone.RED, "Poppy goes to school every day",
                             worker_note="WORKER ONLY NOTE")
    store.board.add(case.id, Zone.AMBER, "Neighbour's report", shareable=False,
                    withheld_reason=WithheldReason.THIRD_PARTY)
    store.board.add(case.id, Zone.GREEN, "Nana helps every day")
    store.board.start_review(case.id)
    store.board.move(shared.id, Zone.GREEN)
    store.board.start_review(case.id)
    tab = make_tab(qtbot, store, case)
    tab.meeting_mode()
    meeting: MeetingMode = tab.meeting
    qtbot.addWidget(meeting)
    texts = " ".join(label.text() for label in meeting.findChildren(QLabel))
    assert "Poppy goes to school every day" in texts and "Nana helps every day" in texts
    assert "now a strength" in texts
    for secret in ("WORKER ONLY", "Neighbour", "Raised by", "Not shared", shared.id, case.id):
        assert secret not in texts
    meeting.resize(1280, 720)
    meeting.grab().save(str(SHOTS / "meeting-mode.png"))
    qtbot.keyClick(meeting, Qt.Key.Key_Escape)
    assert not meeting.isVisible()


def test_a_long_board_scrolls_in_meeting_mode_by_keyboard(qtbot, store: Store,
                                                         case: Case) -> None:
    """Twenty strengths do not fit a small laptop's screen: End brings the last into sight,
    Home the first, and Esc still leaves."""
    words = [f"Strength number {n} of twenty, in the family's own words (fictional)"
             for n in range(1, 21)]
    for text in words:
        store.board.add(case.id, Zone.GREEN, text)
    tab = make_tab(qtbot, store, case)
    tab.meeting_mode()
    meeting: MeetingMode = tab.meeting
    qtbot.addWidget(meeting)
    meeting.showNormal()
    meeting.resize(1024, 600)
    qtbot.waitUntil(lambda: meeting.isVisible() and meeting.height() == 600)
    labels = {label.text().split(" ", 1)[-1]: label for label in meeting.findChildren(QLabel)}

    def in_sight(text: str) -> bool:                 # whole, not cut off by the screen's edge
        label = labels[text]
        return label.visibleRegion().boundingRect() == label.rect()

    assert in_sight(words[0]) and not in_sight(words[-1])
    qtbot.keyClick(meeting, Qt.Key.Key_End)
    assert in_sight(words[-1]) and not in_sight(words[0])
    qtbot.keyClick(meeting, Qt.Key.Key_Home)
    assert in_sight(words[0])
    qtbot.keyClick(meeting, Qt.Key.Key_PageDown)
    assert not in_sight(words[0])
    meeting.grab().save(str(SHOTS / "meeting-mode-long-board.png"))
    qtbot.keyClick(meeting, Qt.Key.Key_Escape)
    assert not meeting.isVisible()


def ok_button(tab: BoardTab):  # noqa: ANN201
    return tab.dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


@pytest.mark.parametrize("by_family", [True, False])
def test_the_add_window_saves_who_raised_it_and_whether_it_is_shared(
        qtbot, store: Store, case: Case, by_family: bool) -> None:
    """Add item…, type, tick or untick as a worker does, OK: the store holds what was ticked."""
    tab = make_tab(qtbot, store, case)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible())
    dialog = tab.dialog
    assert dialog.family.isChecked() and dialog.shareable.isChecked()   # the family's, shared
    qtbot.keyClicks(dialog.text, "Nobody walks Sam to school")
    if not by_family:
        for box in (dialog.family, dialog.shareable):     # a click on the tick box itself
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
        assert not dialog.family.isChecked() and not dialog.shareable.isChecked()
        assert dialog.reason.isEnabled()
        qtbot.keyClicks(dialog.reason, "About")       # picks "About another person…"
    qtbot.mouseClick(ok_button(tab), Qt.MouseButton.LeftButton)
    assert tab.dialog is None
    assert tab.announce.text() == "Added to Key risks: Nobody walks Sam to school"
    [item] = store.board.items(case.id)
    assert item.text == "Nobody walks Sam to school" and item.zone is Zone.RED
    assert item.raised_by is (RaisedBy.FAMILY if by_family else RaisedBy.PROFESSIONAL)
    assert item.shareable is by_family
    assert item.withheld_reason is (None if by_family else WithheldReason.THIRD_PARTY)
    shown = tab.models[Zone.RED].index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert ("Raised by the family" if by_family else "Raised by a professional") in shown


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_F2])
def test_enter_or_f2_edits_the_selected_item(qtbot, store: Store, case: Case, key) -> None:  # noqa: ANN001
    item = store.board.add(case.id, Zone.AMBER, "Money is tight")
    tab = make_tab(qtbot, store, case)
    view = tab.views[Zone.AMBER]
    view.setFocus()
    view.setCurrentIndex(tab.models[Zone.AMBER].index(0))
    qtbot.keyClick(view, key)
    qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible())
    assert tab.dialog.text.toPlainText() == "Money is tight"
    qtbot.keyClicks(tab.dialog.text, " since Dad lost his job")
    qtbot.mouseClick(ok_button(tab), Qt.MouseButton.LeftButton)
    assert tab.dialog is None
    assert store.records.get(BoardItem, item.id).text == "Money is tight since Dad lost his job"
    assert zone_texts(tab, Zone.AMBER) == ["Money is tight since Dad lost his job"]


def test_pick_an_earlier_review_and_see_what_moved_at_it(qtbot, store: Store,
                                                         case: Case) -> None:
    school = store.board.add(case.id, Zone.RED, "Fictional: Ada misses school")
    nana = store.board.add(case.id, Zone.AMBER, "Fictional: Nana is unwell")
    store.board.start_review(case.id, held_on=date(2026, 9, 1))
    store.board.move(school.id, Zone.AMBER)
    store.board.start_review(case.id, held_on=date(2026, 10, 1))
    store.board.move(nana.id, Zone.GREEN)
    store.board.start_review(case.id, held_on=date(2026, 11, 1))
    tab = make_tab(qtbot, store, case)
    history = lambda: [tab.history.item(i).text() for i in range(tab.history.count())]  # noqa: E731
    assert tab.review_pick.isVisible() and tab.review_pick.count() == 3
    assert tab.review_pick.currentText() == "Sun 1 Nov 2026 (latest)"
    assert any("Nana is unwell" in line for line in history())
    assert not any("misses school" in line for line in history())
    tab.review_pick.setFocus()
    qtbot.keyClick(tab.review_pick, Qt.Key.Key_Down)          # the review before
    assert tab.review_pick.currentText() == "Thu 1 Oct 2026"
    assert any("misses school" in line for line in history())
    assert not any("Nana is unwell" in line for line in history())
    qtbot.keyClick(tab.review_pick, Qt.Key.Key_Down)          # the first: all were added
    assert tab.review_pick.currentText() == "Tue 1 Sep 2026"
    assert history() == ["Fictional: Ada misses school — New: this is a big worry.",
                         "Fictional: Nana is unwell — New: this is a worry for the future."]


def test_a_believable_board_screenshot(qtbot, store: Store, case: Case) -> None:
    """What a worker sees half way through the work: items in all three zones, one withheld,
    and one that moved from red to green at the latest review."""
    drinking = store.board.add(case.id, Zone.RED, "Dad's drinking (fictional)")
    store.board.add(case.id, Zone.RED, "Mum and Dad argue loudly at night")
    store.board.add(case.id, Zone.RED, "School say Ada is often hungry in the morning",
                    raised_by=RaisedBy.PROFESSIONAL)
    store.board.add(case.id, Zone.AMBER, "Money is tight since Dad lost his job")
    store.board.add(case.id, Zone.AMBER, "A neighbour's report about shouting",
                    raised_by=RaisedBy.PROFESSIONAL, shareable=False,
                    withheld_reason=WithheldReason.THIRD_PARTY)
    store.board.add(case.id, Zone.GREEN, "Nana picks Ada up from school every day")
    store.board.add(case.id, Zone.GREEN, "Ada loves her swimming club")
    store.board.start_review(case.id, held_on=date(2026, 10, 1))
    store.board.move(drinking.id, Zone.GREEN)
    store.board.start_review(case.id, held_on=date(2026, 11, 1))
    tab = make_tab(qtbot, store, case)
    assert len(zone_texts(tab, Zone.RED)) == 2 and len(zone_texts(tab, Zone.AMBER)) == 2
    assert zone_texts(tab, Zone.GREEN)[-1] == "Dad's drinking (fictional)"
    assert tab.history.item(0).text().startswith("★ Moved to strengths: Dad's drinking")
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.grab().save(str(SHOTS / "board.png"))
    for width, height in ((1024, 600), (1366, 768)):
        tab.resize(width, height)
        qtbot.waitUntil(lambda w=width: tab.width() == w)
        tab.grab().save(str(SHOTS / f"board-{width}x{height}.png"))


def test_an_item_dropped_at_the_top_of_a_zone_comes_first(qtbot, store: Store,
                                                          case: Case) -> None:
    for text in ("Nana helps after school", "Goes to football on Saturdays"):
        store.board.add(case.id, Zone.GREEN, text)
    dropped = store.board.add(case.id, Zone.RED, "Bedtimes are calm now")
    tab = make_tab(qtbot, store, case)
    red, green = tab.models[Zone.RED], tab.models[Zone.GREEN]
    green.dropMimeData(red.mimeData([red.index(0)]), Qt.DropAction.MoveAction, 0, 0,
                       QModelIndex())
    order = ["Bedtimes are calm now", "Nana helps after school", "Goes to football on Saturdays"]
    assert zone_texts(tab, Zone.GREEN) == order
    assert [i.text for i in store.board.items(case.id)] == order      # as stored, for sync
    assert [i.position for i in store.board.items(case.id)] == [0, 1, 2]
    assert store.records.get(BoardItem, dropped.id).zone is Zone.GREEN
    # Dragged within the zone, from the top to below the last item: it goes last.
    green.dropMimeData(green.mimeData([green.index(0)]), Qt.DropAction.MoveAction, 3, 0,
                       QModelIndex())
    assert zone_texts(tab, Zone.GREEN) == order[1:] + order[:1]


def _edit_words_and_zone(qtbot, tab: BoardTab) -> None:  # noqa: ANN001
    view = tab.views[Zone.AMBER]
    view.setFocus()
    view.setCurrentIndex(tab.models[Zone.AMBER].index(0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible())
    qtbot.keyClicks(tab.dialog.text, " but Dad has found work")
    tab.dialog.zone.setCurrentIndex(tab.dialog.zone.findData(Zone.GREEN.value))
    qtbot.mouseClick(ok_button(tab), Qt.MouseButton.LeftButton)


def _item_ops(store: Store, item_id: str) -> list[dict]:
    """The item's changes waiting to go to the council, oldest first."""
    rows = store.db.execute("SELECT fields FROM outbox WHERE record_id = ? ORDER BY seq",
                            [item_id]).fetchall()
    return [json.loads(r[0]) for r in rows]


def test_editing_an_items_words_and_zone_is_one_change(qtbot, store: Store,
                                                       case: Case) -> None:
    item = store.board.add(case.id, Zone.AMBER, "Money is tight")
    tab = make_tab(qtbot, store, case)
    _edit_words_and_zone(qtbot, tab)
    assert zone_texts(tab, Zone.GREEN) == ["Money is tight but Dad has found work"]
    added, edited = _item_ops(store, item.id)         # the edit and its move: one change
    assert (edited["text"], edited["zone"]) == ("Money is tight but Dad has found work", "green")


def test_an_edit_that_cannot_be_saved_changes_nothing(qtbot, store: Store, case: Case) -> None:
    item = store.board.add(case.id, Zone.AMBER, "Money is tight")
    tab = make_tab(qtbot, store, case)
    # The store refuses the record of the move (a real fault, on this connection only).
    store.db.execute("CREATE TEMP TRIGGER refuse_move BEFORE INSERT ON board_move "
                     "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    _edit_words_and_zone(qtbot, tab)
    assert "nothing was changed" in tab.announce.text()
    kept = store.records.get(BoardItem, item.id)
    assert (kept.text, kept.zone) == ("Money is tight", Zone.AMBER)     # not half an edit
    assert len(_item_ops(store, item.id)) == 1
    assert zone_texts(tab, Zone.AMBER) == ["Money is tight"]


def test_a_move_announces_what_it_wrote_and_the_board_reads_only_that(
        qtbot, store: Store, case: Case) -> None:
    kept = store.board.add(case.id, Zone.GREEN, "Nana helps after school")
    moved = store.board.add(case.id, Zone.RED, "Bedtimes are calm now")
    tab = make_tab(qtbot, store, case)
    announced = []
    tab.taskman.sig_changes_applied.connect(lambda changes, by: announced.append(changes))
    # Changed behind the board's back (no announcement): a whole reload would show it.
    store.db.execute('UPDATE "board_item" SET text = ? WHERE id = ?',
                     ["Nana helps every day", kept.id])
    red, green = tab.models[Zone.RED], tab.models[Zone.GREEN]
    green.dropMimeData(red.mimeData([red.index(0)]), Qt.DropAction.MoveAction, -1, 0,
                       QModelIndex())
    (move,) = [m for m in store.board.history(moved.id) if m.from_zone is Zone.RED]
    assert [c.records for c in announced] == [{(EntityKind.BOARD_ITEM, moved.id),
                                                (EntityKind.BOARD_MOVE, move.id)}]
    assert zone_texts(tab, Zone.GREEN) == ["Nana helps after school", "Bedtimes are calm now"]
    assert zone_texts(tab, Zone.RED) == []


def test_the_item_moved_by_keyboard_keeps_the_focus_in_its_new_zone(
        qtbot, store: Store, case: Case) -> None:
    """Ctrl+Right, Ctrl+Right, Ctrl+Left, each pressed into whatever has the focus: the same
    item walks red -> amber -> green -> amber, and stays selected where it lands."""
    store.board.add(case.id, Zone.RED, "Dad shouts at bedtime")
    store.board.add(case.id, Zone.RED, "Nobody takes Ada to school")
    store.board.add(case.id, Zone.AMBER, "Money is tight")
    tab = make_tab(qtbot, store, case)
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)
    red = tab.views[Zone.RED]
    qtbot.mouseClick(red.viewport(), Qt.MouseButton.LeftButton,
                     pos=red.visualRect(tab.models[Zone.RED].index(0)).center())
    assert red.hasFocus() and red.selected_id() is not None
    walked = []
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Left):
        qtbot.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.ControlModifier)
        view = QApplication.focusWidget()
        zone = next(z for z in ZONES if tab.views[z] is view)
        assert view.selectionModel().selectedIndexes() == [view.currentIndex()]
        walked.append((zone, view.currentIndex().data()))
    assert walked == [(Zone.AMBER, "Dad shouts at bedtime"), (Zone.GREEN, "Dad shouts at bedtime"),
                      (Zone.AMBER, "Dad shouts at bedtime")]
    assert zone_texts(tab, Zone.RED) == ["Nobody takes Ada to school"]
    assert zone_texts(tab, Zone.AMBER) == ["Money is tight", "Dad shouts at bedtime"]


def _note_pixels(view, row: int):  # noqa: ANN001, ANN202
    """The note at `row` as a person sees it, scrolled to: its image, and its rectangle in
    that image."""
    view.scrollTo(view.model().index(row))
    image = view.viewport().grab().toImage()
    return image, view.visualRect(view.model().index(row))


@pytest.mark.parametrize("size", [(640, 600), (1024, 600), (1366, 768)])   # 640: in a
# 1024-px window beside the caseload
def test_notes_show_the_words_whole_and_a_worker_only_note_stands_out(
        qtbot, store: Store, case: Case, size: tuple[int, int]) -> None:
    store.board.add(case.id, Zone.AMBER, "Money is tight since Dad lost his job and the "
                    "electricity meter keeps running out before the weekend (fictional)")
    store.board.add(case.id, Zone.AMBER, "A neighbour's report about shouting late at night",
                    raised_by=RaisedBy.PROFESSIONAL, shareable=False,
                    withheld_reason=WithheldReason.THIRD_PARTY)
    tab = open_tab(qtbot, BoardTab, store, case.id, size=size)
    view = tab.views[Zone.AMBER]
    shared, withheld = (view.model().index(r) for r in range(2))
    # What a screen reader reads names the difference in words.
    assert withheld.data(Qt.ItemDataRole.AccessibleTextRole).split("\n")[1].endswith(
        "Worker only, not shared: About another person (third party) · Waiting to sync")
    assert "Worker only" not in shared.data(Qt.ItemDataRole.AccessibleTextRole)
    backgrounds = []
    for row in range(2):
        image, rect = _note_pixels(view, row)
        background = image.pixelColor(rect.left() + 5, rect.center().y())
        backgrounds.append(background.name())
        inside = [image.pixelColor(x, y) for x in range(rect.left() + 10, rect.right() - 10)
                  for y in range(rect.top() + 6, rect.bottom() - 6)]
        assert any(c.lightness() < 90 for c in inside)                    # words are drawn
        # ...and they end above the note's bottom edge: nothing runs off and gets cut.
        bottom = [image.pixelColor(x, y) for x in range(rect.left() + 10, rect.right() - 10)
                  for y in range(rect.bottom() - 6, rect.bottom() - 3)]
        assert all(c.name() == background.name() for c in bottom), row
    assert backgrounds == ["#fffbd1", "#e4e7eb"]           # a post-it, and a grey note
    # The zone headings each keep to their own column (wrapping if they must), and no heading
    # makes its zone wider than the others or the board wider than the window.
    assert tab.minimumSizeHint().width() <= size[0] and tab.width() == size[0]
    widths = [tab.views[z].width() for z in ZONES]
    assert max(widths) - min(widths) <= 2, widths
    titles = [h for h in tab.findChildren(QLabel, "title") if h.buddy() in tab.views.values()]
    assert len(titles) == 3
    for a, b in zip(titles, titles[1:], strict=False):
        assert a.geometry().right() < b.geometry().left()
        assert a.width() >= a.minimumSizeHint().width()


def test_a_note_taller_than_its_zone_can_be_read_to_its_end(qtbot, store: Store,
                                                            case: Case) -> None:
    store.board.add(case.id, Zone.AMBER, "Fictional: " + "Mum said a great deal about "
                    "how the evenings go when the money runs out. " * 8)
    store.board.add(case.id, Zone.AMBER, "Money is tight")
    tab = open_tab(qtbot, BoardTab, store, case.id, size=(640, 600))
    view = tab.views[Zone.AMBER]
    first = view.model().index(0)
    assert view.visualRect(first).height() > view.viewport().height()
    bar = view.verticalScrollBar()                # dragged from top to bottom, as a person does
    bottoms = []
    for value in range(bar.minimum(), bar.maximum() + 1):
        bar.setValue(value)
        bottoms.append(view.visualRect(first).bottom())
    assert any(0 < bottom < view.viewport().height() for bottom in bottoms)
