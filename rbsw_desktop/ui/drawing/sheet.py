"""A drawing tool's sheet: one drawing area for each of the tool's prompts (Three Houses: the
house of worries, of good things and of dreams; Wizard / Fairy; Safety House: who is inside the
house keeping me safe, the rules on the roof, where I am on the path; a free drawing), with the
toolbox over them. It is a content editor (`ui.content_editor.ContentEditor`): `content()` is its
part of the activity's content JSON, `{"drawing": {PROMPT: drawing}}`. A big drawing (more points
than the canvas paints in a frame) is read on the task manager's pool, so opening it never
stalls the UI; its content stays as it was kept until it is shown."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QTabWidget, QVBoxLayout, QWidget

from rbsw_desktop.domain.direct_work_content import ContentProblem, Drawing, parse_content
from rbsw_desktop.domain.enums import DirectWorkTool
from rbsw_desktop.ui.drawing.canvas import PAINT_AT_ONCE, DrawingCanvas, Tool
from rbsw_desktop.ui.drawing.paint import guide_for
from rbsw_desktop.ui.drawing.toolbox import Toolbox
from rbsw_desktop.ui.taskman import TaskManager, show_error

Parsed = dict[str, tuple[Drawing, list[dict[str, Any]]]]    # by part: a drawing, its strokes' JSON

MIN_HEIGHT = 480       # px: the toolbox and a drawing area a child can draw in


class DrawingSheet(QWidget):
    changed = Signal()

    def __init__(self, tool: DirectWorkTool, *, taskman: TaskManager | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self._opening: dict[str, Any] | None = None     # the content being read, as it was kept
        self.tool_kind = tool
        self.tool = Tool()
        self.toolbox = Toolbox(self.tool)
        self.areas = QTabWidget()
        self.areas.setAccessibleName("Drawing areas")
        self.canvases: dict[str, DrawingCanvas] = {}
        for prompt in tool.prompts:
            canvas = DrawingCanvas(self.tool, name=prompt, guide=guide_for(tool, prompt),
                                   taskman=taskman)
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

    # -- the content editor -------------------------------------------------------------------

    def content(self) -> dict[str, Any]:
        """The areas drawn in; nothing at all while none is (a new session is not kept for
        a tool chosen and a blank sheet)."""
        if self._opening is not None:
            return {"drawing": self._opening}
        drawings = {prompt: c.drawing_json() for prompt, c in self.canvases.items() if not c.empty}
        return {"drawing": drawings} if drawings else {}

    @property
    def opening(self) -> bool:
        """Whether a big drawing is still being read (its areas take no strokes meanwhile)."""
        return self._opening is not None

    def set_content(self, content: dict[str, Any]) -> None:
        mine = {p: d for p, d in (content.get("drawing") or {}).items() if p in self.canvases}
        points = sum(len(s.get("points") or ()) for d in mine.values()
                     for s in d.get("strokes") or ())
        if self.taskman is None or points <= PAINT_AT_ONCE:
            self._opening = None
            self._show(self._parse(mine))
            return
        self._opening = mine
        for canvas in self.canvases.values():
            canvas.show_opening()
        self._show_history()
        self.taskman.run_in_pool(lambda: self._parse(mine),     # on failure it stays as kept
                                 lambda parsed: self._opened(mine, parsed),
                                 lambda exc: show_error(self, exc))

    def _parse(self, mine: dict[str, Any]) -> Parsed:
        """The drawings and their strokes' JSON; on any thread (no widget is touched). A
        stroke's JSON is the one kept when it reads the same: a copy of every point would
        make Python's collector sweep the whole heap meanwhile, stalling the UI thread."""
        try:
            drawings = parse_content(self.tool_kind, {"drawing": mine}).drawings
        except ContentProblem:
            drawings = {}       # the store checked it when it was kept: never here
        return {p: (d, [kept if (made := s.to_json()) == kept else made
                        for s, kept in zip(d.strokes, mine[p]["strokes"], strict=True)])
                for p, d in drawings.items()}

    def _opened(self, mine: dict[str, Any], parsed: Parsed) -> None:
        if not shiboken6.isValid(self) or self._opening is not mine:
            return              # closed, or another session's content is shown now
        self._opening = None
        self._show(parsed)

    def _show(self, parsed: Parsed) -> None:
        for prompt, canvas in self.canvases.items():
            canvas.set_drawing(*parsed.get(prompt, (None, None)))
        self._show_history()

    # -- clear, undo, redo --------------------------------------------------------------------

    def ask_to_clear(self) -> None:
        canvas = self.current
        box = QMessageBox(QMessageBox.Icon.Question, "Clear the drawing?",
                          f"Clear everything drawn in “{canvas.name}”? Undo brings it back.",
                          parent=self)
        yes = box.addButton("Clear it", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep it", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)        # Enter pressed without reading keeps the drawing
        box.setEscapeButton(keep)
        box.buttonClicked.connect(lambda b: canvas.clear() if b is yes else None)
        self.confirm_clear = box
        box.open()

    def _changed(self) -> None:
        self._show_history()
        self.changed.emit()

    def _show_history(self) -> None:
        c = self.current
        self.toolbox.set_history(c.can_undo, c.can_redo, not c.empty)
