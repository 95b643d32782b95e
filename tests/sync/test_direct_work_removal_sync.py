"""Pictures and sessions of direct work through the real gateway to a pod colleague's laptop
(the pod manager's): a caption and a turn arrive and the caption is found by search there; a
removed photo and a removed session are removed there too (tombstones), and the photo's bytes
leave both laptops; something business support filed stays, on the laptop and the council."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import pytest

from rbsw_desktop.domain import Attachment, DirectWorkActivity, DirectWorkTool
from rbsw_desktop.domain.enums import SyncState
from rbsw_desktop.errors import InvalidInput
from rbsw_desktop.store import Store
from rbsw_desktop.sync.support_client import SupportClient
from tests.sync.gw_world import enrol
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    worker_laptop_fixture,
)


def synced(*laptops: Laptop) -> None:
    for laptop in laptops:
        report = laptop.sync()
        assert report.ok, report.as_json()
        assert laptop.store.outbox.refused() == []
        assert laptop.store.outbox.not_applied_count() == 0


def has_bytes(store: Store, sha: str) -> bool:
    return store.direct_work.blob(sha) is not None


def on_gateway(gateway: Any, pod: Pod, record_id: str) -> dict[str, Any]:
    (rec,) = [r for r in gateway.records(pod=pod.id) if r["id"] == record_id]
    return rec


def test_a_caption_a_turn_and_removals_reach_the_pods_other_laptop(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    synced(worker_laptop, manager_laptop)
    mine, theirs = worker_laptop.store, manager_laptop.store
    activity = mine.direct_work.add(pod.case, DirectWorkTool.THREE_HOUSES,
                                    title="Fictional: Sam's houses")
    drawing = os.urandom(5000)
    photo = mine.direct_work.attach(activity.id, pod.case, drawing, "image/png",
                                    filename="houses.png")
    synced(worker_laptop, manager_laptop)
    assert has_bytes(theirs, photo.sha256)

    mine.direct_work.save_attachment(dataclasses.replace(
        photo, caption="Fictional: the house of dreams", rotation=90))
    synced(worker_laptop, manager_laptop)
    there = theirs.records.get(Attachment, photo.id)
    assert (there.caption, there.rotation) == ("Fictional: the house of dreams", 90)
    assert [h.record_id for h in theirs.search.find("dreams")] == [photo.id]

    mine.direct_work.remove_attachment(photo.id)
    synced(worker_laptop, manager_laptop)
    assert on_gateway(gateway, pod, photo.id)["deleted"] is True
    assert theirs.direct_work.attachments(activity.id) == []
    assert theirs.search.find("dreams") == []
    assert not has_bytes(theirs, photo.sha256) and not has_bytes(mine, photo.sha256)

    mine.direct_work.remove(activity.id)
    synced(worker_laptop, manager_laptop)
    assert on_gateway(gateway, pod, activity.id)["deleted"] is True
    assert theirs.direct_work.of_case(pod.case) == []
    (tombstone,) = theirs.records.find(DirectWorkActivity, "id = ?", [activity.id],
                                       include_deleted=True)
    assert tombstone.deleted and tombstone.title == "Fictional: Sam's houses"


def test_a_photo_removed_before_it_was_sent_goes_with_nothing_refused(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    synced(worker_laptop)
    mine = worker_laptop.store
    activity = mine.direct_work.add(pod.case, DirectWorkTool.FREE_FORM, title="Fictional")
    photo = mine.direct_work.attach(activity.id, pod.case, os.urandom(3000), "image/png")
    mine.direct_work.remove_attachment(photo.id)
    assert has_bytes(mine, photo.sha256)      # the record that cites them is still to go
    synced(worker_laptop, manager_laptop)
    assert not has_bytes(mine, photo.sha256)
    assert on_gateway(gateway, pod, photo.id)["deleted"] is True
    assert manager_laptop.store.direct_work.attachments(activity.id) == []
    assert not has_bytes(manager_laptop.store, photo.sha256)


@pytest.mark.parametrize("filed", ["session", "photo"])
def test_what_business_support_filed_cannot_be_removed(gateway: Any, pod: Pod,
                                                       worker_laptop: Laptop, filed: str) -> None:
    officer = gateway.worker_add(pod.id, "Bea Business (fictional)", "business_support")
    support = SupportClient(gateway.url, enrol(gateway.url, gateway.enrol_code(officer))["token"])
    synced(worker_laptop)
    mine = worker_laptop.store
    activity = mine.direct_work.add(pod.case, DirectWorkTool.FREE_FORM, title="Fictional")
    photo = mine.direct_work.attach(activity.id, pod.case, os.urandom(3000), "image/png")
    synced(worker_laptop)
    record_id = activity.id if filed == "session" else photo.id
    assert support.file_record(record_id, "LCS-000777")["filed"] is True
    synced(worker_laptop)
    kind = DirectWorkActivity if filed == "session" else Attachment
    assert mine.records.get(kind, record_id).sync_state is SyncState.FILED
    with pytest.raises(InvalidInput, match="filed in the council's case system"):
        mine.direct_work.remove(activity.id)
    synced(worker_laptop)
    assert on_gateway(gateway, pod, record_id)["deleted"] is False
    assert [a.id for a in mine.direct_work.attachments(activity.id)] == [photo.id]
