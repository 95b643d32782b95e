"""The Linux bundle: its size on disk and the cold start of its --self-test."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level",
                        "ERROR", "--distpath", f"{tmp}/dist", "--workpath", f"{tmp}/work",
                        str(ROOT / "installers" / "rbsw-desktop.spec")], check=True, cwd=ROOT)
        built = time.perf_counter() - start
        folder = Path(tmp) / "dist" / "rbsw-desktop"
        # Each file once: the bundle's shared libraries have symlinks beside them.
        size = sum(p.stat().st_size for p in folder.rglob("*")
                   if p.is_file() and not p.is_symlink())
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", RBSW_LOG_DIR=f"{tmp}/log")
        cold = drop_page_cache()
        times = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run([str(folder / "rbsw-desktop"), "--self-test", "--offscreen"],
                           check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - t)
        first = "cold, page cache dropped" if cold else "page cache still warm from the build"
        print(f"bundle build: {built:.0f} s; size on disk: {size / 2**20:.0f} MiB\n"
              f"--self-test, first start ({first}): {times[0]:.2f} s; "
              f"warm: median of the next 4 {statistics.median(times[1:]):.2f} s")


def drop_page_cache() -> bool:
    """A true cold start where the machine lets us (Linux, root); False where it does not."""
    try:
        subprocess.run(["sync"], check=False)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


if __name__ == "__main__":
    main()
