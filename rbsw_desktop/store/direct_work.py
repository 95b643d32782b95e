"""Direct work with the child (`store.direct_work`), and the photos and scans attached to it
(or to any record), kept content-addressed in the encrypted store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from datetime import date
from typing import Any

from rbsw_desktop.domain.direct_work_content import (
    QUESTION,
    Content,
    ContentProblem,
    Drawing,
    content_summary,
    parse_content,
    same_question,
)
from rbsw_desktop.domain.entities import ROTATIONS, Attachment, DirectWorkActivity, Record
from rbsw_desktop.domain.enums import DirectWorkTool, SyncState
from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.errors import InvalidInput
from rbsw_desktop.store.part import Part

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff",
               "application/pdf"}


def checked(activity: DirectWorkActivity) -> Content:
    """The activity's content, checked against its tool (InvalidInput in words)."""
    try:
        return parse_content(activity.tool, activity.content)
    except ContentProblem as exc:
        raise InvalidInput(str(exc)) from None


def activity_summary(activity: DirectWorkActivity) -> str:
    """The tool and what its content holds: "Ecomap: 6 people", "Scaling 0-10: 3 scores"."""
    try:
        held = content_summary(parse_content(activity.tool, activity.content))
    except ContentProblem:
        held = ""
    return f"{activity.tool.label}: {held}" if held else activity.tool.label


