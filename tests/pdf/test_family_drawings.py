"""The child's drawings in the family's summary: printed only when the activity is shareable AND
the child's consent names the family; every other drawing is listed among what is left out, with
why, before the PDF is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdf
import pytest

from rbsw_desktop.domain import Case, DirectWorkTool, Zone
from rbsw_desktop.domain.direct_work_content import Drawing, Stamp
from rbsw_desktop.export.family_summary import (
    NO_FAMILY_CONSENT,
    consent_allows_family,
    export_family_summary,
    plan_summary,
)
from rbsw_desktop.store import Store
from rbsw_desktop.ui.drawing.paint import rendering_png
from tests.pdf.test_family_summary import flat, text_of

DREAMS = "House of dreams"


def drawn(store: Store, case: Case, *, shareable: bool, consent: str, held_on: str) -> None:
    """A Three Houses session with a drawing in the house of dreams, saved as the app saves it
    (its PNG rendering beside it)."""
    a = store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES, held_on=held_on,
                              shareable=shareable, consent=consent)
    a.content = {"drawing": {DREAMS: Drawing(1000, 700, stamps=(
        Stamp("star", 500, 350, 300),)).to_json()}}
    store.direct_work.save(a, render=lambda _part, drawing: rendering_png(drawing))


@pytest.mark.parametrize(("consent", "allows"), [
    ("My mum and my teacher", True), ("my family", True), ("Everyone", True),
    ("Dad and Nana", True), ("Only my social worker", False), ("not my dad", False),
    ("Nobody", False), ("", False), ("My family except my brother", False),
])
def test_consent_names_the_family_or_it_is_no(consent: str, allows: bool) -> None:
    assert consent_allows_family(consent) is allows


def test_only_a_shareable_drawing_the_child_agreed_the_family_may_see_is_printed(
        qapp: Any, store: Store, case: Case, tmp_path: Path) -> None:
    store.board.add(case.id, Zone.GREEN, "Nana helps after school")
    drawn(store, case, shareable=True, consent="My mum and dad", held_on="2026-11-20")
    drawn(store, case, shareable=True, consent="Only my social worker", held_on="2026-11-21")
    drawn(store, case, shareable=False, consent="My family", held_on="2026-11-22")
    store.board.start_review(case.id)

    plan = plan_summary(store, case.id)
    assert [p.caption for p in plan.drawings] == [f"Three Houses: {DREAMS}"]
    drawings_left_out = [(o.text, o.reason) for o in plan.left_out if "drawing" in o.text]
    assert drawings_left_out == [
        (f"A drawing (Three Houses: {DREAMS}, 2026-11-21)", NO_FAMILY_CONSENT),
        (f"A drawing (Three Houses: {DREAMS}, 2026-11-22)", "For professionals only")]

    out = tmp_path / "summary.pdf"
    result = export_family_summary(store, case.id, out, plan=plan)
    assert result.left_out == 2
    text = flat(text_of(out))
    assert "Ada's drawings" in text and f"Three Houses: {DREAMS}" in text
    images = [img for page in pypdf.PdfReader(str(out)).pages for img in page.images]
    assert len(images) == 1                                     # the one drawing, no other
    printed = images[0].image.convert("RGB")
    w, h = printed.size
    r, g, b = printed.getpixel((w // 2, h // 2))                # the star's gold, in the middle
    assert r > 200 and g > 150 and b < 100
