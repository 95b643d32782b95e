"""What a direct-work tool edits beyond words (drawings, an ecomap, a genogram, scores), as a
widget the direct-work tab shows and saves through its one autosave.

A content editor is a QWidget with a `changed` signal, `content()` giving its part of the
activity's content JSON (`domain.direct_work_content`: e.g. `{"drawing": {...}}`) and
`set_content(content)` showing the activity's content (the whole of it: it takes its part).
`content_editor(tool, parent, taskman=, activity=)` is the editor for a tool: the drawing sheet
(`ui.drawing`) for a tool with drawing areas, the ecomap, genogram or scales editor (`ui.maps`,
which read the case's people and sessions through `taskman`, so only once a session is shown),
or None for a tool of words only.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QWidget

from rbsw_desktop.domain.direct_work_content import DRAWING_TOOLS
from rbsw_desktop.domain.entities import DirectWorkActivity
from rbsw_desktop.domain.enums import DirectWorkTool
from rbsw_desktop.ui.drawing.sheet import DrawingSheet
from rbsw_desktop.ui.maps import map_editor
from rbsw_desktop.ui.taskman import TaskManager


class ContentEditor(Protocol):
    @property
    def changed(self) -> SignalInstance: ...

    def content(self) -> dict[str, Any]: ...

    def set_content(self, content: dict[str, Any]) -> None: ...


def content_editor(tool: DirectWorkTool, parent: QWidget | None, *, taskman: TaskManager,
                   activity: DirectWorkActivity | None) -> ContentEditor | None:
    if tool in DRAWING_TOOLS:
        return DrawingSheet(tool, taskman=taskman, parent=parent)
    if activity is None:
        return None
    return map_editor(tool, parent, taskman=taskman, activity=activity)
