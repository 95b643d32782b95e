"""A photo or scan of a child's drawing, full size: a window that fits the screen it opens on,
the picture fitted to the window or at its actual size (scrollable), its caption (saved by the
one autosave), a quarter turn either way (kept as the record's `rotation`; the bytes never
change) and removal after a confirmation that names it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QResizeEvent, QShortcut, QTransform
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import Attachment, SyncState
from rbsw_desktop.store import Store
from rbsw_desktop.ui.a11y import StatusLabel
from rbsw_desktop.ui.autosave import Autosave
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, plain_message

#: How much of the screen the window may take.
SCREEN_SHARE = 0.9


def picture_name(a: Attachment) -> str:
    """What a person calls the picture: its caption, else its file's name."""
    return a.caption.strip() or a.filename or "scan"


def spoken_name(a: Attachment) -> str:
    """The picture's accessible name (what a screen reader says)."""
    if a.caption.strip():
        return f"Photo: {a.caption.strip()}"
    return f"Photo with no caption yet ({a.filename or 'scan'})"


def turned(image: QImage, rotation: int) -> QImage:
    return image.transformed(QTransform().rotate(rotation)) if rotation else image


@dataclass(frozen=True)
class Picture:
    attachment: Attachment
    image: QImage | None      # decoded off the UI thread; None for a PDF scan


def load_picture(store: Store, attachment: Attachment) -> Picture:
    data = store.direct_work.blob(attachment.sha256) or b""
    image = QImage.fromData(data) if attachment.media_type.startswith("image/") else QImage()
    return Picture(attachment, None if image.isNull() else image)


class PictureView(QGraphicsView):
    """The picture, turned as its record says, fitted to the view or at actual size."""

    def __init__(self) -> None:
        super().__init__()
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.fit = True
        self.rotation = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)     # arrow keys scroll it

    def show_image(self, image: QImage) -> None:
        self.item.setPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(self.item.boundingRect())
        self.arrange()

    def arrange(self) -> None:
        self.setTransform(QTransform().rotate(self.rotation))
        if self.fit and not self.item.pixmap().isNull():
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange()


