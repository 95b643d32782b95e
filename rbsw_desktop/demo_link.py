"""`rbsw-desktop --demo`: tie the fictional demo store to the demo gateway on loopback, so sync
and the business support view work on the first launch with nothing to set up. No Qt.

    link_demo(store, gateway_dir, url)   -> SupportLogin(url, token) for the pod view

The first time, the gateway takes the demo store's council-side records (pod, workers,
children, cases, people) under the same ids, the store counts them as synced, and the laptop
enrols itself with a one-time code for the demo worker. Every launch after that, the gateway
listens on a new loopback port, so only the address is updated. The business support officer's
token (for the pod view) is kept in the keyring under the gateway's folder, never in a file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rbsw_desktop.domain.entities import ENTITY_TYPES
from rbsw_desktop.errors import RbswError
from rbsw_desktop.gateway import embedded
from rbsw_desktop.protocol import PUSHABLE
from rbsw_desktop.security import keyring_access
from rbsw_desktop.store import codec
from rbsw_desktop.store.sync_state import GATEWAY_URL_KEY
from rbsw_desktop.sync import device

if TYPE_CHECKING:
    from rbsw_desktop.store import Store

log = logging.getLogger(__name__)

COUNCIL_ENTITIES = frozenset(ENTITY_TYPES) - PUSHABLE     # pod, worker, child, case, person
LAPTOP_NAME = "Demo laptop (fictional)"
SUPPORT_LAPTOP_NAME = "Business support desk (fictional)"


@dataclass(frozen=True)
class SupportLogin:
    url: str
    token: str


def council_records(store: Store) -> list[dict[str, Any]]:
    """The store's council-side records with the pod and case each belongs to."""
    out: list[dict[str, Any]] = []
    rows: dict[str, list[Any]] = {}
    for entity in sorted(COUNCIL_ENTITIES):
        rows[entity] = store.records.find(ENTITY_TYPES[entity])
    case_of_child = {c.child_id: c for c in rows.get("case", [])}
    cases = {c.id: c for c in rows.get("case", [])}
    for entity, records in rows.items():
        for r in records:
            fields = codec.to_fields(r)
            if entity == "pod":
                pod_id, case_id = r.id, None
            elif entity == "worker":
                pod_id, case_id = r.pod_id, None
            elif entity == "case":
                pod_id, case_id = r.pod_id, r.id
            elif entity == "child":
                case = case_of_child.get(r.id)
                if case is None:
                    continue
                pod_id, case_id = case.pod_id, case.id
            else:                                   # person
                case = cases.get(r.case_id)
                if case is None:
                    continue
                pod_id, case_id = case.pod_id, case.id
            out.append({"entity": entity, "id": r.id, "pod_id": pod_id, "case_id": case_id,
                        "fields": fields})
    return out


def link_demo(store: Store, gateway_dir: Path, url: str) -> SupportLogin | None:
    """Make the demo store sync with the demo gateway at `url` (see the module docstring).
    Returns the business support login for the pod view (None when the keyring is missing:
    sync then says why)."""
    gateway_dir = Path(gateway_dir)
    device_id = store.meta("device_id") if device.enrolled(store) else None
    if device_id and embedded.device_state(gateway_dir, device_id) is not None:
        # Enrolled before (a revoked laptop too: its next sync is told so and wipes the store;
        # it is never quietly enrolled again).
        _point_at(store, url)
    else:
        records = council_records(store)
        embedded.seed_council_records(gateway_dir, records)
        store.outbox.adopt_council_records([(r["entity"], r["id"]) for r in records])
        worker_id = store.meta("worker_id")
        if not worker_id:
            raise RbswError("The demo store has no worker, so it cannot sync.")
        keyring_access.require()
        device.enrol(store, url, embedded.enrol_code_for(gateway_dir, worker_id), LAPTOP_NAME)
        log.info("demo store enrolled with the demo gateway")
    return _support_login(store, gateway_dir, url)


def _point_at(store: Store, url: str) -> None:
    """The gateway came up on another port: keep the token, change the address."""
    if keyring_access.available():
        keyring_access.set_secret(store.data_dir, device.URL, url)
    store.set_meta(GATEWAY_URL_KEY, url)


def _support_login(store: Store, gateway_dir: Path, url: str) -> SupportLogin | None:
    if not keyring_access.available():
        return None
    token = keyring_access.get_secret(gateway_dir, device.TOKEN)
    device_id = keyring_access.get_secret(gateway_dir, device.DEVICE)
    state = embedded.device_state(gateway_dir, device_id) if token and device_id else None
    if state == "active" and token:
        return SupportLogin(url, token)
    if state == "revoked":
        return None               # business support's desk was signed out: no pod view
    pod_id = store.meta("pod_id")
    officer = next((w for w in council_records(store) if w["entity"] == "worker"
                    and w["fields"].get("role") == "business_support"
                    and w["pod_id"] == pod_id), None)
    if officer is None:
        return None
    enrolment = device.register_device(url, embedded.enrol_code_for(gateway_dir, officer["id"]),
                                       SUPPORT_LAPTOP_NAME)
    keyring_access.set_secret(gateway_dir, device.TOKEN, enrolment.token)
    keyring_access.set_secret(gateway_dir, device.DEVICE, enrolment.device_id)
    return SupportLogin(url, enrolment.token)
