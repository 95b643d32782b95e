"""The genogram editor: two keyboard-friendly tables, the people (name, sex, born, died, lives
with the child) and the relationships (who is whose parent, partners, separated), and the
drawing that follows them. A problem (a year that is not one, somebody their own ancestor)
is said in one sentence under the tables, and what is drawn is the last genogram that made
sense."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import DirectWorkTool, new_id
from rbsw_desktop.domain.direct_work_content import (
    ContentProblem,
    Genogram,
    GenogramPerson,
    Relationship,
    parse_content,
)
from rbsw_desktop.domain.map_layout import genogram_layout
from rbsw_desktop.ui.maps.genogram_paint import paint_genogram, to_screen
from rbsw_desktop.ui.maps.map_editor import MapEditor
from rbsw_desktop.ui.maps.table import (
    VALUE,
    ChoiceDelegate,
    cell_checked,
    cell_text,
    cell_value,
    check_cell,
    choice_cell,
    edit_table,
    text_cell,
)

SEX_LABELS = {"female": "Female", "male": "Male", "unknown": "Not known"}
KIND_LABELS = {"parent_of": "parent of", "partners": "partner of",
               "separated": "separated from"}
NAME, SEX, BORN, DIED, HOUSEHOLD = range(5)
FROM, KIND, TO = range(3)


class GenogramView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.genogram = Genogram()
        self.layout_ = genogram_layout(self.genogram)
        self.setAccessibleName("Genogram drawing")
        self.setMinimumSize(480, 420)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 460)

    def show_genogram(self, genogram: Genogram) -> None:
        self.genogram = genogram
        self.layout_ = genogram_layout(genogram)
        n = len(genogram.people)
        self.setAccessibleDescription(f"{n} {'person' if n == 1 else 'people'}, drawn in "
                                      "generation rows; edit them in the tables above.")
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        paint_genogram(painter, self.genogram, self.width(), self.height(),
                       layout=self.layout_)
        painter.end()

    def point_of(self, person_id: str) -> QPointF:
        """Where a person's symbol is on screen."""
        scale, origin = to_screen(self.layout_, self.width(), self.height())
        x, y = self.layout_.places[person_id]
        return QPointF(origin.x() + x * scale, origin.y() + y * scale)


