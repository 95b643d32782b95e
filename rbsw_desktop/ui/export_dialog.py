"""Printing the family's board summary: first show the worker what is left out and why, then
write the PDF off the UI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.export.family_summary import (
    ExportResult,
    SummaryPlan,
    export_family_summary,
    plan_summary,
)
from rbsw_desktop.ui.a11y import StatusLabel
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, plain_message
from rbsw_desktop.ui.words import plural


class ExportDialog(QDialog):
    def __init__(self, *, taskman: TaskManager, case_id: str, out_path: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Family summary (PDF)")
        self.taskman = taskman
        self.case_id = case_id
        self.out_path = out_path
        self.plan: SummaryPlan | None = None
        self.exported: ExportResult | None = None

        self.summary = StatusLabel("What will be printed", "Preparing…", wordWrap=True)
        self.left_out = QListWidget()
        self.left_out.setAccessibleName("Left out of the family's copy")
        self.confirm = QCheckBox("I have checked what is left out, and the rest may be given "
                                 "to the family")
        self.protect = QCheckBox("Protect with a password (for a copy that will be emailed)")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password, enabled=False)
        self.password.setAccessibleName("PDF password")
        self.protect.toggled.connect(self.password.setEnabled)
        self.message = QLabel(objectName="error", wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save PDF…")
        self.save_button.setEnabled(False)
        self.confirm.toggled.connect(self._update)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.protect)
        form.addRow("Pass&word", self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        left_label = QLabel("&Left out of the family's copy, and why:")
        left_label.setBuddy(self.left_out)
        layout.addWidget(left_label)
        layout.addWidget(self.left_out)
        layout.addWidget(self.confirm)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(620, 460)
        StoreOp(self, lambda store: plan_summary(store, case_id), taskman=taskman
                ).success(self._show_plan).failure(self._failed).run_in_background()

    def _show_plan(self, plan: SummaryPlan) -> None:
        self.plan = plan
        changes = len(plan.changes)
        moved = f", {plural(changes, 'change')} since the last review" if changes else ""
        self.summary.setText(
            f"The summary will show {plural(plan.item_count, 'board item')} in the family's "
            f"words{moved}, and {plural(len(plan.contacts), 'pod contact')}.")
        self.left_out.clear()
        for item in plan.left_out:
            self.left_out.addItem(f"{item.reason}: {item.text}")
        if not plan.left_out:
            self.left_out.addItem("Nothing is left out.")
        self._update()

    def _update(self) -> None:
        self.save_button.setEnabled(self.plan is not None and self.confirm.isChecked())

    def save(self) -> None:
        if self.plan is None or not self.confirm.isChecked():
            return
        password = self.password.text() if self.protect.isChecked() else None
        if self.protect.isChecked() and len(password or "") < 6:
            self.message.setText("Please choose a password of at least 6 characters.")
            return
        out = self.out_path
        if out is None:
            name, _ = QFileDialog.getSaveFileName(self, "Save the family summary",
                                                  "family-board-summary.pdf", "PDF (*.pdf)")
            if not name:
                return
            out = Path(name)
        self.message.setText("Writing the PDF…")
        self.save_button.setEnabled(False)
        plan, case_id = self.plan, self.case_id
        StoreOp(self, lambda store: export_family_summary(store, case_id, out, password=password,
                                                          plan=plan), taskman=self.taskman
                ).success(self._saved).failure(self._failed).run_in_background()

    def _saved(self, result: ExportResult) -> None:
        self.exported = result
        self.message.setText(f"Saved: {result.path}")
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(plain_message(exc))
        self._update()
