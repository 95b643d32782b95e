"""The family's board summary: what is printed, what never is, and hostile text."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf
import pytest

from rbsw_desktop.domain import Case, RaisedBy, Role, WithheldReason, Worker, Zone
from rbsw_desktop.errors import InvalidInput
from rbsw_desktop.export.family_summary import export_family_summary, plan_summary
from rbsw_desktop.store import Store

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "pdf"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def text_of(path: Path, password: str | None = None) -> str:
    reader = pypdf.PdfReader(str(path))
    if password is not None:
        reader.decrypt(password)
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


FOOTER = re.compile(r"This is your family's copy\. Please keep it safe\.\s*Page \d+")


def body_text_of(path: Path) -> str:
    """The text of every page without its footer, so a long item reads on across a page."""
    pages = [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]
    assert all(FOOTER.search(p) for p in pages), "a page lost its footer"
    return "\n".join(FOOTER.sub("", p) for p in pages)


def words_off_the_page(path: Path) -> list[str]:
    """Words poppler finds outside the printable area (18 mm side margins, 10 mm top/bottom)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    mm = 72 / 25.4
    off: list[str] = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html,
                            re.S):
        width, height = float(page[1]), float(page[2])
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                           r'yMax="([\d.]+)">(.*?)</word>', page[3])
        assert words, "a page with no words"
        for x0, y0, x1, y1, word in words:
            if not (18 * mm - 0.5 <= float(x0) and float(x1) <= width - 18 * mm + 0.5
                    and 10 * mm <= float(y0) and float(y1) <= height - 10 * mm):
                off.append(f"{word[:20]} at ({x0}, {y0})-({x1}, {y1})")
    return off


@pytest.fixture
def board(store: Store, case: Case) -> Case:
    store.records.save(Worker(name="Priya Podmanager", role=Role.POD_MANAGER, pod_id=case.pod_id,
                              phone="01632 960002"))
    store.records.save(Worker(name="Morgan Supportofficer", role=Role.BUSINESS_SUPPORT,
                              pod_id=case.pod_id, email="bso@example.org"))
    store.records.save(Worker(name="Vic Notacontact", role=Role.SENIOR_SOCIAL_WORKER,
                              pod_id=case.pod_id))
    red = store.board.add(case.id, Zone.RED, "Bedtimes are calm now")
    store.board.add(case.id, Zone.GREEN, "Nana helps after school",
                         worker_note="WORKER ONLY: check Nana's DBS")
    store.board.add(case.id, Zone.AMBER, "Neighbour reported a fight", shareable=False,
                    withheld_reason=WithheldReason.THIRD_PARTY)
    store.board.start_review(case.id)
    store.board.move(red.id, Zone.GREEN)
    store.board.add(case.id, Zone.AMBER, "Money is tight", raised_by=RaisedBy.FAMILY)
    # At the review the worker checked the words of what moved to green and kept them.
    store.board.start_review(case.id, family_words={red.id: "Bedtimes are calm now"})
    return case


