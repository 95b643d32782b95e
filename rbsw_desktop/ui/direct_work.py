"""Direct work with a child: pick a tool, record the child's words verbatim and what they tell
us about the child's lived experience, draw with the child on the tool's sheet (or hand them the
laptop: the child's turn), keep an ecomap, a genogram or scores, and attach photos or scans of
their drawings (kept encrypted in the store, shown as thumbnails, opened full size by Enter or
a double-click).

"New session" keeps nothing until something is written in it or a picture attached; a draft
left blank is not kept. A session or a picture is removed after a confirmation naming it (a
tombstone that syncs)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import Attachment, DirectWorkActivity, DirectWorkTool, SyncState
from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.domain.direct_work_content import DRAWING_TOOLS
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.domain.instants import day_words
from rbsw_desktop.errors import InvalidInput
from rbsw_desktop.store import Store
from rbsw_desktop.ui.a11y import StatusLabel, name_parts, tab_into
from rbsw_desktop.ui.autosave import Autosave
from rbsw_desktop.ui.content_editor import ContentEditor, content_editor
from rbsw_desktop.ui.drawing.childs_turn import ChildsTurn
from rbsw_desktop.ui.drawing.paint import guide_for, rendering_png
from rbsw_desktop.ui.picture_viewer import (
    PictureViewer,
    ask_remove_picture,
    confirm_removal,
    picture_name,
    spoken_name,
    turned,
)
from rbsw_desktop.ui.record_list import RecordLines, list_beside_editor, stamped_only
from rbsw_desktop.ui.spelling import enable_spellcheck
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, plain_message

THUMB = 160
WORDS_BESIDE_MAP, ANY_HEIGHT = 90, (1 << 24) - 1    # pixels; Qt's own "no maximum"
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".bmp": "image/bmp",
               ".tif": "image/tiff", ".tiff": "image/tiff", ".pdf": "application/pdf"}


@dataclass(frozen=True)
class Thumbnail:
    attachment: Attachment
    image: QImage | None        # decoded off the UI thread; None for a PDF scan


def media_type_of(path: Path) -> str:
    kind = MEDIA_TYPES.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput("Only photos and scans can be attached (PNG, JPEG, GIF, WebP, BMP, "
                           "TIFF or PDF).")
    return kind


def load_thumbnails(store: Store, activity_id: str) -> list[Thumbnail]:
    out = []
    for a in store.direct_work.attachments(activity_id):
        if a.rendering_of:
            continue            # a drawing's own PNG: the drawing is shown itself
        data = store.direct_work.blob(a.sha256) or b""
        image = None
        if a.media_type.startswith("image/"):
            decoded = turned(QImage.fromData(data), a.rotation)
            if not decoded.isNull():
                image = decoded.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
        out.append(Thumbnail(a, image))
    return out


def attach_file(store: Store, activity: DirectWorkActivity, path: Path) -> Attachment:
    kind = media_type_of(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"That file could not be read ({exc.strerror}).") from None
    return store.direct_work.attach(activity.id, activity.case_id, data, kind, filename=path.name,
                                    consent=activity.consent)


def save_activity(store: Store, activity: DirectWorkActivity) -> DirectWorkActivity:
    """Keep the activity, with a fresh PNG rendering of each drawing area that changed."""
    tool = activity.tool
    return store.direct_work.save(
        activity, render=lambda part, drawing: rendering_png(drawing, guide_for(tool, part)))


def session_title(a: DirectWorkActivity) -> str:
    """'Fri 13 Nov 2026' over 'Three Houses: with Poppy'."""
    try:
        day = day_words(date.fromisoformat(a.held_on[:10]))
    except ValueError:
        day = a.held_on
    return f"{day}\n{a.tool.label}" + (f": {a.title}" if a.title else "")


def is_blank(a: DirectWorkActivity) -> bool:
    """Nothing written in it: the tool chosen and the sharing box alone are not a session."""
    words = (a.title, a.child_words, a.lived_experience, a.consent, *a.parts.values())
    return not (any(w.strip() for w in words) or a.content)


def drop_blank_draft(store: Store, activity_id: str) -> bool:
    """Remove a session left blank that never reached the council and has no picture."""
    held = store.records.get(DirectWorkActivity, activity_id)
    if held.deleted or held.rev is not None or not is_blank(held) or \
            store.direct_work.attachments(activity_id):
        return False
    store.direct_work.remove(activity_id)
    return True


class DirectWorkTab(QWidget):
    def __init__(self, *, taskman: TaskManager, case_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.case_id = case_id
        self.activity: DirectWorkActivity | None = None
        self._stored = False        # whether the session shown is kept in the store yet
        self._loading = False
        self.viewer: PictureViewer | None = None
        self.confirm: QMessageBox | None = None
        self.list = QListWidget()
        self.list.setAccessibleName("Direct work sessions")
        self.list.setWordWrap(True)
        self.lines: RecordLines[DirectWorkActivity] = RecordLines(
            self.list, key=lambda a: a.id, title=session_title,
            order=lambda a: (a.held_on, a.updated_at), data=lambda a: a)
        self.new_button = QPushButton("&New session")
        self.remove_button = QPushButton("Remove session…")
        self.remove_button.setAccessibleDescription("Remove this session")
        self.tool = QComboBox()
        for t in DirectWorkTool:
            self.tool.addItem(t.label, t.value)
        self.tool.setAccessibleName("Tool")
        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.parts_box = QWidget()
        self.parts_form = QFormLayout(self.parts_box)
        self.parts: dict[str, QPlainTextEdit] = {}
        # Every answer of this session, kept by prompt, including those for prompts the chosen
        # tool does not show: changing the tool (even by a stray mouse wheel) never drops one,
        # and they are saved with the session so switching back shows them again.
        self._answers: dict[str, str] = {}
        # The tool's drawings, map or scores (`ui.content_editor`), and what each tool chosen
        # in this session held, so switching back to it shows its content again.
        self.editor: ContentEditor | None = None
        self.editor_box = QWidget()
        self.editor_layout = QVBoxLayout(self.editor_box)
        self.editor_layout.setContentsMargins(0, 0, 0, 0)
        self._held: dict[DirectWorkTool, dict] = {}
        self._editor_tool = DirectWorkTool.FREE_FORM
        self.childs_turn_button = QPushButton("The child's turn…")
        self.childs_turn: ChildsTurn | None = None
        self.child_words = QPlainTextEdit(placeholderText="Exactly as the child said it",
                                          tabChangesFocus=True)
        self.child_words.setAccessibleName("The child's own words")
        self.lived = QPlainTextEdit(tabChangesFocus=True)
        self.lived.setAccessibleName("What it tells us about the child's lived experience")
        for field in (self.child_words, self.lived):
            enable_spellcheck(field, taskman)
        self.consent = QLineEdit(placeholderText="Who the child agreed may see it")
        self.consent.setAccessibleName("Consent")
        self.shareable = QCheckBox("May be shared with the family")
        self.save_button = QPushButton("S&ave")
        self.attach_button = QPushButton("Attach a &photo or scan…")
        self.thumbs = QListWidget()
        self.thumbs.setAccessibleName("Photos and scans")
        self.thumbs.setViewMode(QListView.ViewMode.IconMode)
        self.thumbs.setIconSize(QSize(THUMB, THUMB))
        self.thumbs.setMinimumHeight(THUMB + 40)
        self.thumbs.setAccessibleDescription(
            "Enter opens a photo full size, to caption, turn or remove it; Delete removes it")
        self.thumbs_hint = QLabel("Double-click a photo, or press Enter on it, to see it full "
                                  "size, caption it, turn it or remove it.", objectName="hint",
                                  wordWrap=True)
        self.message = StatusLabel("Save status", objectName="hint", wordWrap=True)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)   # fits a small screen
        form.addRow("T&ool", self.tool)
        form.addRow("T&itle", self.title)
        form.addRow(self.parts_box)
        form.addRow(self.editor_box)
        form.addRow("The c&hild's own words", self.child_words)
        form.addRow("What it tells us about their &lived experience", self.lived)
        form.addRow("Cons&ent", self.consent)
        form.addRow(self.shareable)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.childs_turn_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.save_button)
        body = QWidget()            # scrolls on a small screen; the buttons stay in sight
        fields = QVBoxLayout(body)
        fields.addLayout(form)
        fields.addWidget(self.thumbs)
        fields.addWidget(self.thumbs_hint)
        self.editor_scroll = QScrollArea(widgetResizable=True,   # the sheet or map has room
                                         frameShape=QScrollArea.Shape.NoFrame)
        self.editor_scroll.setAccessibleName("Session form")
        self.editor_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.editor_scroll.setWidget(body)
        editor = QWidget()
        column = QVBoxLayout(editor)
        column.addWidget(self.editor_scroll, 1)
        column.addWidget(self.message)
        column.addLayout(buttons)
        QVBoxLayout(self).addWidget(list_beside_editor(self.new_button, self.list, editor))

        self.tool.currentIndexChanged.connect(self._tool_changed)
        self.new_button.clicked.connect(self.new_session)
        self.save_button.clicked.connect(self.save)
        # Nothing typed is lost: the one autosave, and when another session is chosen.
        self.autosave = Autosave(self, taskman, collect=self.collect,
                                 write=save_activity,
                                 status=self.message,
                                 on_saved=self._saved)
        for edit in (self.title, self.consent):
            edit.textChanged.connect(self._mark_dirty)
        for text in (self.child_words, self.lived):
            text.textChanged.connect(self._mark_dirty)
        self.shareable.toggled.connect(self._mark_dirty)
        self.attach_button.clicked.connect(self.choose_file)
        self.childs_turn_button.clicked.connect(self.start_childs_turn)
        self.list.currentItemChanged.connect(self._chosen)
        self.remove_button.clicked.connect(self.ask_remove_session)
        self.thumbs.itemActivated.connect(self.open_picture)
        for target, action in ((self.list, self.ask_remove_session),
                               (self.thumbs, self.ask_remove_picture)):
            delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), target)
            delete.setContext(Qt.ShortcutContext.WidgetShortcut)
            delete.activated.connect(action)
        taskman.sig_changes_applied.connect(self._changed)
        self._build_parts({})
        self._build_editor()
        self._set_editing(False)
        self.reload()

    def _set_editing(self, on: bool) -> None:
        for w in (self.tool, self.title, self.parts_box, self.child_words, self.lived,
                  self.consent, self.shareable, self.save_button, self.attach_button,
                  self.editor_box):
            w.setEnabled(on)
        self.remove_button.setEnabled(on and self._stored)
        self.childs_turn_button.setEnabled(on and self.editor is not None)

    def _build_parts(self, values: dict[str, str]) -> None:
        while self.parts_form.rowCount():
            self.parts_form.removeRow(0)
        self.parts = {}
        for prompt in DirectWorkTool(self.tool.currentData()).prompts:
            edit = QPlainTextEdit(values.get(prompt, ""), tabChangesFocus=True)
            edit.textChanged.connect(self._mark_dirty)
            edit.setAccessibleName(prompt)
            enable_spellcheck(edit, self.taskman)
            edit.setMaximumHeight(70)
            self.parts[prompt] = edit
            label = QLabel(prompt)
            label.setBuddy(edit)
            self.parts_form.addRow(label, edit)
            label.show()   # added after the tab was shown: Qt leaves new children hidden
            edit.show()

    def _build_editor(self) -> None:
        if self.editor is not None:
            self.editor.changed.disconnect(self._mark_dirty)
            old = cast(QWidget, self.editor)
            self.editor_layout.removeWidget(old)
            old.hide()
            old.deleteLater()
        tool = self._editor_tool = DirectWorkTool(self.tool.currentData())
        self.editor = content_editor(tool, self.editor_box, taskman=self.taskman,
                                     activity=self.activity)
        if self.editor is not None:
            self.editor.set_content(self._held.get(tool, {}))
            self.editor.changed.connect(self._mark_dirty)
            self.editor_layout.addWidget(cast(QWidget, self.editor))
            cast(QWidget, self.editor).show()
            name_parts(cast(QWidget, self.editor))    # its drop-down lists, for a screen reader
        # Tab reads the form in order: the title, the tool's prompts, its sheet or map, then on.
        parts = [self.title, *self.parts.values()]
        for before, after in zip(parts, parts[1:], strict=False):
            QWidget.setTabOrder(before, after)
        if self.editor is not None:
            tab_into(parts[-1], cast(QWidget, self.editor))
        self.childs_turn_button.setEnabled(tool in DRAWING_TOOLS and self.activity is not None)
        for text in (self.child_words, self.lived):   # beside a sheet or map, the words keep small
            text.setMaximumHeight(WORDS_BESIDE_MAP if self.editor is not None else ANY_HEIGHT)

    # -- loading ------------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Read the case's sessions again; `select` one of them (a search or timeline hit)."""
        case_id = self.case_id
        StoreOp(self, lambda store: store.direct_work.of_case(case_id), taskman=self.taskman
                ).success(lambda rows: self._show_list(rows, select)).run_in_background()

    def _show_list(self, rows: list[DirectWorkActivity], select: str | None = None) -> None:
        self.lines.show(rows)
        if select in self.lines.records:
            self.lines.choose(select)
            self._leave()
            self.show_activity(self.lines.records[select])

    def _chosen(self, item: QListWidgetItem | None, _old: QListWidgetItem | None) -> None:
        if item is not None:
            self._leave()
            self.show_activity(item.data(Qt.ItemDataRole.UserRole))

    def show_activity(self, a: DirectWorkActivity, *, stored: bool = True) -> None:
        self._loading = True
        self.activity = a
        self._stored = stored
        self.tool.blockSignals(True)
        self.tool.setCurrentIndex(self.tool.findData(a.tool.value))
        self.tool.blockSignals(False)
        self._answers = dict(a.parts)
        self._build_parts(self._answers)
        self._held = {a.tool: a.content}
        self._build_editor()
        self.title.setText(a.title)
        self.child_words.setPlainText(a.child_words)
        self.lived.setPlainText(a.lived_experience)
        self.consent.setText(a.consent)
        self.shareable.setChecked(a.shareable)
        filed = a.sync_state == SyncState.FILED      # the council's case system holds it
        self._set_editing(not filed)
        self.message.setText("This session was filed in the council's case system, so it "
                             "stays as it is." if filed else "")
        self.autosave.discard()
        self._loading = False
        self._load_thumbs(a.id)

    def _load_thumbs(self, activity_id: str) -> None:
        StoreOp(self, lambda store: load_thumbnails(store, activity_id), taskman=self.taskman
                ).success(lambda thumbs: self._show_thumbs(thumbs, activity_id)
                     ).run_in_background()

    def _show_thumbs(self, thumbs: list[Thumbnail], activity_id: str) -> None:
        if self.activity is None or self.activity.id != activity_id:
            return      # another session is shown now (or the app locked)
        shown = [self.thumbs.item(r).data(Qt.ItemDataRole.UserRole).id
                 for r in range(self.thumbs.count())]
        if shown != [t.attachment.id for t in thumbs]:    # else updated in place (a caption
            self.thumbs.clear()                           # or a turn): focus stays put
            for _t in thumbs:
                self.thumbs.addItem(QListWidgetItem())
        for row, t in enumerate(thumbs):
            item = self.thumbs.item(row)
            item.setIcon(QIcon(QPixmap.fromImage(t.image)) if t.image is not None else QIcon())
            item.setText(picture_name(t.attachment))
            item.setData(Qt.ItemDataRole.UserRole, t.attachment)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken_name(t.attachment))
            item.setToolTip(spoken_name(t.attachment))

    # -- pictures -----------------------------------------------------------------------------

    def open_picture(self, item: QListWidgetItem) -> None:
        if self.viewer is not None:
            return
        viewer = PictureViewer(taskman=self.taskman,
                               attachment=item.data(Qt.ItemDataRole.UserRole), parent=self)
        self.viewer = viewer
        viewer.sig_changed.connect(self._reload_thumbs)
        viewer.sig_removed.connect(self._reload_thumbs)
        viewer.finished.connect(lambda _r: self._viewer_closed(viewer))
        viewer.open()

    def _viewer_closed(self, viewer: PictureViewer) -> None:
        self.viewer = None
        viewer.deleteLater()
        self.thumbs.setFocus()

    def _changed(self, changes: Changes, initiator: object) -> None:
        """The sessions that changed are read again, and only those (all of them after a big
        sync); the one shown is shown afresh if it changed elsewhere. A photo changed
        elsewhere (a sync brought a caption, a turn or a removal): the thumbnails shown are
        read again. The tab's and its window's own changes refresh themselves."""
        mine = initiator is self or (self.viewer is not None and initiator is self.viewer)
        if not mine and changes.touches(EntityKind.ATTACHMENT):
            self._reload_thumbs()
        if not changes.touches(EntityKind.DIRECT_WORK_ACTIVITY):
            return
        case_id, ids = self.case_id, changes.ids_if_few(EntityKind.DIRECT_WORK_ACTIVITY)
        StoreOp(self, lambda store: store.direct_work.of_case(case_id) if ids is None
                else store.direct_work.with_ids(case_id, ids), taskman=self.taskman).success(
            lambda rows: self._show_changed(rows, whole=ids is None, mine=mine)
        ).run_in_background()

    def _show_changed(self, rows: list[DirectWorkActivity], *, whole: bool,
                      mine: bool) -> None:
        if whole:
            self.lines.show(rows)
        else:
            self.lines.put([a for a in rows if not a.deleted],
                           gone=[a.id for a in rows if a.deleted])
        shown = self.activity
        stored = next((a for a in rows if shown is not None and a.id == shown.id), None)
        if shown is None or stored is None or mine or not self._stored:
            return
        stamped = stamped_only(stored, shown)
        if stamped is not None and stored.sync_state is not SyncState.FILED:
            self.activity = stamped     # only pushed: carry on from the council's revision
            return
        if self.dirty:
            return      # the worker's words stay; their next save meets it as a conflict
        if stored.deleted:
            self._show_nothing()
            self.message.setText("This session was removed on another laptop.")
        else:
            self.show_activity(stored)

    def _reload_thumbs(self, *_args: object) -> None:
        if self.activity is not None:
            self._load_thumbs(self.activity.id)

    def ask_remove_picture(self) -> None:
        item = self.thumbs.currentItem()
        if item is None:
            return
        self.confirm = ask_remove_picture(self, self.taskman, item.data(Qt.ItemDataRole.UserRole),
                                          then=self._reload_thumbs, failed=self._say_failed)

    def _say_failed(self, exc: BaseException) -> None:
        self.message.setText(plain_message(exc))

    # -- saving -------------------------------------------------------------------------------

    def _tool_changed(self, _index: int) -> None:
        self._answers = self._all_answers()
        self._build_parts(self._answers)
        self._held[self._editor_tool] = self._content()
        self._build_editor()
        self._mark_dirty()

    def _content(self) -> dict:
        """The content of the tool shown: its editor's, or what it held (no editor for it)."""
        if self.editor is not None:
            return self.editor.content()
        return self._held.get(self._editor_tool, {})

    def _all_answers(self) -> dict[str, str]:
        """The answers in the boxes shown, over those kept for prompts not shown."""
        answers = dict(self._answers)
        answers.update({k: e.toPlainText() for k, e in self.parts.items()})
        return {k: v for k, v in answers.items() if v}

    @property
    def dirty(self) -> bool:
        return self.autosave.dirty

    def _mark_dirty(self, *_args: object) -> None:
        if not self._loading and self.activity is not None:
            self.autosave.changed()

    def collect(self) -> DirectWorkActivity | None:
        """A copy of the session as it is on screen (the copy goes to the store thread); None
        for a new session with nothing in it yet (it is not kept)."""
        if self.activity is None:
            return None
        a = dataclasses.replace(self.activity)
        self.activity = a
        a.tool = DirectWorkTool(self.tool.currentData())
        a.title = self.title.text()
        a.parts = self._all_answers()   # answers for prompts not shown are kept too
        a.content = self._content()
        a.child_words = self.child_words.toPlainText()
        a.lived_experience = self.lived.toPlainText()
        a.consent = self.consent.text()
        a.shareable = self.shareable.isChecked()
        if not self._stored:
            if is_blank(a):
                return None
            self._stored = True
        return a

    def save_if_dirty(self) -> None:
        self.autosave.flush()

    def save_before_lock(self) -> None:
        self.end_childs_turn()
        self.save_if_dirty()

    # -- the child's turn ---------------------------------------------------------------------

    def start_childs_turn(self) -> ChildsTurn | None:
        """Full screen, the sheet and the words of this activity only, until the worker's
        passphrase is typed (or the app locks)."""
        if self.editor is None or self.activity is None or self.childs_turn is not None:
            return None
        self.save_if_dirty()
        sheet = cast(QWidget, self.editor)
        self.childs_turn = ChildsTurn(sheet, self.parts, taskman=self.taskman,
                                      title=self.activity.tool.label, parent=self)
        self.childs_turn.sig_ended.connect(self._childs_turn_ended)
        self.childs_turn.begin()
        return self.childs_turn

    def end_childs_turn(self) -> None:
        if self.childs_turn is not None:
            self.childs_turn.end()

    def _childs_turn_ended(self, sheet: QWidget) -> None:
        self.childs_turn = None
        self.editor_layout.addWidget(sheet)     # the sheet comes back to the tab
        sheet.show()
        self.save_if_dirty()

    def new_session(self) -> None:
        """A blank session on screen; it is kept once something is written in it or a picture
        is attached (`collect`)."""
        self._leave()
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        tool = DirectWorkTool(self.tool.currentData())
        self.show_activity(DirectWorkActivity(case_id=self.case_id, tool=tool,
                                              held_on=date.today().isoformat()), stored=False)
        self.message.setText("A new session: it is kept once you write something in it or "
                             "attach a photo.")
        self.title.setFocus()

    def _leave(self) -> None:
        """Before another session is shown: save what is typed; a draft left blank, never
        sent and with no picture is not kept."""
        self.save_if_dirty()
        a = self.activity
        if a is None or not self._stored or not is_blank(a) or self.thumbs.count():
            return
        activity_id = a.id
        StoreOp(self, lambda store: drop_blank_draft(store, activity_id), taskman=self.taskman
                ).run_in_background()          # its line goes with the change it announces

    def ask_remove_session(self) -> None:
        a = self.activity
        if a is None or not self._stored:
            return
        self.save_if_dirty()
        name = f"{a.tool.label}: {a.title}" if a.title.strip() else a.tool.label
        pictures = self.thumbs.count()
        more = ("" if not pictures else "Its photo or scan goes with it." if pictures == 1
                else f"Its {pictures} photos and scans go with it.")
        activity_id = a.id
        self.confirm = confirm_removal(
            self, f"the session “{name}” of {day_words(date.fromisoformat(a.held_on[:10]))}",
            lambda: self._remove_session(activity_id), more)

    def _remove_session(self, activity_id: str) -> None:
        StoreOp(self, lambda store: store.direct_work.remove(activity_id), taskman=self.taskman
                ).success(lambda _a: self._session_removed(activity_id)
                          ).failure(self._say_failed).run_in_background()

    def _session_removed(self, activity_id: str) -> None:
        if self.activity is not None and self.activity.id == activity_id:
            self._show_nothing()
            self.message.setText("The session was removed.")
        self.list.setFocus()

    def save(self) -> None:
        self.autosave.save_now()

    def _saved(self, saved: DirectWorkActivity) -> None:
        """Only this session's line is rewritten; a new one, kept just now, is chosen."""
        self.lines.put([saved])
        if self.activity is not None and self.activity.id == saved.id:
            self.lines.choose(saved.id)
            self.remove_button.setEnabled(True)

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Attach a photo or scan", "",
            "Photos and scans (*.png *.jpg *.jpeg *.gif *.webp *.bmp *.tif *.tiff *.pdf)")
        if name:
            self.attach(Path(name))

    def attach(self, path: Path) -> None:
        if self.activity is None:
            return
        self.save_if_dirty()
        new = None
        if not self._stored:          # a picture makes a new session kept, even a blank one
            new = self.collect() or self.activity
            self._stored = True
        activity = self.activity

        def attach_it(store: Store) -> DirectWorkActivity | None:
            with store.transaction():       # a new session is kept with its picture, or not
                kept = store.direct_work.save(new) if new is not None else None
                attach_file(store, activity, path)
            return kept
        # When it is done, refresh only the thumbnails: what is typed while the scan is
        # encrypted stays on screen, and stays dirty so it still saves itself.
        StoreOp(self, attach_it, taskman=self.taskman).success(
            lambda kept: self._attached(activity.id, kept)).failure(
            lambda exc: self._attach_failed(exc, activity.id, new is not None)
        ).run_in_background()

    def _attach_failed(self, exc: BaseException, activity_id: str, was_new: bool) -> None:
        if was_new and self.activity is not None and self.activity.id == activity_id:
            self._stored = False        # still only on screen
            self.autosave.changed()     # what is typed in it is saved once it is a session
        self._say_failed(exc)

    def _attached(self, activity_id: str, kept: DirectWorkActivity | None) -> None:
        if kept is not None:
            self._saved(kept)
        self._load_thumbs(activity_id)

    def clear(self) -> None:
        """Drop what is shown, saving what is being typed first: before another child's case
        is shown in this screen, and before the app locks."""
        self.end_childs_turn()
        self.save_if_dirty()
        for window in (self.viewer, self.confirm):
            if window is not None and window.isVisible():
                window.reject()
        self.lines.clear()
        self._show_nothing()

    def _show_nothing(self) -> None:
        self._loading = True
        self.activity = None
        self._stored = False
        self._answers = {}
        self._held = {}
        self._build_editor()
        self.thumbs.clear()
        edits: tuple[QPlainTextEdit | QLineEdit, ...] = (
            self.child_words, self.lived, self.title, self.consent, *self.parts.values())
        for w in edits:
            w.clear()
        self.autosave.discard()
        self._loading = False
        self._set_editing(False)
