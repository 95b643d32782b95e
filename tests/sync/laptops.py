"""Laptops for the sync tests: a real encrypted store enrolled with the real gateway process.
The device token is handed to the engine directly (the keyring is tested in the CLI tests)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rbsw_desktop.domain.entities import ENTITY_TYPES
from rbsw_desktop.protocol import PUSHABLE
from rbsw_desktop.store import Store
from rbsw_desktop.sync.backoff import Backoff
from rbsw_desktop.sync.device import Enrolment, register_device, remember
from rbsw_desktop.sync.engine import SyncEngine
from rbsw_desktop.sync.transport import HttpTransport
from tests.conftest import FAST_KDF, PASSPHRASE


@dataclass
class Laptop:
    store: Store
    enrolment: Enrolment

    @property
    def token(self) -> str:
        return self.enrolment.token

    def engine(self, url: str | None = None, *, timeout: float = 5.0, **options: Any
               ) -> SyncEngine:
        options.setdefault("backoff", Backoff(base=0.02, cap=0.2))
        transport = HttpTransport(url or self.enrolment.gateway_url, self.token, timeout=timeout)
        return SyncEngine(self.store, transport, **options)

    def sync(self, url: str | None = None, **options: Any) -> Any:
        return self.engine(url, **options).sync_once()

    def reopen(self) -> None:
        if not self.store.locked:
            self.store.lock()
        self.store = Store.unlock(self.store.data_dir, PASSPHRASE)


def new_laptop(data_dir: Path, gateway_url: str, code: str, name: str = "laptop") -> Laptop:
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF)
    enrolment = register_device(gateway_url, code, name)
    remember(store, enrolment)
    return Laptop(store, enrolment)


def saved_here(store: Store) -> dict[str, tuple[str, int | None]]:
    """{record id: (entity, rev)} of every record this laptop made (pushable entities)."""
    out: dict[str, tuple[str, int | None]] = {}
    for entity in sorted(PUSHABLE):
        for rid, rev in store.db.execute(f'SELECT id, rev FROM "{entity}"'):
            out[rid] = (entity, rev)
    return out


def all_records(store: Store) -> dict[str, tuple[str, int | None]]:
    out: dict[str, tuple[str, int | None]] = {}
    for entity in ENTITY_TYPES:
        for rid, rev in store.db.execute(f'SELECT id, rev FROM "{entity}"'):
            out[rid] = (entity, rev)
    return out


@dataclass
class Pod:
    id: str
    worker: str
    manager: str
    case: str


@pytest.fixture(name="pod")
def pod_fixture(gateway: Any) -> Pod:
    pod_id = gateway.pod_add("Engine Test Pod (fictional)")
    worker = gateway.worker_add(pod_id, "Sam Testworker (fictional)", "social_worker")
    manager = gateway.worker_add(pod_id, "Pat Podmanager (fictional)", "pod_manager")
    case = gateway.case_add(worker, "Ada Fictional")
    return Pod(pod_id, worker, manager, case)


@pytest.fixture(name="worker_laptop")
def worker_laptop_fixture(tmp_path: Path, gateway: Any, pod: Pod) -> Iterator[Laptop]:
    laptop = new_laptop(tmp_path / "worker", gateway.url, gateway.enrol_code(pod.worker),
                        "worker-laptop")
    yield laptop
    if not laptop.store.locked:
        laptop.store.lock()


@pytest.fixture(name="manager_laptop")
def manager_laptop_fixture(tmp_path: Path, gateway: Any, pod: Pod) -> Iterator[Laptop]:
    laptop = new_laptop(tmp_path / "manager", gateway.url, gateway.enrol_code(pod.manager),
                        "manager-laptop")
    yield laptop
    if not laptop.store.locked:
        laptop.store.lock()


def serve_raw(gateway: Any, pod: Pod, record_id: str, fields: dict[str, Any]) -> None:
    """Put a board item version into the gateway's own database as the next change it serves
    (a gateway before strict models, or a damaged one, could serve it)."""
    (seq,) = gateway.sql("UPDATE counters SET value = value + 1 WHERE name = 'seq' "
                         "RETURNING value")[0] if gateway.backend == "sqlite" else \
        gateway.sql("SELECT nextval('change_seq')")[0]
    gateway.sql("INSERT INTO records (id, entity, rev, seq, pod_id, case_id, fields, deleted, "
                "updated_at, received_at, filed, case_system_ref) VALUES (:id, 'board_item', 1, "
                ":seq, :pod, :case, :fields, false, :at, :at, false, '')",
                {"id": record_id, "seq": seq, "pod": pod.id, "case": pod.case,
                 "fields": json.dumps(fields), "at": "2026-11-30T09:00:00.000Z"})
