"""A laptop in a child process, for the SIGKILL fault tests: unlock the store, save some board
items, sync, repeat, until killed (`ROUNDS` is more than any machine gets through before the
test's kill, so a fast gateway never lets it finish first). Prints only markers (`sync N` as a
sync starts, `synced N` as it ends), so the test can tell a kill that landed mid-sync; nothing
personal.

    python -m tests.sync.sync_child DATA_DIR GATEWAY_URL TOKEN CASE_ID SEED
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from rbsw_desktop.domain import Zone
from rbsw_desktop.store import Store
from rbsw_desktop.sync.backoff import Backoff
from rbsw_desktop.sync.engine import SyncEngine
from rbsw_desktop.sync.transport import HttpTransport
from tests.conftest import PASSPHRASE

ROUNDS = 500


def main(argv: list[str]) -> int:
    data_dir, url, token, case_id, seed = argv
    rng = random.Random(int(seed))
    store = Store.unlock(Path(data_dir), PASSPHRASE)
    engine = SyncEngine(store, HttpTransport(url, token, timeout=2), batch_ops=rng.choice([3, 50]),
                        max_attempts=3, backoff=Backoff(base=0.01, cap=0.05))
    for round_ in range(ROUNDS):
        for i in range(rng.randint(1, 15)):
            store.board.add(case_id, rng.choice(list(Zone)),
                            f"Child-process item {seed}-{round_}-{i} (fictional)")
        print(f"sync {round_}", flush=True)
        engine.sync_once()
        print(f"synced {round_}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
