"""Where the app's resources (icons, fonts, stylesheets, demo data) live.

In a checkout they are in `resources/` beside the package; in a PyInstaller bundle they are
unpacked under `sys._MEIPASS/resources`. Widgets and exporters ask here, never build paths.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def font_path(name: str) -> Path:
    return resource_path("fonts", name)


def icon_path(name: str) -> Path:
    return resource_path("icons", name)
