"""The Qt binding the app runs on keeps Python's own objects intact through what the app does
most: emitting signals (every background result, autosave and sync progress is one)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    sig_plain = Signal()
    sig_value = Signal(object)


def test_emitting_signals_never_drops_a_reference_to_true(qtbot) -> None:
    """PySide6 6.12.0 lost one reference to True per emit: on Python 3.11 the process then
    aborts with "bool_dealloc" in the middle of a worker's session (pyproject.toml excludes it)."""
    emitter = Emitter()
    seen: list[object] = []
    emitter.sig_value.connect(seen.append)
    before = sys.getrefcount(True)
    for _ in range(50):
        emitter.sig_plain.emit()
        emitter.sig_value.emit(1)
    assert len(seen) == 50
    assert sys.getrefcount(True) >= before - 5     # a few may move elsewhere; never 100 gone
