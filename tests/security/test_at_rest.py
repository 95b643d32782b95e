"""Nothing readable on disk: after a realistic session (write, search, migrate, a crash in the
middle of a transaction, lock), no file in the data directory or the logs holds any note, name or
board item in a readable form; and the store is intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rbsw_desktop.domain import Case, CaseCategory, Child, DirectWorkTool, Zone
from rbsw_desktop.store import Store
from rbsw_desktop.store.migrations import MIGRATIONS, Migration, latest
from tests.conftest import FAST_KDF, PASSPHRASE

MARKERS = ["Zebedee Quillfeather", "marmalade-sandwich-lighthouse", "Grannyweatherwax Lane",
           "the purple trampoline worry", "dragonfly-kite-strength", "crash-marker-octopus"]

EXTRA = Migration(latest() + 1, "test: a new column", lambda db: db.execute(
    'ALTER TABLE "visit" ADD COLUMN weather TEXT NOT NULL DEFAULT \'\''))

CRASH_CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from rbsw_desktop.domain import BoardItem, Zone
    from rbsw_desktop.store import Store
    store = Store.unlock(Path(sys.argv[1]), sys.argv[2], migrations=MIGRATIONS)
    with store.transaction():
        for i in range(200):
            store.records.save_in_transaction(BoardItem(case_id=sys.argv[3], zone=Zone.RED,
                                                        text=f"crash-marker-octopus {i}"), "create")
        print("inside", flush=True)
        sys.stdin.read()   # killed here, mid-transaction
""")


def scan(folder: Path, markers: list[str]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for marker in markers:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if marker.encode(encoding) in data:
                    found.append(f"{path.name}: {marker} ({encoding})")
    return found


def run_crash(data_dir: Path, case_id: str, tmp_path: Path) -> None:
    script = tmp_path / "crash_child.py"
    script.write_text("from rbsw_desktop.store.migrations import MIGRATIONS as M\n"
                      "from tests.security.test_at_rest import EXTRA\n"
                      "MIGRATIONS = (*M, EXTRA)\n" + CRASH_CHILD)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    child = subprocess.Popen([sys.executable, str(script), str(data_dir), PASSPHRASE, case_id],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"inside"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)


@pytest.mark.parametrize("run", range(1))
def test_no_plaintext_anywhere_after_a_realistic_session(tmp_path: Path, run: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    log_dir = tmp_path / "logs"
    monkeypatch.setenv("RBSW_LOG_DIR", str(log_dir))
    from rbsw_desktop.logs import setup_logging
    setup_logging("rbsw-test")
    data_dir = tmp_path / "data"
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF, migrations=MIGRATIONS)
    child = store.records.save(Child(name=MARKERS[0]))
    case = store.records.save(Case(child_id=child.id, family_name="The Quillfeather family",
                                   category=CaseCategory.CHILD_PROTECTION))
    store.visits.add(case.id, observations=f"We ate a {MARKERS[1]} on {MARKERS[2]}",
                     child_seen=True)
    store.board.add(case.id, Zone.AMBER, MARKERS[3], worker_note="worker-only note")
    store.board.add(case.id, Zone.GREEN, MARKERS[4])
    activity = store.direct_work.add(case.id, DirectWorkTool.ALL_ABOUT_ME,
                                     child_words=MARKERS[1])
    store.direct_work.attach(activity.id, case.id, f"PNG drawing of {MARKERS[4]}".encode(),
                             "image/png")
    assert store.search.find("marmalade")
    store.lock()

    # A migration (after an encrypted backup), then a crash mid-transaction.
    migrated = Store.unlock(data_dir, PASSPHRASE, migrations=(*MIGRATIONS, EXTRA))
    assert migrated.schema_version() == EXTRA.number
    assert [v.observations for v in migrated.visits.of_case(case.id)][0].startswith("We ate")
    migrated.lock()
    backups = list((data_dir / "backups").glob("*.db"))
    assert len(backups) == 1
    run_crash(data_dir, case.id, tmp_path)

    found = scan(data_dir, MARKERS) + scan(log_dir, MARKERS)
    assert found == [], found
    for name in ("store.db", *(b.relative_to(data_dir) for b in backups)):
        assert not (data_dir / name).read_bytes().startswith(b"SQLite format 3")

    # After the crash: no half-record, no orphan outbox row, every page intact.
    after = Store.unlock(data_dir, PASSPHRASE, migrations=(*MIGRATIONS, EXTRA))
    assert after.search.find("octopus") == []
    assert all("octopus" not in i.text for i in after.board.items(case.id))
    orphans = list(after.db.query(
        "SELECT o.record_id FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM board_item b "
        "WHERE b.id = o.record_id) AND o.entity = 'board_item'"))
    assert orphans == []
    unqueued = list(after.db.query(
        "SELECT b.id FROM board_item b WHERE NOT EXISTS (SELECT 1 FROM outbox o "
        "WHERE o.record_id = b.id)"))
    assert unqueued == []
    assert after.verify() == []
    after.lock()


def test_the_backup_is_a_full_encrypted_copy(store: Store, case: Case, data_dir: Path) -> None:
    store.board.add(case.id, Zone.GREEN, "Fictional backed-up strength")
    path = store.backup("manual")
    assert not path.read_bytes().startswith(b"SQLite format 3")
    copy = Store.open_with_key(data_dir, store.raw_key())
    copy.db.execute(f"ATTACH DATABASE ? AS b KEY \"x'{store.raw_key().hex()}'\"", [str(path)])
    texts = [r[0] for r in copy.db.execute("SELECT text FROM b.board_item").fetchall()]
    assert "Fictional backed-up strength" in texts


def test_sqlcipher_is_the_real_thing(store: Store) -> None:
    version = store.db.execute("PRAGMA cipher_version").fetchone()[0]
    provider = store.db.execute("PRAGMA cipher_provider").fetchone()[0]
    assert version.startswith("4."), version
    assert provider
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA temp_store").fetchone()[0] == 2   # memory: no temp files
