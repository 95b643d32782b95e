"""An ecomap of 40 people laid out round the child (target <= 50 ms), and the same ecomap
painted to a PNG the way `rbsw direct-work render` does (a figure, no target). Run as part of
`bench canvas`."""

from __future__ import annotations

import os
import statistics
import time
from typing import cast

from rbsw_desktop.domain.direct_work_content import ECOMAP_KINDS, Ecomap, EcomapLink, EcomapPerson
from rbsw_desktop.domain.map_layout import ecomap_layout

TARGET_MS = 50.0
RUNS = 200


def forty() -> Ecomap:
    people = tuple(EcomapPerson(f"p{i}", f"Person {i} (fictional)",
                                ECOMAP_KINDS[i % len(ECOMAP_KINDS)], "Relationship")
                   for i in range(40))
    links = tuple(EcomapLink(p.id, ("strong", "weak", "stressful")[i % 3])
                  for i, p in enumerate(people))
    return Ecomap(people, links)


def main() -> None:
    ecomap = forty()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        ecomap_layout(ecomap.people)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    verdict = "PASS" if times[-1] <= TARGET_MS else "MISS"
    print(f"ecomap of 40 people laid out: median {statistics.median(times):.2f} ms, "
          f"p95 {p95:.2f} ms, longest {times[-1]:.2f} ms (target <= {TARGET_MS:.0f} ms) "
          f"{verdict}")

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from rbsw_desktop.ui import style
    from rbsw_desktop.ui.maps import render_ecomap
    app = QApplication.instance() or QApplication(["bench"])
    style.apply(cast(QApplication, app))
    render_ecomap(ecomap, 1200, centre="Ada Bench")           # fonts loaded once
    renders = []
    for _ in range(10):
        start = time.perf_counter()
        render_ecomap(ecomap, 1200, centre="Ada Bench")
        renders.append((time.perf_counter() - start) * 1000)
    print(f"the same ecomap painted 1200 px wide: median {statistics.median(renders):.1f} ms, "
          f"longest {max(renders):.1f} ms")


if __name__ == "__main__":
    main()
