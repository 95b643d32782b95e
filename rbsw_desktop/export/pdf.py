"""Rendering the family's board summary with reportlab: A4, large type, plain words.

Zones read in greyscale: each has its label and its own shape (● ◆ ▲) besides its colour.
Every piece of user text is escaped before it reaches reportlab's paragraph markup, so `<`,
`&`, `<font>` or `<img src="http://…">` print as typed and nothing is ever fetched; remote
fetching is also switched off in reportlab's configuration. Text is set in bundled fonts
(DejaVu Sans, with Symbola for emoji and symbols), chosen character by character. The child's
drawings are printed from their PNG renderings (the plan holds only those the family may see).
"""

from __future__ import annotations

import io
import secrets
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from bidi import get_display
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from rbsw_desktop.domain.board import Change
from rbsw_desktop.domain.enums import Zone
from rbsw_desktop.export.pdf_crypt import Aes256Encryption
from rbsw_desktop.export.plan import Picture, SummaryPlan
from rbsw_desktop.resources import font_path

# Never fetch anything named in a document: no scheme is trusted.
rl_config.trustedSchemes = []
rl_config.trustedHosts = ["no-remote-fetching.invalid"]

BODY, BOLD, SYMBOLS = "RbswSans", "RbswSans-Bold", "RbswSymbols"
DRAWING_WIDTH = 120 * mm

