"""Pictures and sessions in the store: a caption and a quarter turn are kept (the bytes never
change); a removal is a tombstone that syncs, and a removed photo's bytes leave the laptop once
nothing waiting to be sent needs them; anything filed in the council's case system stays."""

from __future__ import annotations

import dataclasses

import pytest

from rbsw_desktop.domain import Attachment, Case, DirectWorkActivity, DirectWorkTool
from rbsw_desktop.errors import InvalidInput
from rbsw_desktop.store import Store
from rbsw_desktop.store.sync_state import PushAck

DRAWING = b"\x89PNG fictional drawing bytes"


def session(store: Store, case: Case) -> DirectWorkActivity:
    return store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES, title="Fictional")


def sha_held(store: Store, sha: str) -> bool:
    return store.db.execute("SELECT count(*) FROM blob WHERE sha256 = ?", [sha]).fetchone()[0] == 1


def send_everything(store: Store) -> None:
    """What a sync does to the outbox when the council applies every change."""
    while ops := store.outbox.next_push_batch(100, 10_000_000):
        store.outbox.mark_pushed(ops, [PushAck(op.op_id, "applied", (op.base_rev or 0) + 1)
                                       for op in ops])


def test_a_caption_and_a_turn_are_kept_and_the_caption_is_found(store: Store,
                                                                case: Case) -> None:
    activity = session(store, case)
    photo = store.direct_work.attach(activity.id, case.id, DRAWING, "image/png")
    store.direct_work.save_attachment(dataclasses.replace(photo, caption="Fictional: my dog",
                                                          rotation=270))
    again = store.records.get(Attachment, photo.id)
    assert (again.caption, again.rotation, again.sha256) == ("Fictional: my dog", 270,
                                                             photo.sha256)
    assert [h.record_id for h in store.search.find("dog")] == [photo.id]
    with pytest.raises(InvalidInput, match="a quarter at a time"):
        store.direct_work.save_attachment(dataclasses.replace(photo, rotation=45))
    # Only the caption and the turn are the editor's: not the bytes it shows.
    store.direct_work.save_attachment(dataclasses.replace(photo, sha256="0" * 64))
    assert store.records.get(Attachment, photo.id).sha256 == photo.sha256


def test_a_removed_photo_keeps_its_bytes_until_it_is_sent_then_they_go(store: Store,
                                                                       case: Case) -> None:
    activity = session(store, case)
    photo = store.direct_work.attach(activity.id, case.id, DRAWING, "image/png")
    store.direct_work.remove_attachment(photo.id)
    assert store.direct_work.attachments(activity.id) == []
    # Its record has not reached the council yet, and that needs the bytes.
    assert sha_held(store, photo.sha256)
    store.outbox.mark_blob_uploaded(photo.sha256)
    send_everything(store)
    assert not sha_held(store, photo.sha256)
    assert store.direct_work.blob(photo.sha256) is None
    (tombstone,) = store.records.find(Attachment, "id = ?", [photo.id], include_deleted=True)
    assert tombstone.deleted


def test_a_photo_sent_before_it_is_removed_loses_its_bytes_at_once(store: Store,
                                                                   case: Case) -> None:
    activity = session(store, case)
    photo = store.direct_work.attach(activity.id, case.id, DRAWING, "image/png")
    same = store.direct_work.attach(activity.id, case.id, DRAWING, "image/png")  # one copy
    store.outbox.mark_blob_uploaded(photo.sha256)
    send_everything(store)
    store.direct_work.remove_attachment(photo.id)
    assert sha_held(store, photo.sha256)          # the other photo still shows them
    store.direct_work.remove_attachment(same.id)
    assert not sha_held(store, photo.sha256)


def test_removing_a_session_removes_its_pictures(store: Store, case: Case) -> None:
    activity = session(store, case)
    photo = store.direct_work.attach(activity.id, case.id, DRAWING, "image/png")
    store.direct_work.remove(activity.id)
    assert store.direct_work.of_case(case.id) == []
    assert store.direct_work.attachments(activity.id) == []
    deleted = {r[0] for r in store.db.execute(
        "SELECT record_id FROM outbox WHERE deleted = 1")}
    assert deleted == {activity.id, photo.id}
    with pytest.raises(InvalidInput, match="This session was removed"):
        store.direct_work.save(activity)           # a late save does not bring it back
    assert store.direct_work.of_case(case.id) == []


@pytest.mark.parametrize("filed", ["session", "picture"])
def test_what_was_filed_stays(store: Store, case: Case, filed: str) -> None:
    activity = session(store, case)
    photo = store.direct_work.attach(activity.id, case.id, DRAWING, "image/png")
    table, record_id = (("direct_work_activity", activity.id) if filed == "session"
                        else ("attachment", photo.id))
    store.db.execute(f"UPDATE {table} SET sync_state = 'filed', rev = 1 WHERE id = ?",
                     [record_id])
    words = ("session" if filed == "session" else "photo or scan")
    with pytest.raises(InvalidInput, match=f"This {words} was filed in the council's case "
                                           "system, so it cannot be changed or removed."):
        store.direct_work.remove(activity.id)
    assert [a.id for a in store.direct_work.of_case(case.id)] == [activity.id]
    assert [a.id for a in store.direct_work.attachments(activity.id)] == [photo.id]
