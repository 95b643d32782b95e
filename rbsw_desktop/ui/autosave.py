"""One autosave for every editor: what is typed is saved a few seconds after typing stops, on
every focus change out of one of the editor's fields, and before any lock (`flush`).

    self.autosave = Autosave(self, taskman, collect=self.collect,
                             write=lambda store, visit: store.visits.update(visit),
                             status=self.status, on_saved=self._saved)
    edit.textChanged.connect(self._mark_dirty)    # ... which calls self.autosave.changed()

`collect()` copies what is on screen on the UI thread (None: nothing to save); `write(store,
copy)` runs on the store thread. The visit and direct-work editors write the record itself; a
board item or amendment window (`autosave_window`) writes a draft into the encrypted store's
autosave table, offered again the next time that window opens (`load_draft`), dropped when the
worker cancels it (`drop_draft`) and by the write that saves it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, cast

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from rbsw_desktop.store import Store
from rbsw_desktop.ui.a11y import StatusLabel
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, plain_message

AUTOSAVE_MS = 3000      # how long after typing stops a change saves itself


class Autosave(QObject):
    """`changed()` marks the editor dirty and restarts the pause; `flush()` saves now if dirty
    (the pause ended, focus left one of the editor's fields, another record was chosen, the app
    is locking); `save_now()` saves whatever the state (a Save button)."""

    def __init__(self, editor: QWidget, taskman: TaskManager, *, collect: Callable[[], Any],
                 write: Callable[[Store, Any], Any],
                 status: StatusLabel | None = None,
                 on_saved: Callable[[Any], None] | None = None,
                 delay_ms: int = AUTOSAVE_MS) -> None:
        super().__init__(editor)
        self.editor, self.taskman = editor, taskman
        self.collect, self.write = collect, write
        self.status, self.on_saved = status, on_saved
        self.dirty = False
        self.timer = QTimer(self, singleShot=True, interval=delay_ms)
        self.timer.timeout.connect(self.flush)
        cast(QApplication, QApplication.instance()).focusChanged.connect(self._focus_changed)

    def changed(self, *_args: object) -> None:
        self.dirty = True
        self._say("Not saved yet…")
        self.timer.start()          # restarted by each key: saves once typing stops

    def flush(self) -> None:
        if self.dirty:
            self.save_now()

    def save_now(self) -> None:
        self.timer.stop()
        self.dirty = False
        copy = self.collect() if self.taskman.store is not None else None
        if copy is None:
            return
        write = self.write
        StoreOp(self.editor, lambda store: write(store, copy), taskman=self.taskman
                ).success(self._saved).failure(self.failed).run_in_background()

    def discard(self) -> None:
        """Nothing to save any more (the editor was cleared, the window closed)."""
        self.timer.stop()
        self.dirty = False

    def _saved(self, value: Any) -> None:
        self._say(f"Saved {datetime.now(UTC).astimezone():%H:%M}", heard=True)
        if self.on_saved is not None:
            self.on_saved(value)

    def failed(self, exc: BaseException) -> None:
        self.dirty = True           # keep trying: nothing typed is dropped
        self._say(f"Not saved: {plain_message(exc)}", heard=True)
        self.timer.start()

    def _say(self, text: str, *, heard: bool = False) -> None:
        """Show `text`; `heard`: a screen reader also says it at once."""
        if self.status is None:
            return
        if heard:
            self.status.announce(text)
        else:
            self.status.setText(text)

    def _focus_changed(self, old: QWidget | None, _new: QWidget | None) -> None:
        # (a window being destroyed moves focus before its children, this one, are gone)
        if old is not None and shiboken6.isValid(self.editor) and self.editor.isAncestorOf(old):
            self.flush()


def autosave_window(window: QDialog, taskman: TaskManager, key: str,
                    draft: Callable[[], dict[str, Any] | None],
                    signals: Iterable[Any]) -> Autosave:
    """The autosave of a window (a board item, an amendment) whose words are kept as a draft
    under `key`: `draft()` is what to keep, or None when nothing is worth keeping; `signals`
    are its fields' change signals."""
    autosave = Autosave(window, taskman, collect=draft, write=lambda store, words: (
        store.drafts.save(key, json.dumps(words, ensure_ascii=False))))
    for signal in signals:
        signal.connect(autosave.changed)
    window.finished.connect(autosave.discard)    # answered: its own write clears the draft
    return autosave


def load_draft(parent: QWidget, taskman: TaskManager, key: str,
               then: Callable[[dict[str, Any] | None], None]) -> None:
    """The draft kept under `key` (or None), to `then` on the UI thread."""
    StoreOp(parent, lambda store: store.drafts.get(key), taskman=taskman).success(
        lambda draft: then(json.loads(draft) if draft else None)).run_in_background()


def drop_draft(parent: QWidget, taskman: TaskManager, key: str) -> None:
    StoreOp(parent, lambda store: store.drafts.clear(key), taskman=taskman).run_in_background()


def close_window(dialog: QDialog) -> None:
    """Close a window without answering it (at a lock): its `finished` handler does not run."""
    dialog.finished.disconnect()
    dialog.close()
    dialog.deleteLater()
