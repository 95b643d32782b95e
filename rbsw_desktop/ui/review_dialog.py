""""Start review": says what it does before it does it, and lets the worker reword for the
family what moved to strengths.

A review keeps the board as it is now, dated today, and cannot be changed afterwards (the
council holds it as the record of the board on that day). The family's copy prints "Well done!"
beside each item that moved to green since the last review; an item often keeps the words it
had as a risk ("When Dad drinks he shouts and throws things"), so each such item is shown with
its words and a box to say it as a strength for the family's copy. The original words stay in
the record.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain.board import Movement
from rbsw_desktop.domain.instants import day_words


class ReviewDialog(QDialog):
    def __init__(self, *, to_strengths: list[Movement], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Start a review")
        self.words: dict[str, QLineEdit] = {}
        layout = QVBoxLayout(self)
        what = QLabel(f"Start a review dated today, {day_words(date.today())}? This keeps the "
                      "board as it is now as the record of this review, to compare with at "
                      "the next one. A review cannot be changed or deleted afterwards.",
                      wordWrap=True)
        layout.addWidget(what)
        if to_strengths:
            layout.addWidget(QLabel(
                "These moved to strengths since the last review. The family's copy says "
                "\"Well done!\" beside each, so check the words say what is going well, and "
                "reword them for the family if they do not. The board keeps the original "
                "words.", wordWrap=True))
            form = QFormLayout()
            for m in to_strengths:
                box = QLineEdit(m.text)
                box.setAccessibleName(f"For the family's copy, instead of: {m.text}")
                was = QLabel(f"On the board: \u201c{m.text}\u201d\n{m.describe()}",
                             wordWrap=True)
                was.setBuddy(box)
                form.addRow(was)
                form.addRow("For the family:", box)
                self.words[m.board_item_id] = box
            holder = QWidget()
            holder.setLayout(form)
            scroll = QScrollArea()
            scroll.setAccessibleName("What moved to strengths")
            scroll.setWidgetResizable(True)
            scroll.setWidget(holder)
            layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.start_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.start_button.setText("Start review")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.words:
            first = next(iter(self.words.values()))
            first.selectAll()
            first.setFocus()
        self.resize(560, 420 if to_strengths else 160)

    def family_words(self) -> dict[str, str]:
        """{board item id: the words for the family's copy}, as the worker left them."""
        return {item_id: box.text().strip() for item_id, box in self.words.items()
                if box.text().strip()}
