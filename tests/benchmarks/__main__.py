"""`python -m tests.benchmarks [NAME ...]`: run every bench_*.py module's main(), or the named
ones (a name in ALSO runs its modules too). A failing benchmark prints its error and the
others still run; exit 1 if any failed."""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from pathlib import Path

#: Names that also run other modules: `bench canvas` is the drawing canvas and the maps.
ALSO = {"canvas": ("maps",)}


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))
    unknown = [n for n in argv if n not in names and n not in ALSO]
    if unknown:
        print(f"No benchmark named {', '.join(unknown)}. There are: "
              f"{', '.join(sorted({*names, *ALSO}))}")
        return 2
    chosen = list(dict.fromkeys(m for n in argv for m in ((n,) if n in names else ())
                                + ALSO.get(n, ()))) or names
    failed = []
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        start = time.perf_counter()
        try:
            importlib.import_module(f"tests.benchmarks.bench_{name}").main()
        except Exception:  # noqa: BLE001 - report and go on
            traceback.print_exc()
            failed.append(name)
        print(f"({name}: {time.perf_counter() - start:.0f} s)", flush=True)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
