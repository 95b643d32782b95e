"""The case's timeline says which direct-work tool a session used and what it holds."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from rbsw_desktop.domain import Case, DirectWorkTool
from rbsw_desktop.store import Store
from rbsw_desktop.ui.case_workspace import CaseWorkspace
from tests.store.test_direct_work_found import ECOMAP, SCALES
from tests.ui.conftest import open_tab


def test_the_timeline_names_the_tool_and_what_it_holds(qtbot: Any, store: Store,
                                                       case: Case) -> None:
    store.direct_work.add(case.id, DirectWorkTool.ECOMAP, held_on="2026-11-21", content=ECOMAP,
                          title="Who is around Ada")
    store.direct_work.add(case.id, DirectWorkTool.SCALING, held_on="2026-11-20", content=SCALES)
    store.direct_work.add(case.id, DirectWorkTool.GENOGRAM, held_on="2026-11-19")
    workspace = open_tab(qtbot, CaseWorkspace, store, case.id)
    bar = workspace.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(3).center())
    assert workspace.tabs.currentWidget() is workspace.timeline
    lines = [workspace.timeline.item(i).text() for i in range(workspace.timeline.count())]
    assert lines == ["2026-11-21   Direct work: Ecomap: 2 people: Who is around Ada",
                     "2026-11-20   Direct work: Scaling 0-10: 1 score",
                     "2026-11-19   Direct work: Genogram"]
