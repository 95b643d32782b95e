"""One case: who the child is, when the next visit is due, and the work in tabs.

The timeline is here; the visits, board and direct work tabs come from their own modules.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.domain.entities import (
    Attachment,
    BoardMove,
    DirectWorkActivity,
    VisitAmendment,
)
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.domain.instants import local_text
from rbsw_desktop.store import CaseSummary, Store, TimelineEntry
from rbsw_desktop.ui import style
from rbsw_desktop.ui.a11y import StatusLabel, name_parts, tab_into
from rbsw_desktop.ui.board import BoardTab
from rbsw_desktop.ui.caseload import SUMMARY_KINDS, due_text
from rbsw_desktop.ui.direct_work import DirectWorkTab
from rbsw_desktop.ui.record_list import RecordLines
from rbsw_desktop.ui.taskman import StoreOp, TaskManager
from rbsw_desktop.ui.visits import VisitsTab

TIMELINE_KINDS = (EntityKind.VISIT, EntityKind.VISIT_AMENDMENT, EntityKind.BOARD_ITEM,
                  EntityKind.BOARD_MOVE, EntityKind.REVIEW, EntityKind.DIRECT_WORK_ACTIVITY)


#: Drawn in the heading's fonts as the screen is built ahead (`CaseWorkspace.draw_ahead`): a
#: child's name is then drawn from glyphs made already, not made as the case opens.
HEADING_GLYPHS = string.ascii_letters + string.digits + " —·'-:"


@dataclass(frozen=True)
class CaseHeader:
    summary: CaseSummary
    timeline: list[TimelineEntry]


def load_case(store: Store, case_id: str) -> CaseHeader:
    """Opening the case: audited once, as a "view"."""
    store.cases.open(case_id)
    return CaseHeader(store.cases.summary(case_id), store.cases.timeline(case_id))


def where_shown(store: Store, entity: str, record_id: str) -> tuple[str, str] | None:
    """The record a search hit or timeline entry opens, as (tab, record id): an amendment opens
    its visit, a board move its item, a photo its direct work session; None for what the case
    itself shows (the child, the family)."""
    records = store.records
    if entity == EntityKind.VISIT_AMENDMENT:
        return "visits", records.get(VisitAmendment, record_id).visit_id
    if entity == EntityKind.BOARD_MOVE:
        return "board", records.get(BoardMove, record_id).board_item_id
    if entity == EntityKind.ATTACHMENT:      # a photo of direct work, or of a visit
        owner = records.get(Attachment, record_id).owner_id
        return ("direct_work" if records.find(DirectWorkActivity, "id = ?", [owner])
                else "visits"), owner
    tab = {EntityKind.VISIT: "visits", EntityKind.BOARD_ITEM: "board",
           EntityKind.REVIEW: "board", EntityKind.DIRECT_WORK_ACTIVITY: "direct_work"}
    return (tab[EntityKind(entity)], record_id) if entity in tab else None


def entry_key(entry: TimelineEntry) -> tuple[str, str]:
    return entry.entity, entry.record_id


def when(entry: TimelineEntry) -> str:
    """A moment (a visit, a board move) in local time; a day (a review) as it is."""
    return local_text(entry.at) if "T" in entry.at else entry.at


class TimelineTab(QListWidget):
    """Newest first; Enter or a double-click opens the entry's record
    (`sig_open_record(entity, record_id)`)."""

    sig_open_record = Signal(str, str)

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Timeline")
        self.setWordWrap(True)
        self.itemActivated.connect(self._activated)
        self.lines: RecordLines[TimelineEntry] = RecordLines(
            self, key=entry_key, title=lambda e: f"{when(e)}   {e.title}",
            order=TimelineEntry.order, data=entry_key, empty="Nothing recorded yet.")

    def _activated(self, item: QListWidgetItem) -> None:
        entry = item.data(Qt.ItemDataRole.UserRole)
        if entry:
            self.sig_open_record.emit(*entry)

    def show_entries(self, entries: list[TimelineEntry]) -> None:
        self.lines.show(entries)

    def clear(self) -> None:
        """No entries (another child's case is shown next, or the app locks)."""
        self.lines.clear()

    def show_changed(self, changes: Changes, entries: list[TimelineEntry]) -> None:
        """The entries of the records changed, as they are now: an entry of a changed record
        that did not come back (removed) goes; every other line stays as it was."""
        found = {entry_key(e) for e in entries}
        self.lines.put(entries, gone=[key for key in changes.records if key not in found])


class CaseWorkspace(QWidget):
    def __init__(self, *, taskman: TaskManager, case_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.case_id = case_id
        self.heading = StatusLabel("Case", objectName="title")
        self.heading.setFont(style.scaled_font(self.font(), 1.4, bold=True))
        self.subheading = QLabel(objectName="hint")
        self.export_button = QPushButton("Family &summary (PDF)…")
        self.export_button.setAccessibleDescription("Print the family's board summary")
        self.export_button.clicked.connect(self.export_summary)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Case work")
        self.visits = VisitsTab(taskman=taskman, case_id=case_id)
        self.tabs.addTab(self.visits, "&Visits")
        # The board and direct work are built when first shown: opening a case builds only
        # what is on screen (building every tab at once held the UI thread for a third of a
        # second with a big case).
        self.board: BoardTab | None = None
        self.direct_work: DirectWorkTab | None = None
        self._later = {"board": lambda: BoardTab(taskman=taskman, case_id=self.case_id),
                       "direct_work": lambda: DirectWorkTab(taskman=taskman,
                                                            case_id=self.case_id)}
        self.tabs.addTab(QWidget(objectName="board"), "&Board")
        self.tabs.addTab(QWidget(objectName="direct_work"), "&Direct work")
        self.timeline = TimelineTab()
        self.timeline.sig_open_record.connect(self.open_record)
        self.tabs.addTab(self.timeline, "&Timeline")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.export_button)
        layout.addLayout(top)
        layout.addWidget(self.subheading)
        layout.addWidget(self.tabs, 1)
        self._unseen = Changes()     # what changed while the timeline was not on screen
        self.tabs.currentChanged.connect(self._tab_shown)
        taskman.sig_changes_applied.connect(self._changed)
        name_parts(self)
        if case_id:
            self.reload()

    def draw_ahead(self, size: QSize) -> None:
        """Drawn once, off screen, at `size` (the screen built ahead, before a case opens into
        it): the style sheet's rules, the layout and the fonts' glyphs are worked out then, the
        heading's too."""
        self.resize(size)
        self.grab()
        for label in (self.heading, self.subheading):   # (beside them: the layout is not moved)
            sample = QLabel(HEADING_GLYPHS, objectName=label.objectName())
            sample.setFont(label.font())
            sample.grab()
            sample.deleteLater()

    def show_case(self, case_id: str, summary: CaseSummary | None = None) -> None:
        """Show this case in the screen as it is built (built ahead, or for the case before):
        what was shown is saved and dropped, and each tab is filled afresh, never rebuilt.
        `summary`: the case's caseload line, when there is one: its heading is shown from it
        at once, so the screen is laid out for the heading's width as it first shows (the case
        as read from the store, moments later, lays nothing out again unless it differs)."""
        self.clear()
        self.case_id = case_id
        if summary is not None:
            self._show_header(summary)
        for tab in (self.visits, self.board, self.direct_work):
            if tab is not None:
                tab.case_id = case_id
                tab.reload()
        self.tabs.setCurrentWidget(self.visits)
        self.reload()

    def add_tab(self, widget: QWidget, title: str, *, first: bool = False) -> None:
        if first:
            self.tabs.insertTab(0, widget, title)
            self.tabs.setCurrentIndex(0)
        else:
            self.tabs.addTab(widget, title)

    def reload(self) -> None:
        """Open the case (audited as a view)."""
        case_id = self.case_id
        self._unseen = Changes()
        StoreOp(self, lambda store: load_case(store, case_id), taskman=self.taskman
                ).success(self._show).run_in_background()

    def _show(self, header: CaseHeader) -> None:
        self._show_header(header.summary)
        self.timeline.show_entries(header.timeline)

    def _show_header(self, s: CaseSummary) -> None:
        self.heading.setText(f"{s.child_name} — {s.family_name}")
        self.subheading.setText(f"{s.category.label} · Next statutory visit: {due_text(s)}")

    def _refresh_timeline(self) -> None:
        """The entries of what changed, read again (the whole timeline after a big sync),
        without auditing another view."""
        case_id, changes, self._unseen = self.case_id, self._unseen, Changes()
        if changes.ids_if_few(*TIMELINE_KINDS) is None:
            StoreOp(self, lambda store: store.cases.timeline(case_id), taskman=self.taskman
                    ).success(self.timeline.show_entries).run_in_background()
            return
        StoreOp(self, lambda store: store.cases.timeline(case_id, touching=changes),
                taskman=self.taskman).success(
            lambda entries: self.timeline.show_changed(changes, entries)).run_in_background()

    def open_record(self, entity: str, record_id: str) -> None:
        """Show one record in its tab (a visit, a board item or review, direct work)."""
        StoreOp(self, lambda store: where_shown(store, entity, record_id),
                taskman=self.taskman).success(self._show_record).run_in_background()

    def _show_record(self, target: tuple[str, str] | None) -> None:
        if target is None:
            return
        name, record_id = target
        for index in range(self.tabs.count()):
            tab = self.tabs.widget(index)
            if tab is not None and (tab is getattr(self, name) or tab.objectName() == name):
                self.tabs.setCurrentIndex(index)          # built now if first shown
        if name == "visits":
            self.visits.reload(select=record_id)
            self.visits.list.setFocus()
        elif name == "direct_work" and self.direct_work is not None:
            self.direct_work.reload(select=record_id)
            self.direct_work.list.setFocus()
        elif name == "board":
            # After the board has loaded (the store thread answers in order).
            StoreOp(self, lambda _store: record_id, taskman=self.taskman
                    ).success(self._select_on_board).run_in_background()

    def _select_on_board(self, record_id: str) -> None:
        board = self.board
        if board is None:
            return
        review = board.review_pick.findData(record_id)
        if review >= 0:
            board.review_pick.setCurrentIndex(review)
            board.review_pick.setFocus()
        for zone, model in board.models.items():
            for row, item in enumerate(model.items):
                if item.id == record_id:
                    view = board.views[zone]
                    view.setCurrentIndex(model.index(row))
                    view.setFocus()

    def export_summary(self) -> None:
        from rbsw_desktop.ui.export_dialog import ExportDialog
        ExportDialog(taskman=self.taskman, case_id=self.case_id, parent=self).open()

    def _changed(self, changes: Changes, initiator: object) -> None:
        """The header is read again after a change to the case, its child or a visit (when
        the next visit is due). The timeline reads only the entries of the records changed,
        when it is on screen (else when it is next shown): a draft saving itself every few
        seconds reads nothing until then. A screen built ahead shows no case yet: nothing."""
        if not self.case_id:
            return
        if changes.touches(*SUMMARY_KINDS):
            case_id = self.case_id
            StoreOp(self, lambda store: store.cases.summary(case_id), taskman=self.taskman
                    ).success(self._show_header).run_in_background()
        if not changes.touches(*TIMELINE_KINDS):
            return
        self._unseen |= changes
        if self.tabs.currentWidget() is self.timeline:
            self._refresh_timeline()

    def _tab_shown(self, index: int) -> None:
        placeholder = self.tabs.widget(index)
        name = placeholder.objectName() if placeholder is not None else ""
        if placeholder is not None and name in self._later:   # first shown: built now, in place
            tab, title = self._later.pop(name)(), self.tabs.tabText(index)
            setattr(self, name, tab)
            self.tabs.blockSignals(True)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, tab, title)
            tab_into(self.tabs.tabBar(), tab)      # Tab: the tabs, then this one
            self.tabs.setCurrentIndex(index)
            self.tabs.blockSignals(False)
            placeholder.deleteLater()
            name_parts(tab)
        if self._unseen and self.tabs.currentWidget() is self.timeline:
            self._refresh_timeline()

    def save_before_lock(self) -> None:
        """The app is about to lock: every tab saves what is being typed (drafts of open
        dialogs too) and closes anything it has open."""
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if tab is not None and hasattr(tab, "save_before_lock"):
                tab.save_before_lock()

    def clear(self) -> None:
        """Drop everything shown, the tabs saving what is being typed first: before another
        child's case is shown in this screen, and before the app locks."""
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if tab is not None and hasattr(tab, "clear"):
                tab.clear()
        self.heading.clear()
        self.subheading.clear()
