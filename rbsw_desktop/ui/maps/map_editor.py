"""What every map editor is: the content-editor shape the direct-work tab shows and saves."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class MapEditor(QWidget):
    """A QWidget with `changed` (something was edited), `content()` (its part of the
    activity's content JSON) and `set_content(content)` (show that part of `content`)."""

    changed = Signal()

    def content(self) -> dict[str, Any]:
        raise NotImplementedError

    def set_content(self, content: dict[str, Any]) -> None:
        raise NotImplementedError
