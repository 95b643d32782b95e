"""The ecomap, genogram and Scaling 0-10 tools on screen, and their pictures.

Each editor has the shape of a content editor (the direct-work tab shows one under the tool's
prompts and saves what it gives through the tab's one autosave): a QWidget with a `changed`
signal, `content() -> dict` (its part of the activity's content JSON, e.g. {"ecomap": ...}) and
`set_content(content)`. `map_editor(tool, parent, ...)` gives the one for a tool, or None.

`render_ecomap`, `render_genogram` and `render_scales` give a QImage of the same painting the
editors show (one painting function per kind); `render_activity` the one for a session, for
`rbsw direct-work render` (through `rbsw_desktop.app`).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from rbsw_desktop.domain import DirectWorkActivity, DirectWorkTool
from rbsw_desktop.domain.direct_work_content import Ecomap, Genogram, parse_content
from rbsw_desktop.ui.maps.ecomap import EcomapEditor
from rbsw_desktop.ui.maps.ecomap_paint import render_ecomap
from rbsw_desktop.ui.maps.genogram import GenogramEditor
from rbsw_desktop.ui.maps.genogram_paint import render_genogram
from rbsw_desktop.ui.maps.map_editor import MapEditor
from rbsw_desktop.ui.maps.scales import ScalesEditor
from rbsw_desktop.ui.maps.scales_paint import ScaleSheet, Session, render_scales, scale_sheet
from rbsw_desktop.ui.taskman import TaskManager

__all__ = ["MapEditor", "ScaleSheet", "Session", "map_editor", "render_activity",
           "render_ecomap", "render_genogram", "render_scales"]


def map_editor(tool: DirectWorkTool, parent: QWidget | None, *, taskman: TaskManager,
               activity: DirectWorkActivity) -> MapEditor | None:
    """The editor of `tool`'s map or scores for `activity`, or None for other tools. The
    ecomap and scales editors read the case's people (and the scales its other sessions) on
    the store thread through `taskman`."""
    if tool is DirectWorkTool.ECOMAP:
        return EcomapEditor(taskman=taskman, activity=activity, parent=parent)
    if tool is DirectWorkTool.GENOGRAM:
        return GenogramEditor(parent)
    if tool is DirectWorkTool.SCALING:
        return ScalesEditor(taskman=taskman, activity=activity, parent=parent)
    return None


def render_activity(activity: DirectWorkActivity, width_px: int, *, centre: str,
                    sessions: Sequence[DirectWorkActivity] = ()) -> QImage | None:
    """The session's ecomap (`centre` the child's name), genogram or scales (beside the case's
    `sessions` of the same question) as the app shows it; None for other tools."""
    content = parse_content(activity.tool, activity.content)
    if activity.tool is DirectWorkTool.ECOMAP:
        return render_ecomap(content.ecomap or Ecomap(), width_px, centre=centre)
    if activity.tool is DirectWorkTool.GENOGRAM:
        return render_genogram(content.genogram or Genogram(), width_px)
    if activity.tool is DirectWorkTool.SCALING:
        return render_scales(scale_sheet(activity, sessions), width_px)
    return None
