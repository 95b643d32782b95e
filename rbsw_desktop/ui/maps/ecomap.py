"""The ecomap editor: a table of the people and services around the child (offered from the
case's people, or added new) and the map, laid out around the child.

Every person can be moved with the mouse (drag) or the keyboard (WCAG 2.2 2.5.7): Tab and
Shift+Tab in the map choose the next or previous person (and leave the map after the last),
the arrow keys move them (Shift for small steps). Where they are put is kept as their x/y.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import DirectWorkActivity, DirectWorkTool, new_id
from rbsw_desktop.domain.direct_work_content import (
    ECOMAP_KINDS,
    Ecomap,
    EcomapLink,
    EcomapPerson,
    parse_content,
)
from rbsw_desktop.domain.map_layout import Point, clamp_to_sheet, ecomap_layout
from rbsw_desktop.ui.maps.case_people import CasePeople, case_people
from rbsw_desktop.ui.maps.ecomap_paint import (
    BOX_H,
    BOX_W,
    KIND_LABELS,
    STRENGTH_LABELS,
    SUPPORT_LABELS,
    paint_ecomap,
    sheet_rect,
)
from rbsw_desktop.ui.maps.map_editor import MapEditor
from rbsw_desktop.ui.maps.table import (
    ChoiceDelegate,
    cell_text,
    cell_value,
    choice_cell,
    edit_table,
    text_cell,
)
from rbsw_desktop.ui.taskman import StoreOp, TaskManager

STEP, SMALL_STEP = 10.0, 2.0            # sheet units an arrow key moves a person
NO_LINK = "none"
LINK_LABELS = {NO_LINK: "No link", **STRENGTH_LABELS}
NAME, KIND, RELATIONSHIP, LINK, SUPPORT = range(5)


class EcomapView(QWidget):
    """The map. `sig_selected(id)` when a person is chosen on it; `sig_moved(id, x, y)` once a
    person is put somewhere (a drag let go, an arrow key)."""

    sig_selected = Signal(str)
    sig_moved = Signal(str, float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ecomap = Ecomap()
        self.centre = "The child"
        self.places: dict[str, Point] = {}
        self.selected: str | None = None
        self._dragging: str | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Ecomap")
        self.setMinimumSize(520, 460)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 500)

    def show_ecomap(self, ecomap: Ecomap, centre: str) -> None:
        self.ecomap, self.centre = ecomap, centre
        self.places = ecomap_layout(ecomap.people)
        if self.selected not in self.places:
            self.selected = None
        self._describe()
        self.update()

    def select(self, person_id: str | None) -> None:
        self.selected = person_id
        self._describe()
        self.update()

    def _describe(self) -> None:
        person = next((p for p in self.ecomap.people if p.id == self.selected), None)
        self.setAccessibleDescription(
            f"{person.name} chosen: move them with the arrow keys; Tab chooses the next person."
            if person else "Tab chooses a person on the map; the arrow keys move them.")

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        paint_ecomap(painter, self.ecomap, self.width(), self.height(), centre=self.centre,
                     places=self.places, selected=self.selected)
        painter.end()

    # -- the mouse -------------------------------------------------------------------------

    def _to_sheet(self, pos: QPointF) -> Point:
        scale, middle = sheet_rect(self.width(), self.height())
        return ((pos.x() - middle.x()) / scale, (pos.y() - middle.y()) / scale)

    def person_at(self, pos: QPointF) -> str | None:
        x, y = self._to_sheet(pos)
        for person in reversed(self.ecomap.people):        # the one painted on top first
            px, py = self.places.get(person.id, (1e9, 1e9))
            if QRectF(px - BOX_W / 2, py - BOX_H / 2, BOX_W, BOX_H).contains(x, y):
                return person.id
        return None

    def point_of(self, person_id: str) -> QPointF:
        """Where a person is on screen (for a test's mouse, and the focus rectangle)."""
        scale, middle = sheet_rect(self.width(), self.height())
        x, y = self.places[person_id]
        return QPointF(middle.x() + x * scale, middle.y() + y * scale)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        hit = self.person_at(event.position())
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if hit is not None:
            self._dragging = hit
            self.select(hit)
            self.sig_selected.emit(hit)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._dragging is not None:
            self.places[self._dragging] = clamp_to_sheet(*self._to_sheet(event.position()))
            self.update()

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:  # noqa: N802
        if self._dragging is not None:
            person, self._dragging = self._dragging, None
            self.sig_moved.emit(person, *self.places[person])

    # -- the keyboard ------------------------------------------------------------------------

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        if self.selected is None and self.ecomap.people:
            reason = event.reason()
            people = self.ecomap.people
            first = people[-1] if reason == Qt.FocusReason.BacktabFocusReason else people[0]
            self.select(first.id)
            self.sig_selected.emit(first.id)
        super().focusInEvent(event)

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802
        """Tab goes through the people, then on out of the map: never a trap."""
        ids = [p.id for p in self.ecomap.people]
        if self.hasFocus() and self.selected in ids:
            i = ids.index(self.selected) + (1 if forward else -1)
            if 0 <= i < len(ids):
                self.select(ids[i])
                self.sig_selected.emit(ids[i])
                return True
        return super().focusNextPrevChild(forward)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        moves = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1),
                 Qt.Key.Key_Down: (0, 1)}
        step = moves.get(Qt.Key(event.key()))
        if step is None or self.selected not in self.places:
            super().keyPressEvent(event)
            return
        size = SMALL_STEP if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else STEP
        x, y = self.places[self.selected]
        self.places[self.selected] = clamp_to_sheet(x + step[0] * size, y + step[1] * size)
        self.update()
        self.sig_moved.emit(self.selected, *self.places[self.selected])


