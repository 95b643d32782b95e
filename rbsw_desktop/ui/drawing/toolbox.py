"""The drawing tools beside a canvas: big colour swatches (each named for a screen reader), three
pen sizes, the eraser, the stamps, undo, redo and clear (which asks first)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain.direct_work_content import STAMP_KINDS, Stamp
from rbsw_desktop.ui.drawing.canvas import Tool
from rbsw_desktop.ui.drawing.paint import paint_stamp

COLOURS = (("Black", "#1f2328"), ("Red", "#d32f2f"), ("Orange", "#f57c00"),
           ("Yellow", "#fbc02d"), ("Green", "#388e3c"), ("Blue", "#1976d2"),
           ("Purple", "#7b1fa2"), ("Pink", "#ec407a"), ("Brown", "#6d4c41"))
SIZES = (("Thin pen", 4.0), ("Medium pen", 10.0), ("Thick pen", 24.0))
ICON_PX = 96               # icons are drawn this big and shown smaller
SIDE = 44                  # a button's side, in pixels (the child's turn makes them bigger)
STAMP_NAMES = {"happy": "Happy face", "sad": "Sad face", "angry": "Angry face",
               "worried": "Worried face", "heart": "Heart", "house": "House", "star": "Star"}
assert set(STAMP_NAMES) == set(STAMP_KINDS)


def _dot_icon(colour: str, across: float) -> QIcon:
    """A dot `across` (0..1) of the icon's width."""
    side, diameter = ICON_PX, ICON_PX * across
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor("#5f6368"), 3))
    p.setBrush(QColor(colour))
    p.drawEllipse(QRectF((side - diameter) / 2, (side - diameter) / 2, diameter, diameter))
    p.end()
    return QIcon(pixmap)


def stamp_icon(kind: str) -> QIcon:
    side = ICON_PX
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint_stamp(p, Stamp(kind, side / 2, side / 2, side * 0.9))
    p.end()
    return QIcon(pixmap)


class Toolbox(QWidget):
    """Sets the shared `Tool`; `sig_undo`, `sig_redo` and `sig_clear` (already confirmed) act on
    the canvas being drawn on."""

    sig_undo = Signal()
    sig_redo = Signal()
    sig_clear = Signal()

    def __init__(self, tool: Tool, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tool = tool
        side = SIDE
        self.modes = QButtonGroup(self)         # a colour, the eraser or a stamp
        self.sizes = QButtonGroup(self)
        self.swatches: dict[str, QToolButton] = {}
        self.size_buttons: dict[str, QToolButton] = {}
        self.stamp_buttons: dict[str, QToolButton] = {}

        def button(name: str, icon: QIcon, group: QButtonGroup) -> QToolButton:
            b = QToolButton(checkable=True)
            b.setIcon(icon)
            b.setIconSize(QSize(side - 10, side - 10))
            b.setMinimumSize(side, side)
            b.setAccessibleName(name)
            b.setToolTip(name)
            group.addButton(b)
            return b

        colours = QHBoxLayout()
        for name, hex_colour in COLOURS:
            b = button(name, _dot_icon(hex_colour, 0.9), self.modes)
            b.clicked.connect(lambda _c=False, h=hex_colour: self._pen(h))
            self.swatches[name] = b
            colours.addWidget(b)
        self.eraser = button("Eraser", _dot_icon("#ffffff", 0.9), self.modes)
        self.eraser.setText("Eraser")
        self.eraser.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.eraser.clicked.connect(lambda: self._mode("eraser"))
        colours.addWidget(self.eraser)
        colours.addStretch(1)

        tools = QHBoxLayout()
        for name, width in SIZES:
            b = button(name, _dot_icon("#1f2328", (6 + width) / 34), self.sizes)
            b.clicked.connect(lambda _c=False, w=width: setattr(self.tool, "width", w))
            self.size_buttons[name] = b
            tools.addWidget(b)
        tools.addSpacing(side // 3)
        for kind in STAMP_KINDS:
            b = button(STAMP_NAMES[kind], stamp_icon(kind), self.modes)
            b.clicked.connect(lambda _c=False, k=kind: self._stamp(k))
            self.stamp_buttons[kind] = b
            tools.addWidget(b)
        tools.addStretch(1)
        self.undo_button = QPushButton("&Undo")
        self.redo_button = QPushButton("&Redo")
        self.clear_button = QPushButton("Clear…")
        self.clear_button.setAccessibleName("Clear the drawing")
        for push, signal in ((self.undo_button, self.sig_undo), (self.redo_button, self.sig_redo)):
            push.setMinimumHeight(side)
            push.clicked.connect(signal.emit)
            tools.addWidget(push)
        self.clear_button.setMinimumHeight(side)
        self.clear_button.clicked.connect(self.sig_clear.emit)
        tools.addWidget(self.clear_button)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(colours)
        column.addLayout(tools)
        self.swatches["Black"].setChecked(True)
        self.size_buttons["Medium pen"].setChecked(True)
        self.setStyleSheet("QToolButton { background: #ffffff; border: 1px solid #9aa0a6;"
                           " border-radius: 8px; } QToolButton:checked { background: #dbe7f3;"
                           " border: 4px solid #2f5e8e; }")

    def _pen(self, colour: str) -> None:
        self.tool.colour = colour
        self._mode("pen")

    def _mode(self, mode: str) -> None:
        self.tool.mode = mode

    def _stamp(self, kind: str) -> None:
        self.tool.stamp = kind
        self._mode("stamp")

    def set_button_side(self, side: int) -> None:
        """Bigger (the child's turn) or back to the usual size."""
        for b in self.findChildren(QToolButton):
            b.setMinimumSize(side, side)
            b.setIconSize(QSize(side - 10, side - 10))
        for push in (self.undo_button, self.redo_button, self.clear_button):
            push.setMinimumHeight(side)

    def set_history(self, can_undo: bool, can_redo: bool, can_clear: bool) -> None:
        self.undo_button.setEnabled(can_undo)
        self.redo_button.setEnabled(can_redo)
        self.clear_button.setEnabled(can_clear)
