#!/usr/bin/env python3
"""Wrap the PyInstaller folder (dist/rbsw-desktop) as a .deb for council IT:

    python3 installers/linux/build_deb.py [DIST]     -> DIST/rbsw-desktop_VERSION_amd64.deb

DIST defaults to dist/ beside the checkout, where `python3 installers/dev.py bundle` builds.

Installs to /opt/rbsw-desktop, with /usr/bin/rbsw-desktop and a desktop menu entry. Silent
install: `sudo apt-get install -y ./rbsw-desktop_VERSION_amd64.deb` (or dpkg -i).
"""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Name=rbsw-desktop
Comment=Visit notes, the family's board and direct work with children
Exec=/opt/rbsw-desktop/rbsw-desktop
Terminal=false
Categories=Office;
"""


def version() -> str:
    text = (ROOT / "rbsw_desktop" / "__init__.py").read_text()
    return re.search(r'__version__ = "([^"]+)"', text).group(1)  # type: ignore[union-attr]


def main(argv: list[str]) -> int:
    dist = Path(argv[0]) if argv else ROOT / "dist"    # where the bundle is, and the .deb goes
    bundle = dist / "rbsw-desktop"
    if not (bundle / "rbsw-desktop").exists():
        print("Build the bundle first: python3 installers/dev.py bundle", file=sys.stderr)
        return 2
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    out = dist / f"rbsw-desktop_{version()}_{arch}.deb"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pkg"
        shutil.copytree(bundle, root / "opt" / "rbsw-desktop", symlinks=True)
        (root / "usr" / "bin").mkdir(parents=True)
        (root / "usr" / "bin" / "rbsw-desktop").symlink_to("/opt/rbsw-desktop/rbsw-desktop")
        apps = root / "usr" / "share" / "applications"
        apps.mkdir(parents=True)
        (apps / "rbsw-desktop.desktop").write_text(DESKTOP_ENTRY)
        (root / "DEBIAN").mkdir()
        size_kb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) // 1024
        (root / "DEBIAN" / "control").write_text(
            f"Package: rbsw-desktop\nVersion: {version()}\nArchitecture: {arch}\n"
            "Maintainer: rbsw-desktop team <rbsw@example.org>\n"
            f"Installed-Size: {size_kb}\nSection: misc\nPriority: optional\n"
            "Depends: libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, "
            "libdbus-1-3, libxcb-cursor0, libenchant-2-2, hunspell-en-gb\n"
            "Description: offline-first app for relationship-based children's social work\n")
        done = subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(root), str(out)])
        if done.returncode != 0:
            return done.returncode
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
