"""What a direct-work tool edits beyond words (drawings, an ecomap, a genogram, scores), as a
widget the direct-work tab shows and saves through its one autosave.

A content editor is a QWidget with a `changed` signal, `content()` giving its part of the
activity's content JSON (`domain.direct_work_content`: e.g. `{"drawing": {...}}`) and
`set_content(content)` showing the activity's content (the whole of it: it takes its part).
`content_editor(tool, parent)` is the editor for a tool, or None for a tool of words only.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QWidget

from rbsw_desktop.domain.direct_work_content import DRAWING_TOOLS
from rbsw_desktop.domain.enums import DirectWorkTool
from rbsw_desktop.ui.drawing.sheet import DrawingSheet


class ContentEditor(Protocol):
    @property
    def changed(self) -> SignalInstance: ...

    def content(self) -> dict[str, Any]: ...

    def set_content(self, content: dict[str, Any]) -> None: ...


def content_editor(tool: DirectWorkTool, parent: QWidget | None = None) -> ContentEditor | None:
    if tool in DRAWING_TOOLS:
        return DrawingSheet(tool, parent=parent)
    return None