class GenogramEditor(MapEditor):
    """A map editor (`MapEditor`) whose content is {"genogram": ...}."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.people = edit_table(("Name", "Sex", "Born", "Died", "In household"),
                                 "People in the genogram")
        self.people.setItemDelegateForColumn(SEX, ChoiceDelegate(list(SEX_LABELS.items()),
                                                                 self.people))
        self.relationships = edit_table(("Who", "Relationship", "To whom"),
                                        "Relationships in the genogram")
        self.relationships.setItemDelegateForColumn(KIND, ChoiceDelegate(
            list(KIND_LABELS.items()), self.relationships))
        self._who = ChoiceDelegate([], self.relationships)
        self.relationships.setItemDelegateForColumn(FROM, self._who)
        self.relationships.setItemDelegateForColumn(TO, self._who)
        self.add_person = QPushButton("Add a person")
        self.remove_person = QPushButton("Remove the person")
        self.add_relationship = QPushButton("Add a &relationship")
        self.remove_relationship = QPushButton("Remove the relationship")
        self.problem = QLabel(objectName="error", wordWrap=True)
        self.problem.setAccessibleName("Genogram problem")
        self.view = GenogramView()
        tables = QHBoxLayout()
        for table, add, remove in ((self.people, self.add_person, self.remove_person),
                                   (self.relationships, self.add_relationship,
                                    self.remove_relationship)):
            side = QVBoxLayout()
            row = QHBoxLayout()
            row.addWidget(add)
            row.addWidget(remove)
            row.addStretch(1)
            side.addLayout(row)
            table.setMinimumHeight(190)
            side.addWidget(table)
            tables.addLayout(side, 3 if table is self.people else 2)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(tables, 2)
        column.addWidget(self.problem)
        column.addWidget(self.view, 3)
        self.add_person.clicked.connect(self._add_person)
        self.remove_person.clicked.connect(self._remove_person)
        self.add_relationship.clicked.connect(self._add_relationship)
        self.remove_relationship.clicked.connect(
            lambda: self._remove_row(self.relationships))
        self.people.itemChanged.connect(self._edited)
        self.relationships.itemChanged.connect(self._edited)

    # -- rows --------------------------------------------------------------------------------

    def _person_row(self, p: GenogramPerson) -> QTableWidgetItem:
        row = self.people.rowCount()
        self.people.insertRow(row)
        name = text_cell(p.name)
        name.setData(VALUE, p.id)
        self.people.setItem(row, NAME, name)
        self.people.setItem(row, SEX, choice_cell(p.sex, SEX_LABELS))
        self.people.setItem(row, BORN, text_cell(p.born or ""))
        self.people.setItem(row, DIED, text_cell(p.died or ""))
        self.people.setItem(row, HOUSEHOLD, check_cell(p.in_household, ""))
        return name

    def _relationship_row(self, r: Relationship) -> None:
        names = self._names()
        row = self.relationships.rowCount()
        self.relationships.insertRow(row)
        self.relationships.setItem(row, FROM, choice_cell(r.from_id, names))
        self.relationships.setItem(row, KIND, choice_cell(r.kind, KIND_LABELS))
        self.relationships.setItem(row, TO, choice_cell(r.to_id, names))

    def _add_person(self) -> None:
        self._loading = True
        name = self._person_row(GenogramPerson(new_id(), ""))
        self._loading = False
        self.people.setFocus()
        self.people.setCurrentItem(name)
        self.people.editItem(name)

    def _add_relationship(self) -> None:
        ids = list(self._names())
        if len(ids) < 2:
            self.problem.setText("Add two people before a relationship between them.")
            return
        current = self.people.currentRow()
        first = self._id(current) if 0 <= current < len(ids) else ids[0]
        other = next(i for i in reversed(ids) if i != first)
        self._loading = True
        self._relationship_row(Relationship("parent_of", first, other))
        self._loading = False
        row = self.relationships.rowCount() - 1
        self.relationships.setFocus()
        self.relationships.setCurrentCell(row, FROM)
        self._edited()

    def _remove_person(self) -> None:
        row = self.people.currentRow()
        if row < 0:
            return
        gone = self._id(row)
        self._loading = True
        self.people.removeRow(row)
        for r in reversed(range(self.relationships.rowCount())):
            if gone in (cell_value(self.relationships, r, FROM, ""),
                        cell_value(self.relationships, r, TO, "")):
                self.relationships.removeRow(r)
        self._loading = False
        self._edited()

    def _remove_row(self, table: QTableWidget) -> None:
        if table.currentRow() >= 0:
            table.removeRow(table.currentRow())
            self._edited()

    def _id(self, row: int) -> str:
        item = self.people.item(row, NAME)
        return str(item.data(VALUE)) if item is not None else ""

    def _names(self) -> dict[str, str]:
        """{id: name} of the people named so far, in the table's order."""
        out = {}
        for row in range(self.people.rowCount()):
            name = cell_text(self.people, row, NAME)
            if name:
                out[self._id(row)] = name
        return out

    # -- the ContentEditor shape -----------------------------------------------------------------

    def _json(self) -> dict[str, Any]:
        people = []
        for row in range(self.people.rowCount()):
            name = cell_text(self.people, row, NAME)
            if not name:
                continue                     # a row still being named is not kept yet
            people.append({"id": self._id(row), "name": name,
                           "sex": cell_value(self.people, row, SEX, "unknown"),
                           "born": cell_text(self.people, row, BORN) or None,
                           "died": cell_text(self.people, row, DIED) or None,
                           "in_household": cell_checked(self.people, row, HOUSEHOLD)})
        named = {p["id"] for p in people}
        rels = []
        for row in range(self.relationships.rowCount()):
            a = cell_value(self.relationships, row, FROM, "")
            b = cell_value(self.relationships, row, TO, "")
            if a in named and b in named:
                rels.append({"kind": cell_value(self.relationships, row, KIND, "parent_of"),
                             "from": a, "to": b})
        return {"people": people, "relationships": rels}

    def content(self) -> dict[str, Any]:
        return {"genogram": self._json()}

    def set_content(self, content: dict[str, Any]) -> None:
        genogram = parse_content(DirectWorkTool.GENOGRAM,
                                 {"genogram": content.get("genogram", {})}).genogram
        genogram = genogram or Genogram()
        self._loading = True
        self.people.setRowCount(0)
        self.relationships.setRowCount(0)
        for p in genogram.people:
            self._person_row(p)
        self._who.set_choices(list(self._names().items()))
        for r in genogram.relationships:
            self._relationship_row(r)
        self._loading = False
        self.problem.clear()
        self.view.show_genogram(genogram)

    def _edited(self, _item: QTableWidgetItem | None = None) -> None:
        if self._loading:
            return
        names = self._names()
        self._who.set_choices(list(names.items()))
        self._loading = True              # a renamed person is renamed in the relationships
        for row in range(self.relationships.rowCount()):
            for col in (FROM, TO):
                item = self.relationships.item(row, col)
                if item is not None and item.data(VALUE) in names:
                    item.setText(names[item.data(VALUE)])
        self._loading = False
        try:
            genogram = parse_content(DirectWorkTool.GENOGRAM, self.content()).genogram
        except ContentProblem as exc:
            self.problem.setText(str(exc))
        else:
            self.problem.clear()
            self.view.show_genogram(genogram or Genogram())
        self.changed.emit()
