"""Direct work with a child: pick a tool, record the child's words verbatim and what they tell
us about the child's lived experience, draw with the child on the tool's sheet (or hand them the
laptop: the child's turn), and attach photos or scans of their drawings (kept encrypted in the
store, shown as thumbnails)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
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
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import Attachment, DirectWorkActivity, DirectWorkTool
from rbsw_desktop.errors import InvalidInput
from rbsw_desktop.store import Store
from rbsw_desktop.ui.autosave import Autosave
from rbsw_desktop.ui.content_editor import ContentEditor, content_editor
from rbsw_desktop.ui.drawing.childs_turn import ChildsTurn
from rbsw_desktop.ui.drawing.paint import guide_for, rendering_png
from rbsw_desktop.ui.record_list import list_beside_editor
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, plain_message

THUMB = 160
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
            decoded = QImage.fromData(data)
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
    return f"{a.held_on}\n{a.tool.label}" + (f": {a.title}" if a.title else "")


class DirectWorkTab(QWidget):
    def __init__(self, *, taskman: TaskManager, case_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.case_id = case_id
        self.activity: DirectWorkActivity | None = None
        self._loading = False
        self.list = QListWidget()
        self.list.setAccessibleName("Direct work sessions")
        self.list.setWordWrap(True)
        self.new_button = QPushButton("&New session")
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
        self.childs_turn_button = QPushButton("The chil&d's turn…")
        self.childs_turn: ChildsTurn | None = None
        self.child_words = QPlainTextEdit(placeholderText="Exactly as the child said it")
        self.child_words.setAccessibleName("The child's own words")
        self.lived = QPlainTextEdit()
        self.lived.setAccessibleName("What it tells us about the child's lived experience")
        self.consent = QLineEdit(placeholderText="Who the child agreed may see it")
        self.consent.setAccessibleName("Consent")
        self.shareable = QCheckBox("May be shared with the family")
        self.save_button = QPushButton("&Save")
        self.attach_button = QPushButton("Attach a &photo or scan…")
        self.thumbs = QListWidget()
        self.thumbs.setAccessibleName("Photos and scans")
        self.thumbs.setViewMode(QListView.ViewMode.IconMode)
        self.thumbs.setIconSize(QSize(THUMB, THUMB))
        self.thumbs.setMinimumHeight(THUMB + 40)
        self.message = QLabel(objectName="hint", wordWrap=True)
        self.message.setAccessibleName("Save status")

        form = QFormLayout()
        form.addRow("&Tool", self.tool)
        form.addRow("T&itle", self.title)
        form.addRow(self.parts_box)
        form.addRow(self.editor_box)
        form.addRow("The child's &own words", self.child_words)
        form.addRow("What it tells us about their &lived experience", self.lived)
        form.addRow("&Consent", self.consent)
        form.addRow(self.shareable)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.childs_turn_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        editor = QWidget()
        column = QVBoxLayout(editor)
        column.addLayout(form)
        column.addWidget(self.thumbs)
        column.addWidget(self.message)
        column.addLayout(buttons)
        self.editor_scroll = QScrollArea(widgetResizable=True)    # room for the tool's sheet
        self.editor_scroll.setWidget(editor)
        QVBoxLayout(self).addWidget(list_beside_editor(self.new_button, self.list,
                                                       self.editor_scroll))

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
        self._build_parts({})
        self._build_editor()
        self._set_editing(False)
        self.reload()

    def _set_editing(self, on: bool) -> None:
        for w in (self.tool, self.title, self.parts_box, self.child_words, self.lived,
                  self.consent, self.shareable, self.save_button, self.attach_button,
                  self.editor_box):
            w.setEnabled(on)
        self.childs_turn_button.setEnabled(on and self.editor is not None)

    def _build_parts(self, values: dict[str, str]) -> None:
        while self.parts_form.rowCount():
            self.parts_form.removeRow(0)
        self.parts = {}
        for prompt in DirectWorkTool(self.tool.currentData()).prompts:
            edit = QPlainTextEdit(values.get(prompt, ""))
            edit.textChanged.connect(self._mark_dirty)
            edit.setAccessibleName(prompt)
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
        self.editor = content_editor(tool, self.editor_box)
        if self.editor is not None:
            self.editor.set_content(self._held.get(tool, {}))
            self.editor.changed.connect(self._mark_dirty)
            self.editor_layout.addWidget(cast(QWidget, self.editor))
            cast(QWidget, self.editor).show()
        self.childs_turn_button.setEnabled(self.editor is not None and self.activity is not None)

    # -- loading ------------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        case_id = self.case_id
        StoreOp(self, lambda store: store.direct_work.of_case(case_id), taskman=self.taskman
                ).success(lambda rows: self._show_list(rows, select)).run_in_background()

    def _show_list(self, rows: list[DirectWorkActivity], select: str | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for a in rows:
            item = QListWidgetItem(session_title(a))
            item.setData(Qt.ItemDataRole.UserRole, a)
            self.list.addItem(item)
            if a.id == select:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if select:
            self.show_activity(next(a for a in rows if a.id == select))

    def _chosen(self, item: QListWidgetItem | None, _old: QListWidgetItem | None) -> None:
        if item is not None:
            self.save_if_dirty()
            self.show_activity(item.data(Qt.ItemDataRole.UserRole))

    def show_activity(self, a: DirectWorkActivity) -> None:
        self._loading = True
        self.activity = a
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
        self._set_editing(True)
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
        self.thumbs.clear()
        for t in thumbs:
            icon = QIcon(QPixmap.fromImage(t.image)) if t.image is not None else QIcon()
            item = QListWidgetItem(icon, t.attachment.filename or t.attachment.media_type)
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"Attachment: {t.attachment.filename or 'scan'}")
            self.thumbs.addItem(item)

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
        """A copy of the session as it is on screen (the copy goes to the store thread)."""
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
        self.save_if_dirty()
        case_id = self.case_id
        tool = DirectWorkTool(self.tool.currentData())
        StoreOp(self, lambda store: store.direct_work.add(case_id, tool,
                                                          held_on=date.today().isoformat()),
                taskman=self.taskman
                ).success(lambda a: self.reload(select=a.id)).run_in_background()

    def save(self) -> None:
        self.autosave.save_now()

    def _saved(self, saved: DirectWorkActivity) -> None:
        for row in range(self.list.count()):     # refresh only this session's line
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole).id == saved.id:
                item.setText(session_title(saved))
                item.setData(Qt.ItemDataRole.UserRole, saved)

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
        activity = self.activity
        # When it is done, refresh only the thumbnails: what is typed while the scan is
        # encrypted stays on screen, and stays dirty so it still saves itself.
        StoreOp(self, lambda store: attach_file(store, activity, path), taskman=self.taskman
                ).success(lambda _a: self._load_thumbs(activity.id)).failure(
            lambda exc: self.message.setText(plain_message(exc))).run_in_background()

    def clear(self) -> None:
        """Drop what is shown (before the app locks), saving what is being typed first."""
        self.end_childs_turn()
        self.save_if_dirty()
        self._loading = True
        self.activity = None
        self._answers = {}
        self._held = {}
        self._build_editor()
        self.list.clear()
        self.thumbs.clear()
        edits: tuple[QPlainTextEdit | QLineEdit, ...] = (
            self.child_words, self.lived, self.title, self.consent, *self.parts.values())
        for w in edits:
            w.clear()
        self.autosave.discard()
        self._loading = False
        self._set_editing(False)
