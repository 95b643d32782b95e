"""Direct work in the store: each drawing area gets a PNG rendering saved with the session and
replaced only when that drawing changes; a scale's sessions are found by their question; a photo
is refused in plain words when it is not a picture, empty or too big; and a session's content is
checked before anything is kept."""

from __future__ import annotations

import copy

import pytest

from rbsw_desktop.domain import Attachment, Case, DirectWorkActivity, DirectWorkTool
from rbsw_desktop.domain.direct_work_content import Drawing
from rbsw_desktop.errors import InvalidInput
from rbsw_desktop.store import Store, direct_work
from rbsw_desktop.store.direct_work import activity_summary

WORRIES, DREAMS = "House of worries", "House of dreams"


def drawing(*colours: str) -> dict:
    return {"width": 800, "height": 600,
            "strokes": [{"points": [[10, 10, 0.5], [20, 25, 0.7]], "width": 6, "colour": c}
                        for c in colours]}


class Renderer:
    """What the UI gives `save`: a drawing area's name and drawing to PNG bytes."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, part: str, d: Drawing) -> bytes:
        self.asked.append(part)
        return f"PNG {part} {len(d.strokes)} strokes".encode()


def renderings(store: Store, activity: DirectWorkActivity) -> dict[str, bytes | None]:
    return {part: store.direct_work.blob(a.sha256)
            for part, a in store.direct_work.renderings(activity.id).items()}


def test_each_drawing_has_its_rendering_replaced_only_when_it_changes(
        store: Store, case: Case) -> None:
    activity = store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES,
                                     consent="Fine to share (fictional)")
    render = Renderer()
    activity.content = {"drawing": {WORRIES: drawing("#D62828"), DREAMS: drawing("#000000")}}
    store.direct_work.save(activity, render=render)
    assert renderings(store, activity) == {WORRIES: b"PNG House of worries 1 strokes",
                                           DREAMS: b"PNG House of dreams 1 strokes"}
    (first,) = [a for a in store.direct_work.attachments(activity.id)
                if a.rendering_of == WORRIES]
    assert (first.filename, first.media_type, first.consent, first.case_id) == (
        "House of worries.png", "image/png", "Fine to share (fictional)", case.id)
    # One area drawn on again: only its rendering is made anew.
    render.asked.clear()
    activity = store.records.get(DirectWorkActivity, activity.id)
    activity.content = copy.deepcopy(activity.content)
    activity.content["drawing"][WORRIES] = drawing("#D62828", "#1D3557")
    store.direct_work.save(activity, render=render)
    assert render.asked == [WORRIES]
    assert renderings(store, activity)[WORRIES] == b"PNG House of worries 2 strokes"
    assert store.records.get(Attachment, first.id).deleted
    # An area cleared: its rendering goes; nothing changed: nothing is rendered.
    activity.content = {"drawing": {DREAMS: drawing("#000000")}}
    store.direct_work.save(activity, render=render)
    render.asked.clear()
    store.direct_work.save(activity, render=render)
    assert render.asked == [] and list(renderings(store, activity)) == [DREAMS]
    # Saved without a renderer (words only): the renderings stand.
    activity.child_words = "I drew my house (fictional)"
    store.direct_work.save(activity)
    assert list(renderings(store, activity)) == [DREAMS]


def test_a_scales_sessions_are_those_asking_the_same_question(store: Store, case: Case) -> None:
    def scale(question: str, held_on: str, tool: DirectWorkTool = DirectWorkTool.SCALING
              ) -> DirectWorkActivity:
        return store.direct_work.add(case.id, tool, held_on=held_on,
                                     parts={"The question": question})
    first = scale("How safe do you feel at home?", "2026-10-01")
    later = scale("  how SAFE do you feel   at home? ", "2026-11-01")
    scale("How happy are you at school?", "2026-10-15")
    other_tool = scale("How safe do you feel at home?", "2026-10-20", DirectWorkTool.FREE_FORM)
    assert [a.id for a in store.direct_work.same_scale(later)] == [first.id, later.id]
    assert store.direct_work.same_scale(other_tool) == []
    assert store.direct_work.same_scale(scale("   ", "2026-11-02")) == []


def test_a_photo_must_be_a_picture_not_empty_and_not_too_big(
        store: Store, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(direct_work, "MAX_ATTACHMENT_BYTES", 64)     # 50 MB, made small
    activity = store.direct_work.add(case.id, DirectWorkTool.FREE_FORM)
    with pytest.raises(InvalidInput, match=r"^Only photos and scans \(PNG, JPEG, GIF, WebP, "
                                           r"BMP, TIFF or PDF\) can be attached\.$"):
        store.direct_work.attach(activity.id, case.id, b"text", "text/plain")
    with pytest.raises(InvalidInput, match="^That file is empty.$"):
        store.direct_work.attach(activity.id, case.id, b"", "image/png")
    with pytest.raises(InvalidInput, match="^That file is larger than 50 MB. Please attach a "
                                           "smaller photo.$"):
        store.direct_work.attach(activity.id, case.id, b"x" * 65,
                                 "image/jpeg")
    assert store.direct_work.attachments(activity.id) == []
    biggest = store.direct_work.attach(activity.id, case.id, b"x" * 64,
                                       "image/jpeg", caption="Big (fictional)")
    held = store.records.get(Attachment, biggest.id)
    assert (held.size, held.filename, held.caption, held.consent, held.rendering_of) == (
        64, "", "Big (fictional)", "", "")
    assert [r[0] for r in store.db.execute(
        "SELECT action FROM audit WHERE record_id = ?", [held.id])] == ["create"]


def test_a_session_is_checked_before_it_is_kept(store: Store, case: Case) -> None:
    activity = store.direct_work.add(case.id, DirectWorkTool.FREE_FORM, title="Kept (fictional)")
    assert activity.held_on and [r[0] for r in store.db.execute(
        "SELECT action FROM audit WHERE record_id = ?", [activity.id])] == ["create"]
    activity.title = "Changed (fictional)"
    activity.content = {"ecomap": {"people": "nobody"}}
    with pytest.raises(InvalidInput):
        store.direct_work.save(activity)
    assert store.records.get(DirectWorkActivity, activity.id).title == "Kept (fictional)"
    with pytest.raises(InvalidInput):
        store.direct_work.add(case.id, DirectWorkTool.FREE_FORM, content={"nonsense": 1})
    assert [a.id for a in store.direct_work.of_case(case.id)] == [activity.id]
    activity.content = {}
    store.direct_work.save(activity)
    assert [r[0] for r in store.db.execute(
        "SELECT action FROM audit WHERE record_id = ? ORDER BY seq", [activity.id])] == [
        "create", "save"]
    fresh = DirectWorkActivity(case_id=case.id, tool=DirectWorkTool.FREE_FORM,
                               held_on="2026-11-01")
    store.direct_work.save(fresh)
    assert [r[0] for r in store.db.execute(
        "SELECT action FROM audit WHERE record_id = ?", [fresh.id])] == ["create"]
    assert [a.id for a in store.direct_work.of_case(case.id)] == [activity.id, fresh.id]


def test_a_session_is_summed_up_by_its_tool_and_what_it_holds(case: Case) -> None:
    ecomap = DirectWorkActivity(case_id=case.id, tool=DirectWorkTool.ECOMAP, held_on="x",
                                content={"ecomap": {"people": [
                                    {"id": "n", "name": "Nan", "kind": "family"}]}})
    assert activity_summary(ecomap) == "Ecomap: 1 person"
    assert activity_summary(DirectWorkActivity(case_id=case.id, tool=DirectWorkTool.ECOMAP,
                                               held_on="x")) == "Ecomap"
    broken = DirectWorkActivity(case_id=case.id, tool=DirectWorkTool.ECOMAP, held_on="x",
                                content={"nonsense": 1})
    assert activity_summary(broken) == "Ecomap"
