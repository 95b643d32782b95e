"""A drawing tool's sheet: one drawing area for each of the tool's prompts (Three Houses: the
house of worries, of good things and of dreams; Wizard / Fairy; Safety House: who is inside the
house keeping me safe, the rules on the roof, where I am on the path; a free drawing), with the
toolbox over them. It is a content editor (`ui.content_editor.ContentEditor`): `content()` is its
part of the activity's content JSON, `{"drawing": {PROMPT: drawing}}`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QTabWidget, QVBoxLayout, QWidget

from rbsw_desktop.domain.direct_work_content import ContentProblem, parse_content
from rbsw_desktop.domain.enums import DirectWorkTool
from rbsw_desktop.ui.drawing.canvas import DrawingCanvas, Tool
from rbsw_desktop.ui.drawing.paint import guide_for
from rbsw_desktop.ui.drawing.toolbox import Toolbox

MIN_HEIGHT = 480       # px: the toolbox and a drawing area a child can draw in


class DrawingSheet(QWidget):
    changed = Signal()

    def __init__(self, tool: DirectWorkTool, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tool_kind = tool
        self.tool = Tool()
        self.toolbox = Toolbox(self.tool)
        self.areas = QTabWidget()
        self.areas.setAccessibleName("Drawing areas")
        self.canvases: dict[str, DrawingCanvas] = {}
        for prompt in tool.prompts:
            canvas = DrawingCanvas(self.tool, name=prompt, guide=guide_for(tool, prompt))
            canvas.changed.connect(self._changed)
            self.canvases[prompt] = canvas
            self.areas.addTab(canvas, prompt)
        self.confirm_clear: QMessageBox | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbox)
        layout.addWidget(self.areas, 1)
        self.setMinimumHeight(MIN_HEIGHT)
        self.toolbox.sig_undo.connect(lambda: self.current.undo())
        self.toolbox.sig_redo.connect(lambda: self.current.redo())
        self.toolbox.sig_clear.connect(self.ask_to_clear)
        self.areas.currentChanged.connect(lambda _i: self._show_history())
        self._show_history()

    @property
    def current(self) -> DrawingCanvas:
        canvas = self.areas.currentWidget()
        assert isinstance(canvas, DrawingCanvas)
        return canvas

    def show_area(self, prompt: str) -> None:
        self.areas.setCurrentWidget(self.canvases[prompt])

    # -- the content editor -------------------------------------------------------------------

    def content(self) -> dict[str, Any]:
        """The areas drawn in; nothing at all while none is (a new session is not kept for
        a tool chosen and a blank sheet)."""
        drawings = {prompt: c.drawing_json() for prompt, c in self.canvases.items() if not c.empty}
        return {"drawing": drawings} if drawings else {}

    def set_content(self, content: dict[str, Any]) -> None:
        mine = {p: d for p, d in (content.get("drawing") or {}).items() if p in self.canvases}
        try:
            drawings = parse_content(self.tool_kind, {"drawing": mine}).drawings
        except ContentProblem:
            drawings = {}       # the store checked it when it was kept: never here
        for prompt, canvas in self.canvases.items():
            canvas.set_drawing(drawings.get(prompt))
        self._show_history()

    # -- clear, undo, redo --------------------------------------------------------------------

    def ask_to_clear(self) -> None:
        canvas = self.current
        box = QMessageBox(QMessageBox.Icon.Question, "Clear the drawing?",
                          f"Clear everything drawn in “{canvas.name}”? Undo brings it back.",
                          parent=self)
        yes = box.addButton("Clear it", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Keep it", QMessageBox.ButtonRole.RejectRole)
        box.buttonClicked.connect(lambda b: canvas.clear() if b is yes else None)
        self.confirm_clear = box
        box.open()

    def _changed(self) -> None:
        self._show_history()
        self.changed.emit()

    def _show_history(self) -> None:
        c = self.current
        self.toolbox.set_history(c.can_undo, c.can_redo, not c.empty)