def test_prints_the_family_words_and_the_movement(store: Store, board: Case,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "summary.pdf"
    result = export_family_summary(store, board.id, out)
    text = flat(text_of(out))
    for words in ("Bedtimes are calm now", "Nana helps after school", "Money is tight",
                  "Strengths", "Worries for the future", "Big worries now",
                  "This was a big worry, now it is a strength", "Well done!",
                  "Sam Testworker", "Priya Podmanager", "Morgan Supportofficer",
                  "01632 960002", "Our next review"):
        assert words in text, words
    assert result.items == 3 and result.left_out == 1
    audit = list(store.db.query("SELECT action FROM audit WHERE action LIKE 'export%'"))
    assert audit == [{"action": "export_family_summary"}]


def test_well_done_is_only_beside_words_the_worker_checked_for_the_family(
        store: Store, case: Case, tmp_path: Path) -> None:
    """A risk that moved to green in its old words is not praised; reworded at the review, the
    family's copy prints the new words with "Well done!" and never the old ones."""
    risk = "When Dad drinks he shouts and throws things"
    item = store.board.add(case.id, Zone.RED, risk)
    store.board.start_review(case.id, held_on=date(2026, 10, 1))
    store.board.move(item.id, Zone.GREEN)
    store.board.start_review(case.id, held_on=date(2026, 11, 1))
    out = tmp_path / "as-it-was.pdf"
    export_family_summary(store, case.id, out)
    text = flat(text_of(out))
    assert "Well done!" not in text and f"Now a strength: {risk}" in text
    store.board.move(item.id, Zone.AMBER)          # a worse month, then better again
    store.board.start_review(case.id, held_on=date(2026, 11, 15))
    store.board.move(item.id, Zone.GREEN)
    store.board.start_review(case.id, held_on=date(2026, 12, 1), family_words={
        item.id: "Dad has stopped drinking and home is calm"})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "family-summary-reworded.pdf"
    export_family_summary(store, case.id, out)
    text = flat(text_of(out))
    assert "Well done! Dad has stopped drinking and home is calm" in text
    assert "drinks he shouts" not in text
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(out),
                    str(ARTIFACTS / "reworded")], check=True, timeout=60)


def test_the_review_days_print_in_plain_words(store: Store, case: Case, tmp_path: Path) -> None:
    store.board.add(case.id, Zone.GREEN, "Nana helps after school")
    store.board.start_review(case.id, held_on=date(2026, 11, 1), next_review_on=date(2026, 12, 3))
    out = tmp_path / "summary.pdf"
    export_family_summary(store, case.id, out)
    text = flat(text_of(out))
    assert "Our review on 1 November 2026" in text
    assert "Our next review Thursday 3 December 2026" in text


def test_never_prints_what_the_family_may_not_have(store: Store, board: Case,
                                                   tmp_path: Path) -> None:
    out = tmp_path / "summary.pdf"
    export_family_summary(store, board.id, out)
    text = text_of(out)
    assert "Neighbour reported a fight" not in text
    assert "WORKER ONLY" not in text and "DBS" not in text
    assert "Vic Notacontact" not in text                      # not one of the pod contacts
    assert not UUID.search(text)
    reader = pypdf.PdfReader(str(out))
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    for secret in ("Neighbour", "Ada", "Fictional family", board.id, "Testworker"):
        assert secret not in meta
    raw = out.read_bytes()
    assert board.id.encode() not in raw


def test_the_worker_sees_what_is_left_out_and_why(store: Store, board: Case) -> None:
    plan = plan_summary(store, board.id)
    assert [(x.text, x.reason) for x in plan.left_out] == [
        ("Neighbour reported a fight", "About another person (third party)")]


def test_an_item_made_private_after_the_review_is_left_out(store: Store, board: Case,
                                                          tmp_path: Path) -> None:
    item = next(i for i in store.board.items(board.id) if i.text == "Money is tight")
    item.shareable = False
    item.withheld_reason = WithheldReason.CHILDS_WISH
    store.board.update(item)
    out = tmp_path / "s.pdf"
    export_family_summary(store, board.id, out)
    assert "Money is tight" not in text_of(out)


HOSTILE = ['<b>bold?</b> & <font size="40">big</font>', '<a href="http://127.0.0.1/x">link</a>',
           "Emoji 🙂👍🏽 and ✨", "עברית: אבא עוזר", "العربية: الأسرة", "x" * 5000,
           "Tom & Jerry <3 \"quotes\" 'single'"]