class EcomapEditor(MapEditor):
    """A map editor (`MapEditor`) whose content is {"ecomap": ...}."""

    def __init__(self, *, taskman: TaskManager, activity: DirectWorkActivity,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._case = CasePeople("The child", (), "")
        self.view = EcomapView()
        self.table = edit_table(("Name", "Kind", "Who they are", "Link", "Support"),
                                "People and services on the ecomap")
        self.table.setItemDelegateForColumn(KIND, ChoiceDelegate(
            [(k, KIND_LABELS[k]) for k in ECOMAP_KINDS], self.table))
        self.table.setItemDelegateForColumn(LINK, ChoiceDelegate(
            list(LINK_LABELS.items()), self.table))
        self.table.setItemDelegateForColumn(SUPPORT, ChoiceDelegate(
            list(SUPPORT_LABELS.items()), self.table))
        self.offer = QComboBox()
        self.offer.setAccessibleName("People in the case's records")
        self.add_offered = QPushButton("Add &from the case")
        self.add_new = QPushButton("Add a ne&w person")
        self.remove = QPushButton("Re&move")
        self.hint = QLabel("Drag a person on the map, or choose them with Tab in the map and "
                           "move them with the arrow keys.", objectName="hint", wordWrap=True)
        offered = QHBoxLayout()           # two rows: they fit beside the session list at 1024
        offered.addWidget(self.offer, 1)
        offered.addWidget(self.add_offered)
        buttons = QHBoxLayout()
        for w in (self.add_new, self.remove):
            buttons.addWidget(w)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(offered)
        column.addLayout(buttons)
        self.table.setMinimumHeight(170)
        column.addWidget(self.table, 1)
        column.addWidget(self.hint)
        column.addWidget(self.view, 3)
        self._places: dict[str, tuple[float, float]] = {}     # where people were put
        self.add_offered.clicked.connect(self._add_offered)
        self.add_new.clicked.connect(lambda: self.add_person("", "other", ""))
        self.remove.clicked.connect(self._remove)
        self.table.itemChanged.connect(self._edited)
        self.table.currentCellChanged.connect(lambda row, *_: self._row_chosen(row))
        self.view.sig_selected.connect(self._person_chosen)
        self.view.sig_moved.connect(self._moved)
        case_id = activity.case_id
        StoreOp(self, lambda store: case_people(store, case_id), taskman=taskman
                ).success(self._show_case).run_in_background()

    # -- the case's people ---------------------------------------------------------------------

    def _show_case(self, people: CasePeople) -> None:
        self._case = people
        self.offer.clear()
        for p in people.people:
            self.offer.addItem(f"{p.name} ({p.relationship})" if p.relationship else p.name,
                               p.id)
        self.add_offered.setEnabled(bool(people.people))
        self._refresh_view()

    def _add_offered(self) -> None:
        person = next((p for p in self._case.people if p.id == self.offer.currentData()), None)
        if person is None:
            return
        row = self._row_of(person.id)
        if row is not None:          # already on the map: go to them rather than twice
            self.table.setCurrentCell(row, NAME)
            return
        self.add_person(person.name, "family" if person.is_family else "other",
                        person.relationship, person_id=person.id)

    def add_person(self, name: str, kind: str, relationship: str, *,
                   person_id: str | None = None) -> None:
        self._loading = True
        row = self.table.rowCount()
        self.table.insertRow(row)
        name_cell = text_cell(name)
        name_cell.setData(Qt.ItemDataRole.UserRole, person_id or new_id())
        self.table.setItem(row, NAME, name_cell)
        self.table.setItem(row, KIND, choice_cell(kind, KIND_LABELS))
        self.table.setItem(row, RELATIONSHIP, text_cell(relationship))
        self.table.setItem(row, LINK, choice_cell("strong", LINK_LABELS))
        self.table.setItem(row, SUPPORT, choice_cell("both", SUPPORT_LABELS))
        self._loading = False
        self.table.setCurrentCell(row, NAME)
        self.table.setFocus()
        if not name:
            self.table.editItem(name_cell)
        self._edited()

    def _remove(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self._places.pop(self._id(row), None)
            self.table.removeRow(row)
            self._edited()

    # -- the ContentEditor shape -----------------------------------------------------------------

    def ecomap(self) -> Ecomap:
        people, links = [], []
        for row in range(self.table.rowCount()):
            name = cell_text(self.table, row, NAME)
            if not name:
                continue                     # a row still being named is not kept yet
            pid = self._id(row)
            x, y = self._places.get(pid, (None, None))
            people.append(EcomapPerson(pid, name, cell_value(self.table, row, KIND, "other"),
                                       cell_text(self.table, row, RELATIONSHIP), x, y))
            strength = cell_value(self.table, row, LINK, NO_LINK)
            if strength != NO_LINK:
                links.append(EcomapLink(pid, strength,
                                        cell_value(self.table, row, SUPPORT, "both")))
        return Ecomap(tuple(people), tuple(links))

    def content(self) -> dict[str, Any]:
        return {"ecomap": self.ecomap().to_json()}

    def set_content(self, content: dict[str, Any]) -> None:
        ecomap = parse_content(DirectWorkTool.ECOMAP,
                               {"ecomap": content.get("ecomap", {})}).ecomap or Ecomap()
        links = {k.person_id: k for k in ecomap.links}
        self._loading = True
        self.table.setRowCount(0)
        self._places = {p.id: (p.x, p.y) for p in ecomap.people
                        if p.x is not None and p.y is not None}
        for p in ecomap.people:
            row = self.table.rowCount()
            self.table.insertRow(row)
            name = text_cell(p.name)
            name.setData(Qt.ItemDataRole.UserRole, p.id)
            link = links.get(p.id)
            self.table.setItem(row, NAME, name)
            self.table.setItem(row, KIND, choice_cell(p.kind, KIND_LABELS))
            self.table.setItem(row, RELATIONSHIP, text_cell(p.relationship))
            self.table.setItem(row, LINK, choice_cell(link.strength if link else NO_LINK,
                                                      LINK_LABELS))
            self.table.setItem(row, SUPPORT, choice_cell(link.support if link else "both",
                                                         SUPPORT_LABELS))
        self._loading = False
        self._refresh_view()

    # -- keeping the table and the map together ----------------------------------------------------

    def _id(self, row: int) -> str:
        item = self.table.item(row, NAME)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def _row_of(self, person_id: str) -> int | None:
        return next((r for r in range(self.table.rowCount()) if self._id(r) == person_id), None)

    def _edited(self, _item: QTableWidgetItem | None = None) -> None:
        if self._loading:
            return
        self._refresh_view()
        self.changed.emit()

    def _refresh_view(self) -> None:
        self.view.show_ecomap(self.ecomap(), self._case.child)

    def _row_chosen(self, row: int) -> None:
        if row >= 0:
            self.view.select(self._id(row))

    def _person_chosen(self, person_id: str) -> None:
        row = self._row_of(person_id)
        if row is not None:
            self.table.blockSignals(True)
            self.table.setCurrentCell(row, NAME)
            self.table.blockSignals(False)

    def _moved(self, _person_id: str, _x: float, _y: float) -> None:
        # Once anybody is put somewhere, everybody stays where they are on screen: adding or
        # moving one person never rearranges the others.
        self._places = {pid: (round(x, 1), round(y, 1)) for pid, (x, y) in
                        self.view.places.items()}
        self.changed.emit()
