"""A drawing made with the child on one laptop, through the real direct-work tab, reaches a pod
colleague's laptop through the real gateway process (SQLite and PostgreSQL) unchanged: the same
strokes and stamps, and the same PNG rendering beside them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt

from rbsw_desktop.domain import DirectWorkActivity
from rbsw_desktop.store import codec
from rbsw_desktop.ui.direct_work import DirectWorkTab
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    worker_laptop_fixture,
)
from tests.ui.conftest import open_tab
from tests.ui.test_drawing import WORRIES, drag, line, renderings


def test_a_drawing_reaches_a_pod_colleagues_laptop_unchanged(
        qtbot: Any, gateway: Any, pod: Pod, worker_laptop: Laptop,
        manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok                       # the council's case arrives
    tab = open_tab(qtbot, DirectWorkTab, worker_laptop.store, pod.case, size=(1200, 800))
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    sheet = tab.editor
    canvas = sheet.canvases[WORRIES]
    qtbot.mouseClick(sheet.toolbox.swatches["Green"], Qt.MouseButton.LeftButton)
    drag(qtbot, canvas, line(QPoint(80, 60), QPoint(400, 240)))
    qtbot.mouseClick(sheet.toolbox.stamp_buttons["heart"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(300, 120))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    mine = worker_laptop.store.records.get(DirectWorkActivity, tab.activity.id)
    [png] = renderings(worker_laptop.store, mine.id)
    assert mine.content["drawing"][WORRIES]["stamps"][0]["kind"] == "heart"

    report = worker_laptop.sync()
    assert report.ok and report.blobs_uploaded == 1, report.as_json()
    pulled = manager_laptop.sync()
    assert pulled.ok and pulled.blobs_downloaded == 1, pulled.as_json()

    theirs = manager_laptop.store.records.get(DirectWorkActivity, mine.id)
    assert codec.to_fields(theirs) == codec.to_fields(mine)      # every stroke, as drawn
    [their_png] = renderings(manager_laptop.store, mine.id)
    assert (their_png.rendering_of, their_png.sha256) == (WORRIES, png.sha256)
    assert manager_laptop.store.direct_work.blob(png.sha256) == \
        worker_laptop.store.direct_work.blob(png.sha256)
