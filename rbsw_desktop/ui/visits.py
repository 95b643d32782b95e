"""Visits: the list, and the editor with the statutory visit's structured fields.

A draft saves itself a few seconds after typing stops, whenever focus moves and before a lock
(the one autosave, ui/autosave.py), so nothing typed is lost to a crash or an idle lock.
Finalising locks the record (a legal record); corrections after that are amendments, shown
beneath the original.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import Visit, VisitAmendment, VisitStatus, VisitType
from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.domain.instants import local_text
from rbsw_desktop.domain.timeliness import due_words
from rbsw_desktop.store import Store
from rbsw_desktop.ui.a11y import StatusLabel
from rbsw_desktop.ui.autosave import (
    Autosave,
    autosave_window,
    close_window,
    drop_draft,
    load_draft,
)
from rbsw_desktop.ui.record_list import RecordLines, list_beside_editor, stamped_only
from rbsw_desktop.ui.spelling import enable_spellcheck
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, plain_message
from rbsw_desktop.ui.timefmt import instant_of, qdatetime_of, same_minute_shown
from rbsw_desktop.ui.visit_fields import DayEdit, RowsTable

TEXT_FIELDS = {"child_words": "The c&hild's own words", "observations": "&Observations",
               "parents_views": "&Parents' views", "analysis": "&Analysis"}


PEOPLE = (("name", "Name", False), ("role", "Role", False))
#: The stored shape is a contract: [{"what", "who", "by_when"}], by_when a `YYYY-MM-DD` day.
ACTIONS = (("what", "What", False), ("who", "Who", False), ("by_when", "By when", True))


def amendment_draft_key(visit_id: str) -> str:
    """Where an amendment being typed when the app locked is kept (the encrypted store's
    autosave table) until it is added or cancelled."""
    return f"amendment:{visit_id}"


class AmendDialog(QDialog):
    """The correction and why it is needed, in one window (so a lock can keep both): kept as
    a draft under `amendment_draft_key(visit_id)` by the one autosave."""

    def __init__(self, *, taskman: TaskManager, visit_id: str, text: str = "",
                 reason: str = "", restored: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add an amendment")
        self.text = QPlainTextEdit(text)
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName("What is the correction?")
        enable_spellcheck(self.text, taskman)
        self.reason = QLineEdit(reason)
        self.reason.setAccessibleName("Why is it needed?")
        form = QFormLayout(self)
        if restored:
            form.addRow(QLabel("This is what you were typing before the app locked.",
                               objectName="hint", wordWrap=True))
        form.addRow("What is the &correction?", self.text)
        form.addRow("&Why is it needed?", self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Add amendment")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.text.setFocus()
        self.autosave = autosave_window(self, taskman, amendment_draft_key(visit_id),
                                        self.draft, (self.text.textChanged,
                                                     self.reason.textChanged))

    def draft(self) -> dict[str, str] | None:
        if not self.text.toPlainText().strip():
            return None
        return {"text": self.text.toPlainText(), "reason": self.reason.text()}


def visit_title(v: Visit) -> str:
    when = local_text(v.visited_at)
    state = "Draft" if v.status is VisitStatus.DRAFT else "Finalised"
    return f"{when}\n{v.visit_type.label} · {state} · {v.sync_state.label}"


class VisitEditor(QWidget):
    sig_saved = Signal(object)       # a draft was saved (the Visit as saved)
    sig_changed = Signal(str)        # finalised or amended: show it afresh

    def __init__(self, *, taskman: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.visit: Visit | None = None
        #: What "When" showed when the visit was opened: the stored instant is rewritten only
        #: when the worker changes what it shows, never by a save of other words.
        self._shown_at = QDateTime()
        self._loading = False
        self._focus_on_show = False     # just finalised: focus stays on this visit

        self.visited_at = QDateTimeEdit(calendarPopup=True)
        self.visited_at.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.visit_type = QComboBox()
        for t in VisitType:
            self.visit_type.addItem(t.label, t.value)
        self.announced = QCheckBox("Announced")
        self.present = RowsTable(PEOPLE, name="Present")
        self.absent = RowsTable(PEOPLE, name="Not present")
        self.child_seen = QCheckBox("Child seen")
        self.seen_alone = QCheckBox("Seen alone")
        self.not_alone_reason = QLineEdit(placeholderText="Why the child was not seen alone")
        self.bedroom_seen = QCheckBox("Bedroom seen")
        self.seen_awake = QComboBox()
        for label, value in (("Not an infant", None), ("Infant seen awake", True),
                             ("Infant not seen awake", False)):
            self.seen_awake.addItem(label, value)
        self.texts = {name: QPlainTextEdit(tabChangesFocus=True) for name in TEXT_FIELDS}
        for text in self.texts.values():
            enable_spellcheck(text, taskman)
        self.action_rows = RowsTable(ACTIONS, name="Action")
        self.next_due = DayEdit()
        self.next_due_words = QLabel(objectName="hint")
        self.status = StatusLabel("Save status", objectName="hint")
        self.finalise_button = QPushButton("&Finalise…")
        self.amend_button = QPushButton("Add a&mendment…")
        self.amendments = QListWidget()
        self.amendments.setAccessibleName("Amendments")
        self.amendments.setWordWrap(True)
        self.dialog: QDialog | None = None       # the open amend or finalise question

        for w, name in ((self.visited_at, "Date and time of the visit"),
                        (self.visit_type, "Type of visit"), (self.present, "Who was present"),
                        (self.absent, "Who was not present"), (self.seen_awake, "Infant awake"),
                        (self.not_alone_reason, "Why not seen alone"),
                        (self.action_rows, "Actions"), (self.next_due, "Next visit due")):
            w.setAccessibleName(name)
        for name, label in TEXT_FIELDS.items():
            self.texts[name].setAccessibleName(label.replace("&", ""))

        checks = QGridLayout()          # two by two: the form fits beside a narrow list
        for n, c in enumerate((self.announced, self.child_seen, self.seen_alone,
                               self.bedroom_seen)):
            checks.addWidget(c, n // 2, n % 2, Qt.AlignmentFlag.AlignLeft)
        form = QFormLayout()
        form.addRow("&When", self.visited_at)
        form.addRow("T&ype", self.visit_type)
        form.addRow(checks)
        form.addRow("Not seen alone because", self.not_alone_reason)
        form.addRow("Infants", self.seen_awake)
        form.addRow("P&resent", self.present)
        form.addRow("Not present", self.absent)
        for name, label in TEXT_FIELDS.items():
            form.addRow(label, self.texts[name])
        form.addRow("Act&ions", self.action_rows)
        due, due_label = QHBoxLayout(), QLabel("Next visit d&ue")
        due_label.setBuddy(self.next_due)
        due.addWidget(self.next_due)
        due.addWidget(self.next_due_words, 1)
        form.addRow(due_label, due)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        body = QWidget(objectName="visitForm")
        body.setLayout(form)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setAccessibleName("Visit form")
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # Tab goes to the fields in it
        scroll.setWidget(body)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.amend_button)
        buttons.addWidget(self.finalise_button)
        self.amendments_label = QLabel("Amendments (the original is kept as written):")
        self.amendments.setMaximumHeight(110)
        self.form_page = QWidget()
        page = QVBoxLayout(self.form_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(scroll, 1)
        page.addWidget(self.amendments_label)
        page.addWidget(self.amendments)
        page.addLayout(buttons)
        self.placeholder = QLabel("Choose a visit or start a new one.",
                                  alignment=Qt.AlignmentFlag.AlignCenter, objectName="hint")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.placeholder)
        self.pages.addWidget(self.form_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.amendments.hide()
        self.amendments_label.hide()

        self.autosave = Autosave(self, taskman, collect=self.collect,
                                 write=lambda store, visit: store.visits.update(visit),
                                 status=self.status,
                                 on_saved=self.sig_saved.emit)
        for widget in self._inputs():
            signal = next(getattr(widget, name) for name in
                          ("sig_changed", "textChanged", "toggled", "currentIndexChanged",
                           "dateTimeChanged")
                          if hasattr(widget, name))
            signal.connect(self._mark_dirty)
        self.next_due.dateChanged.connect(self._show_due_words)
        for table in (self.present, self.absent, self.action_rows):
            table.sig_rows_added.connect(self._set_tab_order)
        self.finalise_button.clicked.connect(self.finalise)
        self.amend_button.clicked.connect(self.amend)
        self._show_placeholder()
        self._set_tab_order()

    def _show_placeholder(self) -> None:
        self.pages.setCurrentWidget(self.placeholder)
        self.form_page.setEnabled(False)

    def _inputs(self) -> list[QWidget]:
        return [self.visited_at, self.visit_type, self.announced, self.present, self.absent,
                self.child_seen, self.seen_alone, self.not_alone_reason, self.bedroom_seen,
                self.seen_awake, *self.texts.values(), self.action_rows, self.next_due]

    def _set_tab_order(self) -> None:
        """Tab follows the form as it reads, down to the buttons, through every row of the
        tables (new rows included)."""
        order = [self.visited_at, self.visit_type, self.announced, self.child_seen,
                 self.seen_alone, self.bedroom_seen, self.not_alone_reason, self.seen_awake,
                 self.present, *self.present.controls(), self.absent, *self.absent.controls(),
                 *self.texts.values(), self.action_rows, *self.action_rows.controls(),
                 self.next_due,
                 self.amendments, self.amend_button, self.finalise_button]
        for before, after in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(before, after)

    def _show_due_words(self) -> None:
        day = self.next_due.day()
        self.next_due_words.setText(
            due_words(date.fromisoformat(day), date.today()) if day else "")

    # -- showing ------------------------------------------------------------------------------

    def show_visit(self, visit: Visit, amendments: list[VisitAmendment],
                   authors: dict[str, str] | None = None) -> None:
        """`authors`: each worker's name by id (who wrote each amendment)."""
        self._loading = True
        self.visit = visit
        try:
            self.visited_at.setDateTime(qdatetime_of(visit.visited_at))
        except ValueError:      # not an instant (never written by this app): kept as it is
            self.visited_at.setDateTime(QDateTime.currentDateTime())
        self._shown_at = self.visited_at.dateTime()
        self.visit_type.setCurrentIndex(self.visit_type.findData(visit.visit_type.value))
        self.announced.setChecked(visit.announced)
        self.present.set_rows(visit.present)
        self.absent.set_rows(visit.absent)
        self.child_seen.setChecked(visit.child_seen)
        self.seen_alone.setChecked(visit.child_seen_alone)
        self.not_alone_reason.setText(visit.not_seen_alone_reason)
        self.bedroom_seen.setChecked(visit.bedroom_seen)
        self.seen_awake.setCurrentIndex(self.seen_awake.findData(visit.seen_awake))
        for name, edit in self.texts.items():
            edit.setPlainText(getattr(visit, name))
        self.action_rows.set_rows(visit.actions)
        self.next_due.set_day(visit.next_visit_due)
        self._show_due_words()
        final = visit.status is VisitStatus.FINALISED
        for w in self._inputs():
            if isinstance(w, QPlainTextEdit | QLineEdit | RowsTable):
                # The record stays readable: scroll, select and copy, but never typed into.
                w.setEnabled(True)
                w.setReadOnly(final)
                w.style().unpolish(w)        # the read-only look follows the property
                w.style().polish(w)
            else:
                w.setEnabled(not final)
        self.finalise_button.setEnabled(not final)
        self.amend_button.setEnabled(final)
        self.amendments.clear()
        for a in amendments:
            author = (authors or {}).get(a.updated_by, "another worker")
            self.amendments.addItem(f"{local_text(a.amended_at)}: {a.text}"
                                    + (f" (reason: {a.reason})" if a.reason else "")
                                    + f" — by {author}")
        self.amendments.setVisible(bool(amendments))
        self.amendments_label.setVisible(bool(amendments))
        self._set_tab_order()
        if self._focus_on_show:
            self._focus_on_show = False
            self.amend_button.setFocus()
        self.autosave.discard()
        self.status.setText("Finalised: corrections are added as amendments." if final
                            else "Draft: saves itself as you type.")
        self._loading = False
        self.form_page.setEnabled(True)
        self.pages.setCurrentWidget(self.form_page)
        self.setEnabled(True)

    def clear(self) -> None:
        self.save_if_dirty()
        self.close_dialog()
        self._loading = True
        self.visit = None
        for table in (self.present, self.absent, self.action_rows):
            table.set_rows([])
        for w in self.texts.values():
            w.clear()
        self.not_alone_reason.clear()
        self.next_due.set_day(None)
        self.amendments.clear()
        self._loading = False
        self._show_placeholder()

    def save_before_lock(self) -> None:
        """Before the app locks: the draft visit, and an amendment being typed, are saved;
        an open question is closed so nothing stays on screen behind the lock."""
        self.save_if_dirty()
        if isinstance(self.dialog, AmendDialog):
            self.dialog.autosave.flush()
        self.close_dialog()

    def close_dialog(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            close_window(dialog)

    # -- saving -------------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return self.autosave.dirty

    def _mark_dirty(self, *args: object) -> None:
        if not self._loading and self.visit is not None \
                and self.visit.status is VisitStatus.DRAFT:
            self.autosave.changed()

    def collect(self) -> Visit | None:
        if self.visit is None:
            return None
        v = dataclasses.replace(self.visit)   # the copy goes to the store thread
        self.visit = v
        when = self.visited_at.dateTime()
        if not same_minute_shown(when, self._shown_at):    # the worker entered another time
            v.visited_at = instant_of(when, to_the_minute=True)
            self._shown_at = when
        v.visit_type = VisitType(self.visit_type.currentData())
        v.announced = self.announced.isChecked()
        v.present = self.present.rows()
        v.absent = self.absent.rows()
        v.child_seen = self.child_seen.isChecked()
        v.child_seen_alone = self.seen_alone.isChecked()
        v.not_seen_alone_reason = self.not_alone_reason.text()
        v.bedroom_seen = self.bedroom_seen.isChecked()
        v.seen_awake = self.seen_awake.currentData()
        for name, edit in self.texts.items():
            setattr(v, name, edit.toPlainText())
        v.actions = self.action_rows.rows()
        v.next_visit_due = self.next_due.day()
        return v

    def save_if_dirty(self) -> None:
        self.autosave.flush()

    # -- finalising and amending --------------------------------------------------------------

    def finalise(self) -> None:
        if self.visit is None or self.dialog is not None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question, "Finalise this visit?", "A finalised visit is a legal "
            "record and cannot be changed afterwards; corrections are added as amendments. "
            "Finalise it now?", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        self.dialog = box
        box.finished.connect(lambda _r: self._finalise_answered(box))
        box.open()

    def _finalise_answered(self, box: QMessageBox) -> None:
        yes = box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
        self.dialog = None
        box.deleteLater()
        if yes:
            self.finalise_now()

    def finalise_now(self) -> None:
        self.save_if_dirty()
        visit_id = self.visit.id if self.visit else ""
        StoreOp(self, lambda store: store.visits.finalise(visit_id), taskman=self.taskman
                ).success(self._finalised).failure(self.autosave.failed).run_in_background()

    def _finalised(self, visit: Visit) -> None:
        self._focus_on_show = True      # the worker's next step: an amendment, if any
        self.sig_changed.emit(visit.id)

    def amend(self) -> None:
        """Ask for the correction; an amendment typed before a lock comes back."""
        if self.visit is None or self.dialog is not None:
            return
        load_draft(self, self.taskman, amendment_draft_key(self.visit.id), self._open_amend)

    def _open_amend(self, draft: dict | None) -> None:
        if self.visit is None or self.dialog is not None:
            return
        saved = draft or {}
        dialog = AmendDialog(taskman=self.taskman, visit_id=self.visit.id,
                             text=saved.get("text", ""), reason=saved.get("reason", ""),
                             restored=bool(draft), parent=self)
        self.dialog = dialog
        dialog.finished.connect(lambda result: self._amend_answered(dialog, result))
        dialog.open()

    def _amend_answered(self, dialog: AmendDialog, result: int) -> None:
        self.dialog = None
        dialog.deleteLater()
        text, reason = dialog.text.toPlainText(), dialog.reason.text()
        if result == QDialog.DialogCode.Accepted and text.strip():
            self.amend_now(text, reason)
        elif self.visit is not None:     # cancelled: the worker chose to drop it
            drop_draft(self, self.taskman, amendment_draft_key(self.visit.id))

    def amend_now(self, text: str, reason: str = "") -> None:
        visit_id = self.visit.id if self.visit else ""
        key = amendment_draft_key(visit_id)

        def add(store: Store) -> VisitAmendment:
            amendment = store.visits.amend(visit_id, text, reason=reason)
            store.drafts.clear(key)
            return amendment
        StoreOp(self, add, taskman=self.taskman
                ).success(lambda a: self.sig_changed.emit(visit_id)).failure(
            lambda exc: self.status.setText(f"Not added: {plain_message(exc)}")
        ).run_in_background()


class VisitsTab(QWidget):
    def __init__(self, *, taskman: TaskManager, case_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.case_id = case_id
        self.list = QListWidget()
        self.list.setAccessibleName("Visits")
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.lines: RecordLines[Visit] = RecordLines(
            self.list, key=lambda v: v.id, title=visit_title, order=lambda v: v.visited_at,
            data=lambda v: v.id)
        self.new_button = QPushButton("&New visit")
        self.editor = VisitEditor(taskman=taskman)
        QVBoxLayout(self).addWidget(list_beside_editor(self.new_button, self.list, self.editor))
        self.new_button.clicked.connect(self.new_visit)
        self.list.currentItemChanged.connect(self._chosen)
        self.editor.sig_changed.connect(self.open_visit)     # finalised or amended here
        taskman.sig_changes_applied.connect(self._changed)
        if case_id:
            self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the case's visits again; `select` one and open it (a search or timeline hit)."""
        case_id = self.case_id
        StoreOp(self, lambda store: store.visits.of_case(case_id), taskman=self.taskman
                ).success(lambda visits: self._show(visits, select)).run_in_background()

    def _show(self, visits: list[Visit], select: str | None) -> None:
        self.lines.show(visits)
        if select:
            self._select(select)

    def _select(self, visit_id: str) -> None:
        self.lines.choose(visit_id)
        self.open_visit(visit_id)

    def _changed(self, changes: Changes, initiator: object) -> None:
        """The visits that changed are read again, and only those (all of them after a big
        sync); the one open in the editor is shown afresh if it changed elsewhere."""
        if not self.case_id or not changes.touches(EntityKind.VISIT, EntityKind.VISIT_AMENDMENT):
            return
        case_id, ids = self.case_id, changes.ids_if_few(EntityKind.VISIT)
        amendments = changes.ids_if_few(EntityKind.VISIT_AMENDMENT)

        def read(store: Store) -> tuple[list[Visit], set[str] | None]:
            visits = store.visits.of_case(case_id) if ids is None else \
                store.visits.with_ids(case_id, ids)
            return visits, None if amendments is None else store.visits.amended(amendments)
        mine = initiator in (self, self.editor)
        StoreOp(self, read, taskman=self.taskman).success(
            lambda found: self._show_changed(*found, whole=ids is None, mine=mine)
        ).run_in_background()

    def _show_changed(self, visits: list[Visit], amended: set[str] | None, *, whole: bool,
                      mine: bool) -> None:
        """`amended`: the visits a changed amendment corrects (None: too many to say)."""
        if whole:
            self.lines.show(visits)
        else:
            self.lines.put([v for v in visits if not v.deleted],
                           gone=[v.id for v in visits if v.deleted])
        shown = self.editor.visit
        if shown is None or mine:
            return              # the editor's own save, finalise or amendment: it knows
        stored = next((v for v in visits if v.id == shown.id), None)
        if stored is None and amended is not None and shown.id not in amended:
            return
        if stored is not None:
            stamped = stamped_only(stored, shown)
            if stamped is not None:     # only pushed: carry on from the council's revision
                self.editor.visit = stamped
                return
        if self.editor.dirty:
            return      # the worker's words stay; their next save meets it as a conflict
        if stored is not None and stored.deleted:
            self.editor.clear()
        else:
            self.open_visit(shown.id)

    def _chosen(self, item: QListWidgetItem | None, _old: QListWidgetItem | None) -> None:
        if item is not None:
            self.editor.save_if_dirty()
            self.open_visit(item.data(Qt.ItemDataRole.UserRole))

    def open_visit(self, visit_id: str) -> None:
        def load(store: Store) -> tuple[Visit, list[VisitAmendment], dict[str, str]]:
            return (store.records.get(Visit, visit_id), store.visits.amendments(visit_id),
                    store.cases.worker_names())
        StoreOp(self, load, taskman=self.taskman).success(
            lambda result: self.editor.show_visit(*result)).run_in_background()

    def new_visit(self) -> None:
        self.editor.save_if_dirty()
        case_id = self.case_id
        StoreOp(self, lambda store: store.visits.add(case_id), taskman=self.taskman
                ).success(self._added).run_in_background()

    def _added(self, visit: Visit) -> None:
        self.lines.put([visit])
        self._select(visit.id)

    def save_before_lock(self) -> None:
        self.editor.save_before_lock()

    def clear(self) -> None:
        self.editor.clear()
        self.lines.clear()
