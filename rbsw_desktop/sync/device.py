"""Enrolment and the device's credentials. The token lives in the OS keyring, never in a file;
the gateway's address is also kept in the store's meta (it is not a secret).

    enrol(store, "https://gateway.example", "CODE")   -> Enrolment
    engine_for(store)                                 -> SyncEngine, or NotEnrolled
"""

from __future__ import annotations

import logging
import platform
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rbsw_desktop.deployment import load_policy
from rbsw_desktop.domain.enums import SyncState
from rbsw_desktop.errors import RbswError
from rbsw_desktop.protocol.models import EnrolRequest
from rbsw_desktop.security import keyring_access
from rbsw_desktop.store import codec
from rbsw_desktop.store.store import WORKER_ID_KEY
from rbsw_desktop.store.sync_state import GATEWAY_URL_KEY
from rbsw_desktop.sync.engine import SyncEngine
from rbsw_desktop.sync.transport import HttpTransport, Refused, TransportError

if TYPE_CHECKING:
    from rbsw_desktop.store import Store

log = logging.getLogger(__name__)

TOKEN = "device_token"  # noqa: S105 (a keyring entry name)
ENROL_TRIES = 3            # a lost answer is asked for again with the same nonce
URL = "gateway_url"
DEVICE = "device_id"


class NotEnrolled(RbswError):
    def __init__(self) -> None:
        super().__init__("This laptop is not set up to sync yet. Ask business support for an "
                         "enrolment code, then run `rbsw enrol --gateway URL --code CODE`.")


@dataclass(frozen=True)
class Enrolment:
    device_id: str
    token: str
    gateway_url: str
    worker: dict[str, Any]
    pod: dict[str, Any]


def transport(gateway_url: str, token: str | None = None, **options: Any) -> HttpTransport:
    """A transport to the council system, trusting the IT policy's CA as well as the OS's."""
    return HttpTransport(gateway_url, token, ca_file=load_policy().gateway_ca_file, **options)


def register_device(gateway_url: str, code: str, device_name: str = "") -> Enrolment:
    """Ask the gateway for a device token with a one-time code (stores nothing). The request
    carries a nonce kept for its retries: when the connection drops after the gateway spent
    the code, asking again with the same nonce gets the same device back."""
    link = transport(gateway_url)
    request = EnrolRequest(code=code.strip()[:100] or "-", nonce=secrets.token_urlsafe(24),
                           device_name=(device_name or platform.node() or "laptop")[:200])
    try:
        for attempt in range(ENROL_TRIES):
            try:
                answer = link.enrol(request)
                break
            except TransportError:
                if attempt == ENROL_TRIES - 1:
                    raise
                time.sleep(0.5 * (attempt + 1))
    except Refused as exc:
        raise RbswError(f"That enrolment code did not work: {exc} Ask business support for a "
                        "new one.") from None
    finally:
        link.close()
    return Enrolment(answer.device_id, answer.token, link.base_url, dict(answer.worker),
                     dict(answer.pod))


def save_enrolment(store: Store, enrolment: Enrolment) -> None:
    """Token, address and device id to the keyring; the rest into the store."""
    data_dir = store.data_dir
    keyring_access.set_secret(data_dir, TOKEN, enrolment.token)
    keyring_access.set_secret(data_dir, URL, enrolment.gateway_url)
    keyring_access.set_secret(data_dir, DEVICE, enrolment.device_id)
    remember(store, enrolment)


def remember(store: Store, enrolment: Enrolment) -> None:
    """The store's side of enrolment (no secrets): the gateway's address, this device's id,
    the worker using it, and their worker and pod records."""
    with store.transaction():
        store.set_meta(GATEWAY_URL_KEY, enrolment.gateway_url)
        store.set_device_id(enrolment.device_id)
        if enrolment.worker.get("id"):
            store.set_meta(WORKER_ID_KEY, str(enrolment.worker["id"]))
        for entity, data in (("worker", enrolment.worker), ("pod", enrolment.pod)):
            _write_reference(store, entity, data)
        store.audit.log("enrol", "device", enrolment.device_id)
    log.info("device enrolled")


def _write_reference(store: Store, entity: str, data: dict[str, Any]) -> None:
    if not data.get("id"):
        return
    try:
        rev = data.get("rev")
        record = codec.from_fields(entity, str(data["id"]), data,
                                   rev=rev if isinstance(rev, int) else None,
                                   sync_state=SyncState.SYNCED.value)
    except (TypeError, ValueError):
        return          # a newer gateway's shape: the pull brings it anyway
    store.records.write_row(record)


def enrol(store: Store, gateway_url: str, code: str, device_name: str = "") -> Enrolment:
    keyring_access.require()          # before the one-time code is spent on the gateway
    enrolment = register_device(gateway_url, code, device_name)
    save_enrolment(store, enrolment)
    return enrolment


def credentials(store: Store) -> tuple[str, str]:
    """(gateway_url, token) from the keyring; NotEnrolled when there are none."""
    token = keyring_access.get_secret(store.data_dir, TOKEN)
    url = keyring_access.get_secret(store.data_dir, URL) or store.meta(GATEWAY_URL_KEY)
    if not token or not url:
        raise NotEnrolled()
    return url, token


def enrolled(store: Store) -> bool:
    return bool(store.meta(GATEWAY_URL_KEY))


def engine_for(store: Store, **options: Any) -> SyncEngine:
    url, token = credentials(store)
    return SyncEngine(store, transport(url, token), **options)


def sync_status(store: Store) -> dict[str, Any]:
    """What `rbsw status` and the status bar show: counts only, no content."""
    counts = store.outbox.counts()
    return {"device_id": store.device_id, "enrolled": enrolled(store),
            "gateway_url": store.meta(GATEWAY_URL_KEY), "pending": counts.pending,
            "held": counts.held, "conflicts": store.outbox.open_conflict_count(),
            "quarantined": counts.refused,
            "pulled_quarantined": store.outbox.not_applied_count(),
            "last_sync": store.outbox.last_sync(),
            "clock_skew_seconds": store.outbox.clock_skew()}