_reportlab_cmap = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab writes code points above U+FFFF (emoji) as 5 hex digits, which no reader can
    map back to text; the PDF format wants them as UTF-16 surrogate pairs."""
    cmap = _reportlab_cmap(fontname, subset)
    for v in subset:
        if v > 0xFFFF:
            cmap = cmap.replace(f"<{v:04X}>", f"<{chr(v).encode('utf-16-be').hex().upper()}>")
    return cmap


ttfonts.makeToUnicodeCMap = _to_unicode_cmap

ZONE_ORDER = (Zone.GREEN, Zone.AMBER, Zone.RED)       # strengths first: their full place
ZONE_TITLES = {Zone.GREEN: "Strengths: what is going well",
               Zone.AMBER: "Worries for the future",
               Zone.RED: "Big worries now"}
ZONE_SHAPES = {Zone.GREEN: "●", Zone.AMBER: "◆", Zone.RED: "▲"}
ZONE_HEX = {Zone.GREEN: "#1e5b22", Zone.AMBER: "#7a4500", Zone.RED: "#8c1d18"}
ZONE_INK = {zone: colors.HexColor(hex_) for zone, hex_ in ZONE_HEX.items()}
ZONE_TINT = {Zone.GREEN: colors.HexColor("#e8f5e9"), Zone.AMBER: colors.HexColor("#fff3e0"),
             Zone.RED: colors.HexColor("#fdecea")}
TITLE = "Our family board"


@cache
def _fonts() -> tuple[frozenset[int], frozenset[int]]:
    """Register the bundled fonts once; returns the code points each covers."""
    body = TTFont(BODY, str(font_path("DejaVuSans.ttf")))
    pdfmetrics.registerFont(body)
    pdfmetrics.registerFont(TTFont(BOLD, str(font_path("DejaVuSans-Bold.ttf"))))
    symbols = TTFont(SYMBOLS, str(font_path("Symbola.ttf")))
    pdfmetrics.registerFont(symbols)
    pdfmetrics.registerFontFamily(BODY, normal=BODY, bold=BOLD, italic=BODY, boldItalic=BOLD)
    return frozenset(body.face.charToGlyph), frozenset(symbols.face.charToGlyph)


def _is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def markup(text: str) -> str:
    """User text -> safe paragraph markup: bidi-ordered, escaped, with per-character fonts."""
    body, symbols = _fonts()
    text = " ".join(text.split())       # no control characters or stray line breaks
    if _is_rtl(text):
        text = get_display(text)
    out: list[str] = []
    run: list[str] = []
    in_symbols = False
    for ch in text:
        wants_symbols = ord(ch) not in body and ord(ch) in symbols
        if wants_symbols != in_symbols and run:
            out.append(_run("".join(run), in_symbols))
            run = []
        in_symbols = wants_symbols
        run.append(ch)
    if run:
        out.append(_run("".join(run), in_symbols))
    return "".join(out)


def _run(text: str, symbols: bool) -> str:
    safe = escape(text, {'"': "&quot;", "'": "&#39;"})
    return f'<font name="{SYMBOLS}">{safe}</font>' if symbols else safe


def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    base = ParagraphStyle("body", fontName=BODY, fontSize=14, leading=20, alignment=TA_LEFT,
                          splitLongWords=True, spaceAfter=6)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=26, leading=32,
                                spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=16, leading=22),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=18, leading=24,
                             spaceBefore=14, spaceAfter=8),
        "small": ParagraphStyle("small", parent=base, fontSize=12, leading=16),
    }


def _zone_heading(zone: Zone, count: int, styles: dict[str, ParagraphStyle]) -> Paragraph:
    # Reportlab collapses the space between two flowables to the larger of the two, and the
    # padded boxes reach outside it: these spaces leave a clear gap between the boxes, and the
    # heading's box lines up with the item boxes under it.
    style = ParagraphStyle(f"zone-{zone}", parent=styles["h2"], textColor=colors.white,
                           backColor=ZONE_INK[zone], borderPadding=(6, 8, 6, 8), spaceBefore=22,
                           spaceAfter=26, leftIndent=8, rightIndent=8)
    things = "" if count == 0 else f" ({count} thing{'' if count == 1 else 's'})"
    return Paragraph(f"{ZONE_SHAPES[zone]}  {ZONE_TITLES[zone]}{things}", style)


def _item(zone: Zone, text: str, styles: dict[str, ParagraphStyle]) -> Paragraph:
    style = ParagraphStyle(f"item-{zone}", parent=styles["body"], backColor=ZONE_TINT[zone],
                           borderColor=ZONE_INK[zone], borderWidth=1.5, borderPadding=8,
                           leftIndent=8, rightIndent=8, spaceBefore=12, spaceAfter=28)
    shape = f'<font color="{ZONE_HEX[zone]}">{ZONE_SHAPES[zone]}</font>'
    return Paragraph(f"{shape}  {markup(text)}", style)


def _change_line(change, styles: dict[str, ParagraphStyle]) -> Paragraph:  # noqa: ANN001
    if change.change is Change.BETTER and change.to_zone is Zone.GREEN:
        # Praise only words the worker checked for the family at the review: "Well done!"
        # beside a risk in its old words ("When Dad drinks he shouts...") reads as praise of it.
        lead = "★ Well done! " if change.family_text else "★ Now a strength: "
    elif change.change is Change.BETTER:
        lead = "★ Better: "
    elif change.change is Change.NEW:
        lead = "New: "
    else:
        lead = "Changed: "
    words = change.describe().removeprefix("New: ")
    words = words[:1].upper() + words[1:]
    return Paragraph(f"<b>{escape(lead)}</b>{markup(change.for_family)}<br/>{escape(words)}",
                     ParagraphStyle("change", parent=styles["body"], leftIndent=10,
                                    spaceAfter=10))


def _drawing(picture: Picture, styles: dict[str, ParagraphStyle]) -> KeepTogether:
    """A drawing from direct work (its PNG rendering) under its caption, half a page wide."""
    image = ImageReader(io.BytesIO(picture.png))
    w, h = image.getSize()
    width = min(DRAWING_WIDTH, w)
    return KeepTogether([Paragraph(markup(picture.caption), styles["body"]),
                         Image(io.BytesIO(picture.png), width=width, height=width * h / w)])


def day_text(day: date) -> str:
    """'1 November 2026': the day without a leading zero. Not strftime's `%-d`, which only
    glibc knows (Windows refuses the format, and the PDF would not be written at all)."""
    return f"{day.day} {day:%B %Y}"


def story(plan: SummaryPlan) -> list:
    s = _styles()
    flow: list = []
    who = f"{plan.child_name}'s family board" if plan.child_name else TITLE
    flow.append(Paragraph(markup(who), s["title"]))
    if plan.family_name:
        flow.append(Paragraph(markup(plan.family_name), s["subtitle"]))
    if plan.review_date:
        flow.append(Paragraph(f"Our review on {day_text(plan.review_date)}", s["subtitle"]))
    flow.append(Spacer(1, 6))
    flow.append(Paragraph(
        "This is your board, in your words. Green is what is going well. Amber is worries for "
        "the future. Red is the big worries now. We will look at it again together.",
        s["body"]))
    if plan.changes:
        flow.append(Paragraph("What has changed since the last review", s["h2"]))
        flow += [_change_line(c, s) for c in plan.changes]
    for zone in ZONE_ORDER:
        items = plan.zones.get(zone, [])
        heading = _zone_heading(zone, len(items), s)
        if not items:
            flow.append(KeepTogether([heading, Paragraph("Nothing here at this review.",
                                                         s["body"])]))
            continue
        flow.append(KeepTogether([heading, _item(zone, items[0], s)]))
        flow += [_item(zone, text, s) for text in items[1:]]
    if plan.drawings:
        heading = Paragraph(f"{markup(plan.child_name or 'The child')}'s drawings", s["h2"])
        flow.append(KeepTogether([heading, _drawing(plan.drawings[0], s)]))
        flow += [_drawing(p, s) for p in plan.drawings[1:]]
    flow.append(Paragraph("Our next review", s["h2"]))
    flow.append(Paragraph(f"{plan.next_review:%A} {day_text(plan.next_review)}"
                          if plan.next_review else "We will agree the date with you.",
                          s["body"]))
    flow.append(Paragraph("Your pod: people you can talk to", s["h2"]))
    for c in plan.contacts:
        reach = " · ".join(escape(x) for x in (c.phone, c.email) if x)
        flow.append(Paragraph(f"<b>{escape(c.role)}</b>: {markup(c.name)}"
                              + (f"<br/>{reach}" if reach else ""), s["body"]))
    if plan.pod_name:
        reach = " · ".join(escape(x) for x in (plan.pod_phone, plan.pod_email) if x)
        flow.append(Paragraph(f"<b>The pod</b>: {markup(plan.pod_name)}"
                              + (f"<br/>{reach}" if reach else ""), s["body"]))
    return flow


def _footer(canvas, doc) -> None:  # noqa: ANN001
    canvas.saveState()
    canvas.setFont(BODY, 11)
    canvas.drawString(18 * mm, 12 * mm, "This is your family's copy. Please keep it safe.")
    canvas.drawRightString(A4[0] - 18 * mm, 12 * mm, f"Page {doc.page}")
    canvas.restoreState()


def render(plan: SummaryPlan, out: Path, *, password: str | None = None) -> None:
    encrypt = None
    if password:
        # AES-256 (revision 6), never reportlab's RC4 (strength 40/128), which is broken.
        encrypt = Aes256Encryption(password, secrets.token_urlsafe(24))
    doc = SimpleDocTemplate(
        str(out), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
        bottomMargin=22 * mm, title=TITLE, author="Children's services", subject="",
        creator="rbsw-desktop", producer="rbsw-desktop", keywords="", encrypt=encrypt,
        invariant=False)
    doc.build(story(plan), onFirstPage=_footer, onLaterPages=_footer)
