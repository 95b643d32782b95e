"""The encrypted store: create, unlock, migrate, lock, the transaction every change runs in, and
the parts that each do one job over its one connection (Anki's `Collection` and its managers):

    store.records      any record by kind and id: get, find, save (+ outbox, audit, search)
    store.cases        the caseload, a case, its people, its timeline
    store.visits       visit notes: draft, finalise, amend
    store.board        the family's board: items, moves, reviews
    store.direct_work  direct work with the child, its photos and scans
    store.search       full-text search
    store.drafts       what was being typed when the app locked
    store.own_words    the words a worker added to their dictionary (spell-check)
    store.audit        who did what to which record
    store.outbox       what sync needs: the outbox, conflicts, refused changes, pulled changes

Layout of a data directory (nothing in it is readable without the passphrase):

    keyfile.json            the wrapped data key and KDF parameters (no personal data)
    unlock-attempts.json    the failed-unlock counter (two numbers)
    store.db, -wal, -shm    SQLCipher 4, encrypted page by page
    backups/                encrypted copies taken before each migration
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.domain.entities import new_id, utc_now
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.errors import NoStore, StoreExists, StoreLocked, WrongPassphrase
from rbsw_desktop.paths import KEYFILE_NAME, store_exists
from rbsw_desktop.security.keys import DEFAULT_PARAMS, Argon2Params, KeyFile
from rbsw_desktop.security.lockout import Lockout
from rbsw_desktop.store import db as dbmod
from rbsw_desktop.store.audit import Audit
from rbsw_desktop.store.board import Board
from rbsw_desktop.store.cases import Cases
from rbsw_desktop.store.direct_work import DirectWork
from rbsw_desktop.store.drafts import Drafts
from rbsw_desktop.store.migrations import MIGRATIONS, Migration, latest
from rbsw_desktop.store.own_words import OwnWords
from rbsw_desktop.store.records import Records
from rbsw_desktop.store.search import Search
from rbsw_desktop.store.sync_state import Outbox
from rbsw_desktop.store.visits import Visits

log = logging.getLogger(__name__)

DB_NAME = "store.db"
LOCKOUT_NAME = "unlock-attempts.json"
BACKUP_DIR = "backups"
DEVICE_ID_KEY = "device_id"
WORKER_ID_KEY = "worker_id"


@dataclass
class ChangeCollector:
    """The records written while it was open (`Store.collect_changes`)."""

    written: set[tuple[EntityKind, str]] = field(default_factory=set)

    @property
    def changes(self) -> Changes:
        return Changes(frozenset(self.written))


class Store:
    """One unlocked store. Use it from one thread at a time; `connect()` gives another thread
    its own connection with the same key."""

    UNENROLLED = "unenrolled"       # the actor until the laptop is enrolled to a worker

    def __init__(self, data_dir: Path, key: bytearray, *,
                 migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.data_dir = data_dir
        self._key: bytearray | None = key
        self._mutex = threading.RLock()
        self._depth = 0
        self._collectors: list[ChangeCollector] = []
        self.records = Records(self)
        self.audit = Audit(self)
        self.search = Search(self)
        self.cases = Cases(self)
        self.visits = Visits(self)
        self.board = Board(self)
        self.direct_work = DirectWork(self)
        self.drafts = Drafts(self)
        self.own_words = OwnWords(self)
        self.outbox = Outbox(self)
        self.db: sqlite_utils.Database = self._open_connection(key)
        self._migrate(migrations)
        self.device_id = self.meta(DEVICE_ID_KEY) or self._new_device_id()

    # -- opening ------------------------------------------------------------------------------

    def _open_connection(self, key: bytearray) -> sqlite_utils.Database:
        return dbmod.connect(self.path, key)

    @property
    def path(self) -> Path:
        return self.data_dir / DB_NAME

    @classmethod
    def create(cls, data_dir: Path, passphrase: str, *, kdf: Argon2Params = DEFAULT_PARAMS,
               migrations: Sequence[Migration] = MIGRATIONS) -> Store:
        data_dir = Path(data_dir)
        if store_exists(data_dir) or (data_dir / DB_NAME).exists():
            raise StoreExists(f"There is already a store in {data_dir}. Unlock it instead.")
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(data_dir, 0o700)
        key = KeyFile(data_dir / KEYFILE_NAME).create(passphrase, kdf)
        log.info("store created")
        return cls(data_dir, key, migrations=migrations)

    @classmethod
    def unlock(cls, data_dir: Path, passphrase: str, *, clock: Callable[[], float] = time.time,
               migrations: Sequence[Migration] = MIGRATIONS) -> Store:
        data_dir = Path(data_dir)
        if not store_exists(data_dir):
            raise NoStore(f"There is no store in {data_dir} yet. Create one first.")
        key = _passphrase_key(data_dir, passphrase, clock)
        log.info("store unlocked")
        return cls(data_dir, key, migrations=migrations)

    def check_passphrase(self, passphrase: str, *,
                         clock: Callable[[], float] = time.time) -> None:
        """The worker's passphrase, checked as an unlock checks it (the same growing wait after
        wrong ones), with the store left open: WrongPassphrase or TooManyAttempts if not. Runs
        the key derivation: call it off the UI thread."""
        key = _passphrase_key(self.data_dir, passphrase, clock)
        key[:] = bytes(len(key))

    @classmethod
    def open_with_key(cls, data_dir: Path, key: bytes | bytearray, *,
                      migrations: Sequence[Migration] = MIGRATIONS) -> Store:
        """Reopen with the raw data key (from the keyring, or for another worker thread)."""
        return cls(Path(data_dir), bytearray(key), migrations=migrations)

    def raw_key(self) -> bytes:
        """The data key, for the keyring (where policy allows) or another thread's store."""
        if self._key is None:
            raise StoreLocked()
        return bytes(self._key)

    def connect(self) -> sqlite_utils.Database:
        """A new connection for another thread, with the same key."""
        return self._open_connection(bytearray(self.raw_key()))

    def change_passphrase(self, old: str, new: str) -> None:
        KeyFile(self.data_dir / KEYFILE_NAME).change_passphrase(old, new)

    # -- locking ------------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self._key is None

    def lock(self) -> None:
        """Drop the connection and the key. The store must be unlocked again to be used."""
        with self._mutex:
            if self._key is None:
                return
            try:
                self.db.conn.close()
            finally:
                for i in range(len(self._key)):
                    self._key[i] = 0
                self._key = None
            log.info("store locked")

    close = lock

    def check_open(self) -> None:
        if self._key is None:
            raise StoreLocked()

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """All of a change, or none of it. Nested calls join the outer transaction."""
        with self._mutex:
            self.check_open()
            if self._depth:
                self._depth += 1
                try:
                    yield self.db
                finally:
                    self._depth -= 1
                return
            self._depth = 1
            try:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    yield self.db
                except BaseException:
                    if self.db.conn.in_transaction:    # SQLite ends it itself on a full disk
                        self.db.execute("ROLLBACK")
                    raise
                self.db.execute("COMMIT")
            except dbmod.DatabaseError as exc:
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
                plain = dbmod.plain_error(exc)
                if plain is None:
                    raise
                raise plain from None
            finally:
                self._depth = 0

    # -- what changed -------------------------------------------------------------------------

    @contextmanager
    def collect_changes(self) -> Iterator[ChangeCollector]:
        """Notes every record written while open: what one user action or one sync changed."""
        collector = ChangeCollector()
        self._collectors.append(collector)
        try:
            yield collector
        finally:
            self._collectors.remove(collector)

    def note_change(self, kind: EntityKind, record_id: str) -> None:
        """Called by the parts for each record row they write."""
        for collector in self._collectors:
            collector.written.add((kind, record_id))

    # -- meta ---------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        self.check_open()
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [key, value])

    def _new_device_id(self) -> str:
        device_id = new_id()
        self.set_meta(DEVICE_ID_KEY, device_id)
        return device_id

    def set_device_id(self, device_id: str) -> None:
        """The id the gateway gave this laptop at enrolment: its changes carry it from now."""
        self.set_meta(DEVICE_ID_KEY, device_id)
        self.device_id = device_id

    @property
    def actor(self) -> str:
        """The worker using this store (their id once enrolled)."""
        return self.meta(WORKER_ID_KEY) or self.UNENROLLED

    # -- migrations ---------------------------------------------------------------------------

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        current = self.schema_version()
        if current > latest(migrations):
            from rbsw_desktop.errors import RbswError
            raise RbswError("This store was written by a newer version of the app. "
                            "Please update the app.")
        pending = [m for m in migrations if m.number > current]
        if not pending:
            return
        if current > 0:
            self.backup(f"before-migration-{pending[0].number}")
        for migration in pending:
            with self.transaction():
                migration.apply(self.db)
                self.db.execute(f"PRAGMA user_version = {int(migration.number)}")
            log.info("migration %d applied", migration.number)

    def backup(self, label: str) -> Path:
        """An encrypted copy of the whole store in backups/."""
        self.check_open()
        folder = self.data_dir / BACKUP_DIR
        folder.mkdir(exist_ok=True, mode=0o700)
        stamp = utc_now().replace(":", "").replace("-", "").replace(".", "")
        target = folder / f"store-{label}-{stamp}.db"
        with self._mutex:
            dbmod.export_encrypted(self.db, target, self.raw_key())
        os.chmod(target, 0o600)
        return target

    def verify(self) -> list[str]:
        """SQLCipher's page-by-page HMAC check; empty when every page is intact."""
        self.check_open()
        return [row[0] for row in self.db.execute("PRAGMA cipher_integrity_check").fetchall()]


def _passphrase_key(data_dir: Path, passphrase: str, clock: Callable[[], float]) -> bytearray:
    """The data key the passphrase unwraps, after the failed-attempt wait; a wrong passphrase
    counts towards the next wait."""
    lockout = Lockout(data_dir / LOCKOUT_NAME, clock)
    lockout.check()
    try:
        key = KeyFile(data_dir / KEYFILE_NAME).unwrap(passphrase)
    except WrongPassphrase:
        wait = lockout.failed()
        log.warning("passphrase refused")
        raise WrongPassphrase(wait) from None
    lockout.succeeded()
    return key
