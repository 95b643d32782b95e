"""Direct work with the child (`store.direct_work`), and the photos and scans attached to it
(or to any record), kept content-addressed in the encrypted store."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from rbsw_desktop.domain.direct_work_content import (
    QUESTION,
    ContentProblem,
    content_summary,
    parse_content,
    same_question,
)
from rbsw_desktop.domain.entities import Attachment, DirectWorkActivity
from rbsw_desktop.domain.enums import DirectWorkTool
from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.errors import InvalidInput
from rbsw_desktop.store.part import Part

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff",
               "application/pdf"}


def checked(activity: DirectWorkActivity) -> DirectWorkActivity:
    """The activity, with its content checked against its tool (InvalidInput in words)."""
    try:
        parse_content(activity.tool, activity.content)
    except ContentProblem as exc:
        raise InvalidInput(str(exc)) from None
    return activity


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

    def save(self, activity: DirectWorkActivity) -> DirectWorkActivity:
        """Keep an edited activity; its content is checked first, and bad content keeps nothing."""
        checked(activity)
        return self._store.records.save(activity)

    # -- photos and scans ---------------------------------------------------------------------

    def attach(self, owner_id: str, case_id: str, data: bytes, media_type: str, *,
               filename: str = "", caption: str = "", consent: str = "") -> Attachment:
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
                                    caption=caption, consent=consent)
            self._store.records.save_in_transaction(attachment, "create")
        return attachment

    def attachments(self, owner_id: str) -> list[Attachment]:
        return self._store.records.find(Attachment, "owner_id = ?", [owner_id],
                                        order_by="updated_at")

    def blob(self, sha256: str) -> bytes | None:
        self._store.check_open()
        row = self.db.execute("SELECT data FROM blob WHERE sha256 = ?", [sha256]).fetchone()
        return bytes(row[0]) if row else None
