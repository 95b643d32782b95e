"""The bundled fonts reach the screen: a family's emoji or a name in any script is drawn as
itself, not as the empty box a missing glyph leaves."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

MISSING = "\U0010fffd"     # a private-use code point no font draws: the missing-glyph box


def drawn(text: str) -> bytes:
    image = QImage(80, 40, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(QApplication.font())
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return bytes(image.constBits())


@pytest.mark.parametrize("text", ["🔒", "★", "ש", "Ŵ"])
def test_symbols_emoji_and_scripts_are_drawn(qapp, text: str) -> None:
    pixels = drawn(text)
    assert pixels != drawn(" ")          # something is drawn
    assert pixels != drawn(MISSING)      # and it is not the missing-glyph box