class PictureViewer(QDialog):
    """Opened on a thumbnail (Enter or a double-click). `sig_changed` carries the picture as
    saved; `sig_removed` its id once it is removed."""

    sig_changed = Signal(object)
    sig_removed = Signal(str)

    def __init__(self, *, taskman: TaskManager, attachment: Attachment,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.attachment = attachment
        self.confirm: QMessageBox | None = None
        self.view = PictureView()
        self.view.rotation = attachment.rotation
        self.no_image = QLabel(wordWrap=True)
        self.no_image.hide()
        self.caption = QLineEdit(attachment.caption,
                                 placeholderText="What the drawing is, in the child's words")
        self.caption.setAccessibleName("Caption")
        self.turn_left = QPushButton("Turn &left")
        self.turn_right = QPushButton("Turn &right")
        self.fit_button = QPushButton("&Actual size")
        self.remove_button = QPushButton("Re&move…")
        self.close_button = QPushButton("&Close")
        for button, what in ((self.turn_left, "Turn the photo a quarter to the left"),
                             (self.turn_right, "Turn the photo a quarter to the right"),
                             (self.remove_button, "Remove this photo")):
            button.setAccessibleDescription(what)      # (its name: the words on it)
        self.status = StatusLabel("Save status", objectName="hint", wordWrap=True)

        form = QFormLayout()
        form.addRow("Ca&ption", self.caption)
        buttons = QHBoxLayout()
        for button in (self.turn_left, self.turn_right, self.fit_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.close_button)
        column = QVBoxLayout(self)
        column.addWidget(self.view, 1)
        column.addWidget(self.no_image)
        column.addLayout(form)
        column.addWidget(self.status)
        column.addLayout(buttons)

        self.autosave = Autosave(self, taskman, collect=self.collect,
                                 write=lambda store, a: store.direct_work.save_attachment(a),
                                 status=self.status, on_saved=self._saved)
        self.caption.textChanged.connect(self.autosave.changed)
        self.turn_left.clicked.connect(lambda: self.turn(-90))
        self.turn_right.clicked.connect(lambda: self.turn(90))
        QShortcut(QKeySequence("Ctrl+["), self, lambda: self.turn(-90))
        QShortcut(QKeySequence("Ctrl+]"), self, lambda: self.turn(90))
        self.fit_button.clicked.connect(self.toggle_fit)
        self.remove_button.clicked.connect(self.ask_remove)
        self.close_button.clicked.connect(self.accept)
        self.finished.connect(lambda _r: self.autosave.flush())
        if attachment.sync_state == SyncState.FILED:
            self.caption.setReadOnly(True)
            for w in (self.turn_left, self.turn_right, self.remove_button):
                w.setEnabled(False)
            self.status.setText("This photo was filed in the council's case system, so its "
                                "caption and turn stay as they are.")
        self._name_it()
        self._fit_screen()
        StoreOp(self, lambda store: load_picture(store, attachment), taskman=taskman
                ).success(self._loaded).run_in_background()

    def _fit_screen(self) -> None:
        screen = (self.parentWidget() or self).screen().availableGeometry()
        self.resize(int(screen.width() * SCREEN_SHARE), int(screen.height() * SCREEN_SHARE))
        self.setMaximumSize(screen.size())

    def _loaded(self, picture: Picture) -> None:
        if picture.image is None:
            self.no_image.setText(
                ("This scan is a PDF, which cannot be shown here."
                 if self.attachment.media_type == "application/pdf" else
                 "This picture cannot be shown: its file may be damaged.")
                + " Its caption can still be written, and it can be removed.")
            self.view.hide()
            self.no_image.show()
            for w in (self.turn_left, self.turn_right, self.fit_button):
                w.setEnabled(False)
        else:
            self.view.show_image(picture.image)

    def _name_it(self) -> None:
        name = spoken_name(self.attachment)
        self.setWindowTitle(picture_name(self.attachment))
        self.setAccessibleName(name)
        self.view.setAccessibleName(name)
        self.view.viewport().setAccessibleName(name)

    # -- caption and turn ---------------------------------------------------------------------

    def collect(self) -> Attachment:
        self.attachment = dataclasses.replace(self.attachment, caption=self.caption.text())
        return self.attachment

    def turn(self, degrees: int) -> None:
        """A quarter turn, saved at once with whatever caption is typed."""
        if not self.turn_left.isEnabled():
            return
        self.attachment = dataclasses.replace(
            self.attachment, rotation=(self.attachment.rotation + degrees) % 360)
        self.view.rotation = self.attachment.rotation
        self.view.arrange()
        self.autosave.save_now()

    def _saved(self, saved: Attachment) -> None:
        self._name_it()
        self.sig_changed.emit(saved)

    def toggle_fit(self) -> None:
        self.view.fit = not self.view.fit
        self.fit_button.setText("&Fit to window" if not self.view.fit else "&Actual size")
        self.view.arrange()

    # -- removal ------------------------------------------------------------------------------

    def ask_remove(self) -> None:
        self.confirm = ask_remove_picture(
            self, self.taskman, self.attachment, then=self._removed,
            failed=lambda exc: self.status.setText(plain_message(exc)))

    def _removed(self, attachment_id: str) -> None:
        self.autosave.discard()
        self.sig_removed.emit(attachment_id)
        self.accept()


def ask_remove_picture(parent: QWidget, taskman: TaskManager, attachment: Attachment, *,
                       then: Callable[[str], None],
                       failed: Callable[[BaseException], None]) -> QMessageBox:
    """Ask, naming the picture; on Remove, its tombstone is written and `then(id)` runs."""
    def remove() -> None:
        StoreOp(parent, lambda store: store.direct_work.remove_attachment(attachment.id),
                taskman=taskman).success(lambda _a: then(attachment.id)).failure(
            failed).run_in_background()
    return confirm_removal(parent, f"the photo “{picture_name(attachment)}”", remove)


def confirm_removal(parent: QWidget, what: str, then: Callable[[], None],
                    more: str = "") -> QMessageBox:
    """Ask before removing `what` (a session, a photo), naming it; `then()` on Remove. The
    default answer is Cancel."""
    box = QMessageBox(QMessageBox.Icon.Question, "Remove it?", f"Remove {what}?", parent=parent)
    box.setInformativeText(
        (more + " " if more else "") + "It goes from this laptop now and from your pod's "
        "laptops when they next sync. The council system keeps its record of it and of its "
        "removal.")
    remove = box.addButton("&Remove", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.setAccessibleName(f"Remove {what}?")
    box.finished.connect(lambda _r: then() if box.clickedButton() is remove else None)
    box.open()
    return box
