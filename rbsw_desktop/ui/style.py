"""The one stylesheet. Calm colours; sizes relative to the system font so text scales with it.

Zone colours are never the only signal: every zone also has its label and its shape
(`ZONE_SHAPES`), so a greyscale screen or a colour-blind reader loses nothing.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from rbsw_desktop.domain import Zone
from rbsw_desktop.resources import font_path

#: Bundled fonts (the PDF's too), after the system's own: any name, script or emoji a family
#: uses is drawn, whatever the laptop has installed.
BUNDLED_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "Symbola.ttf")

ZONE_COLOURS = {Zone.RED: "#b3261e", Zone.AMBER: "#a15c00", Zone.GREEN: "#2e6b30"}
ZONE_TINTS = {Zone.RED: "#fbe9e7", Zone.AMBER: "#fff3e0", Zone.GREEN: "#e8f5e9"}
ZONE_SHAPES = {Zone.RED: "▲", Zone.AMBER: "◆", Zone.GREEN: "●"}

STYLESHEET = """
QWidget { color: #1f2328; }
QMainWindow, QWidget#page { background: #f7f7f5; }
QLineEdit, QTextEdit, QPlainTextEdit, QListView, QTableView, QTreeView {
    background: #ffffff; border: 1px solid #c9ccd1; border-radius: 6px; padding: 4px;
    selection-background-color: #2f5e8e; selection-color: #ffffff;
}
QLineEdit:focus, QTextEdit:focus, QPlainTextEdit:focus, QListView:focus, QTableView:focus {
    border: 2px solid #2f5e8e; padding: 3px;    /* the same size with focus as without */
}
QPushButton {
    background: #ffffff; border: 1px solid #9aa0a6; border-radius: 6px; padding: 6px 14px;
}
QPushButton:focus { border: 2px solid #2f5e8e; }
QPushButton#primary { background: #2f5e8e; color: #ffffff; border-color: #2f5e8e; }
QLabel#title { font-weight: 600; }
QLabel#error { color: #8c1d18; }
QLabel#hint { color: #4d5156; }
QWidget:disabled { color: #6b6f75; }
QLineEdit:disabled, QTextEdit:disabled, QPlainTextEdit:disabled, QListView:disabled,
QComboBox:disabled, QDateTimeEdit:disabled {
    background: #eceeef; border: 1px dashed #b5b9be; color: #4d5156;
}
QLineEdit:read-only, QTextEdit[readOnly="true"], QPlainTextEdit[readOnly="true"] {
    background: #eceeef; border: 1px dashed #b5b9be;
}
QPushButton:disabled { background: #eceeef; border: 1px solid #d3d6da; color: #8a8f95; }
QHeaderView::section { background: #eceeef; border: none; padding: 6px; font-weight: 600; }
QTabBar::tab { padding: 6px 14px; }
QTabBar::tab:selected { font-weight: 600; }
"""


def apply(app: QApplication) -> None:
    families: list[str] = []
    for name in BUNDLED_FONTS:
        font_id = QFontDatabase.addApplicationFont(str(font_path(name)))
        families += [f for f in QFontDatabase.applicationFontFamilies(font_id)
                     if f not in families]
    font = app.font()
    font.setFamilies([*font.families(), *families])
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)


def scaled_font(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    """A font `factor` times the system size: text grows with the system setting."""
    font = QFont(base)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * factor)
    font.setBold(bold)
    return font
