"""The Scaling 0-10 editor: a large slider per person (the child, each parent and the worker are
offered; add or remove people) with their "why", and the same question's scores across the
case's sessions as a small chart. The question and what 0 and 10 mean are the session's own
parts (typed above, in the direct-work tab).

A person's slider starts "not scored": a score is kept once it is given (a click or drag, an
arrow key, Home/End, or a number key: 0-9, and 1 then 0 within a second for 10)."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import DirectWorkActivity, DirectWorkTool
from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.domain.direct_work_content import (
    Scale,
    parse_content,
)
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.store import Store
from rbsw_desktop.ui import style
from rbsw_desktop.ui.a11y import control_before
from rbsw_desktop.ui.maps.case_people import CasePeople, case_people
from rbsw_desktop.ui.maps.map_editor import MapEditor
from rbsw_desktop.ui.maps.scales_paint import (
    SHEET_WIDTH,
    ScaleSheet,
    paint_scales,
    scale_sheet,
    sheet_height,
)
from rbsw_desktop.ui.taskman import StoreOp, TaskManager

SLIDER_STYLE = """
QSlider::groove:horizontal { height: 10px; background: #d3d6da; border-radius: 5px; }
QSlider::sub-page:horizontal { background: #2f5e8e; border-radius: 5px; }
QSlider::handle:horizontal { width: 30px; margin: -12px 0; border-radius: 17px;
                             background: #ffffff; border: 3px solid #2f5e8e; }
QSlider::handle:horizontal:focus { border: 4px solid #1f2328; }
QSlider[scored="false"]::handle:horizontal { border: 3px dashed #9aa0a6; }
QSlider[scored="false"]::sub-page:horizontal { background: #d3d6da; }
"""


class ScoreSlider(QSlider):
    """0 to 10, big; `sig_given` when a person gives a score with it."""

    sig_given = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setRange(0, 10)
        self.setPageStep(1)
        self.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.setTickInterval(1)
        self.setMinimumHeight(44)
        self.setMinimumWidth(220)
        self.setStyleSheet(SLIDER_STYLE)
        self._digit_at = 0.0

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        text = event.text()
        if text.isdigit() and len(text) == 1:
            now = time.monotonic()
            ten = text == "0" and self.value() == 1 and now - self._digit_at < 1.0
            self.setValue(10 if ten else int(text))
            self._digit_at = now
            self.sig_given.emit()
            return
        super().keyPressEvent(event)
        if Qt.Key(event.key()) in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up,
                                   Qt.Key.Key_Down, Qt.Key.Key_Home, Qt.Key.Key_End,
                                   Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.sig_given.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mousePressEvent(event)
        self.sig_given.emit()


class ScoreRow(QWidget):
    sig_changed = Signal()
    sig_remove = Signal(object)

    def __init__(self, person: str, score: int | None, why: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scored = score is not None
        self.person = QLineEdit(person, placeholderText="Who")
        self.person.setAccessibleName("Who gives this score")
        self.person.setMaximumWidth(180)
        self.slider = ScoreSlider()
        self.slider.setValue(score or 0)
        self.number = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.number.setMinimumWidth(96)
        self.number.setFont(style.scaled_font(self.font(), 1.6, bold=True))
        self.why = QLineEdit(placeholderText="Why this number?")
        self.why.setText(why)
        self.why.setAccessibleName("Why")
        self.remove = QPushButton("Remove")
        line = QHBoxLayout(self)
        line.setContentsMargins(0, 2, 0, 2)
        line.addWidget(self.person)
        line.addWidget(self.slider, 3)
        line.addWidget(self.number)
        line.addWidget(self.why, 2)
        line.addWidget(self.remove)
        self.slider.sig_given.connect(self._given)
        self.slider.valueChanged.connect(self._moved)
        self.person.textChanged.connect(self._retitle)
        self.why.textChanged.connect(self.sig_changed)
        self.remove.clicked.connect(lambda: self.sig_remove.emit(self))
        self._retitle()

    def _given(self) -> None:
        if not self.scored:
            self.scored = True
            self._moved()

    def _moved(self, *_args: object) -> None:
        self.scored = self.scored or self.slider.isSliderDown()
        self._retitle()
        if self.scored:
            self.sig_changed.emit()

    def _retitle(self) -> None:
        who = self.person.text().strip() or "this person"
        self.number.setText(str(self.slider.value()) if self.scored else "not scored")
        self.slider.setAccessibleName(f"Score from {who}, 0 to 10")
        self.slider.setAccessibleDescription(
            f"{self.slider.value()} out of 10" if self.scored else "Not scored yet")
        self.why.setEnabled(self.scored)
        if self.slider.property("scored") != self.scored:
            self.slider.setProperty("scored", self.scored)     # the style follows
            self.slider.style().unpolish(self.slider)
            self.slider.style().polish(self.slider)
        self.remove.setAccessibleName(f"Remove {who}")
        self.sig_changed.emit()

    def scale(self) -> Scale | None:
        name = self.person.text().strip()
        if not self.scored or not name:
            return None
        return Scale(name, self.slider.value(), self.why.text())


class ScaleChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet = ScaleSheet()
        self.setAccessibleName("Scores over the sessions")
        self.setMinimumHeight(180)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 260)

    def show_sheet(self, sheet: ScaleSheet) -> None:
        self.sheet = sheet
        sessions = "; ".join(f"{s.held_on}: " + ", ".join(f"{x.person} {x.score}"
                                                           for x in s.scales)
                             for s in sheet.sessions)
        self.setAccessibleDescription(sessions or "No scores for this question yet.")
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if self.sheet.sessions:
            width = min(float(self.width()), self.height() * SHEET_WIDTH /
                        sheet_height(self.sheet, lines=False))
            paint_scales(painter, self.sheet, width, lines=False)
        else:
            painter.setPen(Qt.GlobalColor.darkGray)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             "Once this question has scores, they show here session by "
                             "session.")
        painter.end()


def same_scale_sessions(store: Store, activity_id: str) -> list[DirectWorkActivity]:
    return store.direct_work.same_scale(store.records.get(DirectWorkActivity, activity_id))


class ScalesEditor(MapEditor):
    """A map editor (`MapEditor`) whose content is {"scales": [...]}."""

    def __init__(self, *, taskman: TaskManager, activity: DirectWorkActivity,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman, self.activity = taskman, activity
        self.rows: list[ScoreRow] = []
        self._sessions: list[DirectWorkActivity] = []
        self._offered = False
        self._case: CasePeople | None = None
        self.rows_box = QVBoxLayout()
        self.add = QPushButton("Add a pe&rson")
        self.chart = ScaleChart()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.rows_box)
        add_line = QHBoxLayout()
        add_line.addWidget(self.add)
        add_line.addStretch(1)
        column.addLayout(add_line)
        column.addWidget(self.chart, 1)
        self.add.clicked.connect(self._add_clicked)
        taskman.sig_changes_applied.connect(self._changes)
        case_id = activity.case_id
        StoreOp(self, lambda store: case_people(store, case_id), taskman=taskman
                ).success(self._show_case).run_in_background()
        self._load_sessions()

    # -- people ------------------------------------------------------------------------------

    def _show_case(self, people: CasePeople) -> None:
        self._case = people
        self._offer()

    def _offer(self) -> None:
        """A new session offers the child, each parent and the worker, not scored yet."""
        if self._offered or self._case is None or self.rows:
            return
        self._offered = True
        names = [self._case.child, *(p.name for p in self._case.parents), self._case.worker]
        for name in names:
            if name:
                self._add_row(name, None, "")

    def _add_row(self, person: str, score: int | None, why: str) -> ScoreRow:
        row = ScoreRow(person, score, why)
        row.sig_changed.connect(self._edited)
        row.sig_remove.connect(self._remove)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        row.show()          # added after the editor was shown: Qt leaves new children hidden
        self._keep_tab_order()
        return row

    def _keep_tab_order(self) -> None:
        """Tab: each row in turn, then Add a person (a row added later is put in its place)."""
        first = self.rows[0].person if len(self.rows) > 1 else self.add
        chain = [*(c for r in self.rows for c in (r.person, r.slider, r.why, r.remove)),
                 self.add]
        before = control_before(first)
        links = chain if before in chain else [before, *chain]
        for a, b in zip(links, links[1:], strict=False):
            QWidget.setTabOrder(a, b)

    def _add_clicked(self) -> None:
        row = self._add_row("", None, "")
        row.person.setFocus()

    def _remove(self, row: ScoreRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self._edited()

    # -- the ContentEditor shape ---------------------------------------------------------------

    def scales(self) -> tuple[Scale, ...]:
        return tuple(s for s in (r.scale() for r in self.rows) if s is not None)

    def content(self) -> dict[str, Any]:
        return {"scales": [s.to_json() for s in self.scales()]}

    def set_content(self, content: dict[str, Any]) -> None:
        scales = parse_content(DirectWorkTool.SCALING,
                               {"scales": content.get("scales", [])}).scales
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        for s in scales:
            self._add_row(s.person, s.score, s.why)
        self._offered = bool(scales)
        self._offer()
        self._show_chart()

    def _edited(self) -> None:
        self._show_chart()
        self.changed.emit()

    # -- the chart ---------------------------------------------------------------------------

    def _load_sessions(self) -> None:
        activity_id = self.activity.id
        StoreOp(self, lambda store: same_scale_sessions(store, activity_id),
                taskman=self.taskman).success(self._show_sessions).run_in_background()

    def _show_sessions(self, sessions: list[DirectWorkActivity]) -> None:
        self._sessions = sessions
        self._show_chart()

    def _changes(self, changes: Changes, _initiator: object) -> None:
        if changes.touches(EntityKind.DIRECT_WORK_ACTIVITY):
            self._load_sessions()

    def _show_chart(self) -> None:
        """The saved sessions of this question, with this one's scores as they are now."""
        mine = next((a for a in self._sessions if a.id == self.activity.id), self.activity)
        self.chart.show_sheet(scale_sheet(mine, self._sessions, self.scales()))