def test_hostile_and_unusual_text_prints_literally(store: Store, case: Case,
                                                   tmp_path: Path) -> None:
    for text in HOSTILE:
        store.board.add(case.id, Zone.GREEN, text)
    out = tmp_path / "hostile.pdf"
    export_family_summary(store, case.id, out)
    text = flat(text_of(out))
    assert '<b>bold?</b> &' in text and '<font size="40">big</font>' in text
    assert '<a href="http://127.0.0.1/x">link</a>' in text
    assert "Tom & Jerry <3" in text
    assert "Emoji" in text and "🙂" in text
    assert text.replace(" ", "").count("x" * 200) >= 1            # the long word wrapped
    assert "עוזר" in text or "רזוע" in text
    # Every item comes back whole, in order (modulo line breaks and the page footers), and
    # the 5,000-character word is all there: wrapped, never cut short or run off the page.
    body = "".join(body_text_of(out).split())
    for typed in HOSTILE:
        assert f"●{''.join(typed.split())}" in body, typed[:40]
    assert "●" + "x" * 5000 + "●" in body
    assert words_off_the_page(out) == []


def test_two_hundred_items_paginate(store: Store, case: Case, tmp_path: Path) -> None:
    for i in range(200):
        store.board.add(case.id, list(Zone)[i % 3], f"Fictional item number {i}")
    out = tmp_path / "many.pdf"
    export_family_summary(store, case.id, out)
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) > 5
    text = flat(text_of(out))
    assert all(f"Fictional item number {i}" in text for i in (0, 99, 199))
    body = flat(body_text_of(out))
    assert all(f"Fictional item number {i} " in body for i in range(200))
    assert words_off_the_page(out) == []


def test_typed_image_and_link_urls_are_never_fetched(store: Store, case: Case,
                                                     tmp_path: Path) -> None:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 1
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/who-is-reading.png"
        store.board.add(case.id, Zone.RED, f'<img src="{url}"/> <a href="{url}">x</a>')
        store.board.add(case.id, Zone.GREEN, f"<img src='{url}' width='10' height='10'/>")
        export_family_summary(store, case.id, tmp_path / "img.pdf")
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []


def test_password_copy_needs_the_password(store: Store, board: Case, tmp_path: Path) -> None:
    out = tmp_path / "locked.pdf"
    export_family_summary(store, board.id, out, password="fictional-pass-42")
    reader = pypdf.PdfReader(str(out))
    assert reader.is_encrypted
    with pytest.raises(Exception):  # noqa: B017, PT011 - pypdf's error type varies
        _ = reader.pages[0].extract_text()
    assert "Nana helps after school" not in out.read_bytes().decode("latin-1")
    assert reader.decrypt("wrong") == 0
    assert "Nana helps after school" in flat(text_of(out, "fictional-pass-42"))


def test_password_copy_uses_aes_256_not_rc4(store: Store, board: Case, tmp_path: Path) -> None:
    out = tmp_path / "locked.pdf"
    export_family_summary(store, board.id, out, password="fictional-pass-42")
    reader = pypdf.PdfReader(str(out))
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert encrypt["/Filter"] == "/Standard"
    assert encrypt["/V"] == 5 and encrypt["/R"] == 6 and encrypt["/Length"] == 256
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"          # AES-256, never /V2 RC4
    assert encrypt["/StmF"] == "/StdCF" and encrypt["/StrF"] == "/StdCF"
    assert reader.decrypt("fictional-pass-42") != 0
    assert "Money is tight" in flat(" ".join(p.extract_text() for p in reader.pages))
    assert reader.metadata.title == "Our family board"          # strings decrypt too


def test_an_empty_board_is_a_plain_refusal(store: Store, case: Case, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="nothing to print"):
        export_family_summary(store, case.id, tmp_path / "empty.pdf")
    assert not (tmp_path / "empty.pdf").exists()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_render_a_sample_to_png_to_look_at(store: Store, board: Case) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "family-summary.pdf"
    export_family_summary(store, board.id, out)
    for mode in ([], ["-gray"]):
        prefix = ARTIFACTS / ("page-gray" if mode else "page")
        subprocess.run(["pdftoppm", "-r", "50", "-png", *mode, str(out), str(prefix)],
                       check=True, timeout=60)
    pngs = sorted(ARTIFACTS.glob("page-*.png"))
    assert pngs and all(p.stat().st_size > 5000 for p in pngs)