class DirectWork(Part):
    def of_case(self, case_id: str) -> list[DirectWorkActivity]:
        """Newest first."""
        return self._store.records.find(DirectWorkActivity, "case_id = ?", [case_id],
                                        order_by="held_on DESC, updated_at DESC")

    def with_ids(self, case_id: str, ids: Collection[str]) -> list[DirectWorkActivity]:
        """These sessions of the case as stored now, deleted ones too."""
        return self._store.records.with_ids(DirectWorkActivity, ids, "case_id = ?", [case_id])

    def same_scale(self, activity: DirectWorkActivity) -> list[DirectWorkActivity]:
        """The case's Scaling 0-10 sessions that asked the same question as `activity` (the
        same words are the same scale), oldest first: how the scores changed."""
        question = same_question(activity.parts.get(QUESTION, ""))
        if activity.tool is not DirectWorkTool.SCALING or not question:
            return []
        sessions = self._store.records.find(
            DirectWorkActivity, "case_id = ? AND tool = ?",
            [activity.case_id, DirectWorkTool.SCALING.value], order_by="held_on, updated_at")
        return [a for a in sessions if same_question(a.parts.get(QUESTION, "")) == question]

    def add(self, case_id: str, tool: DirectWorkTool, **fields: Any) -> DirectWorkActivity:
        self._store.cases.get(case_id)
        fields.setdefault("held_on", date.today().isoformat())
        activity = DirectWorkActivity(case_id=case_id, tool=tool, **fields)
        checked(activity)
        return self._store.records.save(activity, action="create")

    def save(self, activity: DirectWorkActivity, *,
             render: Callable[[str, Drawing], bytes] | None = None) -> DirectWorkActivity:
        """Keep an activity, new or edited (a new session is first kept when something is
        written in it); its content is checked first, and bad content keeps nothing. With
        `render` (a drawing area's name and drawing to PNG bytes), each drawing area that
        changed gets a new rendering in the same transaction, in place of its old one."""
        content = checked(activity)
        with self._store.transaction():
            held = self._store.records.find(DirectWorkActivity, "id = ?", [activity.id],
                                            include_deleted=True)
            if held:
                _refuse_if_filed(held[0])
                if held[0].deleted:
                    raise InvalidInput("This session was removed, so it cannot be changed.")
            if render is not None:
                self._keep_renderings(activity, content.drawings, render)
            self._store.records.save_in_transaction(activity, "save" if held else "create")
        return activity

    def remove(self, activity_id: str) -> DirectWorkActivity:
        """A session and its photos and scans, as tombstones that sync. One filed in the
        council's case system stays (the council system refuses it too: `gateway.legal`)."""
        activity = self._store.records.get(DirectWorkActivity, activity_id)
        pictures = self.attachments(activity_id)
        for record in (activity, *pictures):
            _refuse_if_filed(record)
        with self._store.transaction():
            for picture in pictures:
                self._store.records.delete(picture)
            self._store.records.delete(activity)
        return activity

    def renderings(self, activity_id: str) -> dict[str, Attachment]:
        """The PNG rendering of each of the activity's drawing areas, by area."""
        return {a.rendering_of: a for a in self.attachments(activity_id) if a.rendering_of}

    def _keep_renderings(self, activity: DirectWorkActivity, drawings: dict[str, Drawing],
                         render: Callable[[str, Drawing], bytes]) -> None:
        kept = self.renderings(activity.id)
        before = self._store.records.find(DirectWorkActivity, "id = ?", [activity.id])
        was = before[0].content.get("drawing", {}) if before else {}
        now = activity.content.get("drawing", {})
        for part, old in kept.items():
            if part not in drawings:            # cleared, or the tool has no such area now
                self._store.records.delete(old)
        for part, drawing in drawings.items():
            if part in kept and was.get(part) == now.get(part):
                continue                         # unchanged: its rendering stands
            if part in kept:
                self._store.records.delete(kept[part])
            self.attach(activity.id, activity.case_id, render(part, drawing), "image/png",
                        filename=f"{part}.png", consent=activity.consent, rendering_of=part)

    # -- photos and scans ---------------------------------------------------------------------

    def attach(self, owner_id: str, case_id: str, data: bytes, media_type: str, *,
               filename: str = "", caption: str = "", consent: str = "",
               rendering_of: str = "") -> Attachment:
        if media_type not in IMAGE_TYPES:
            raise InvalidInput("Only photos and scans (PNG, JPEG, GIF, WebP, BMP, TIFF or PDF) "
                               "can be attached.")
        if not data:
            raise InvalidInput("That file is empty.")
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput("That file is larger than 50 MB. Please attach a smaller photo.")
        digest = hashlib.sha256(data).hexdigest()
        with self._store.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO blob(sha256, media_type, size, data, created_at) "
                "VALUES (?, ?, ?, ?, ?)", [digest, media_type, len(data), data, utc_now()])
            attachment = Attachment(owner_id=owner_id, case_id=case_id, sha256=digest,
                                    media_type=media_type, size=len(data), filename=filename,
                                    caption=caption, consent=consent,
                                    rendering_of=rendering_of)
            self._store.records.save_in_transaction(attachment, "create")
        return attachment

    def save_attachment(self, attachment: Attachment) -> Attachment:
        """Keep a photo's caption and turn, on the photo as this laptop holds it: its bytes,
        its session and what sync knows of it (its revision) are not the editor's to change."""
        if attachment.rotation not in ROTATIONS:
            raise InvalidInput("A photo can only be turned a quarter at a time.")
        held = self._store.records.get(Attachment, attachment.id)
        _refuse_if_filed(held)
        held.caption, held.rotation = attachment.caption, attachment.rotation
        return self._store.records.save(held)

    def remove_attachment(self, attachment_id: str) -> Attachment:
        """A tombstone that syncs; the bytes go too once nothing here needs them."""
        attachment = self._store.records.get(Attachment, attachment_id)
        _refuse_if_filed(attachment)
        self._store.records.delete(attachment)
        return attachment

    def drop_unused_blob(self, sha256: str) -> None:
        """Forget a photo's bytes once no photo here shows them and no change waiting to be
        sent needs them (a deleted one's, or one sent since it was deleted). Overwritten, not
        only freed (`secure_delete`), inside the caller's transaction."""
        before = int(self.db.execute("PRAGMA secure_delete").fetchone()[0])
        self.db.execute("PRAGMA secure_delete = ON")
        try:
            self.db.execute(
                "DELETE FROM blob WHERE sha256 = :sha AND NOT EXISTS ("
                '  SELECT 1 FROM "attachment" WHERE sha256 = :sha AND deleted = 0) '
                "AND NOT EXISTS (SELECT 1 FROM outbox WHERE entity = 'attachment' "
                "  AND deleted = 0 AND json_extract(fields, '$.sha256') = :sha)",
                {"sha": sha256})
        finally:
            self.db.execute(f"PRAGMA secure_delete = {before}")

    def attachments(self, owner_id: str) -> list[Attachment]:
        return self._store.records.find(Attachment, "owner_id = ?", [owner_id],
                                        order_by="updated_at")

    def blob(self, sha256: str) -> bytes | None:
        self._store.check_open()
        row = self.db.execute("SELECT data FROM blob WHERE sha256 = ?", [sha256]).fetchone()
        return bytes(row[0]) if row else None


def _refuse_if_filed(record: Record) -> None:
    if record.sync_state == SyncState.FILED:
        what = "photo or scan" if isinstance(record, Attachment) else "session"
        raise InvalidInput(f"This {what} was filed in the council's case system, so it cannot "
                           "be changed or removed.")
