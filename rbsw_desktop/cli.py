"""`rbsw`: the scripting CLI for IT admins, business support and automation.

Command names, flags, exit codes and JSON keys are a contract (README, "Scripting CLI").
Errors go to stderr in plain words with a non-zero exit, never a traceback. `--json` prints
exactly one JSON document on stdout. stdout and stderr are always UTF-8, whatever the locale or
pipe (a Windows pipe, LC_ALL=C, PYTHONIOENCODING=ascii), so any name or emoji comes through.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from rbsw_desktop.cmdline import not_utf8
from rbsw_desktop.domain import DirectWorkActivity, DirectWorkTool, RaisedBy, WithheldReason, Zone
from rbsw_desktop.domain.direct_work_content import DRAWING_TOOLS, ContentProblem, tool_of
from rbsw_desktop.domain.instants import local_text
from rbsw_desktop.errors import InvalidInput, NotFound, RbswError
from rbsw_desktop.logs import log_failure, setup_logging
from rbsw_desktop.paths import resolve_data_dir
from rbsw_desktop.protocol import is_unicode
from rbsw_desktop.security.keys import DEFAULT_PARAMS, Argon2Params
from rbsw_desktop.store import Store, store_exists
from rbsw_desktop.store.codec import to_json
from rbsw_desktop.store.direct_work import activity_summary

log = logging.getLogger("rbsw.cli")

ENV_PASSPHRASE = "RBSW_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret
#: Tests only: cheap (still real) Argon2id parameters for stores the tests create.
ENV_TEST_FAST_KDF = "RBSW_TEST_FAST_KDF"

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
ZONES = [z.value for z in Zone]
RENDER_WIDTH = 1200             # pixels across a rendered ecomap, genogram or scale


class CliError(RbswError):
    """A refusal with its message, exit code 1."""


# -- plumbing -----------------------------------------------------------------------------------

def _kdf() -> Argon2Params:
    if os.environ.get(ENV_TEST_FAST_KDF) == "1":
        return Argon2Params(time_cost=1, memory_kib=8192, parallelism=1)
    return DEFAULT_PARAMS


def read_passphrase(*, confirm: bool = False) -> str:
    env = os.environ.get(ENV_PASSPHRASE)
    if env is not None:
        if not is_unicode(env):
            raise CliError(f"The passphrase in {ENV_PASSPHRASE} is not valid UTF-8 (the script "
                           "that set it uses another encoding). Nothing was opened.")
        return env
    if not sys.stdin.isatty():
        raise CliError(f"No passphrase given. Set {ENV_PASSPHRASE}, or run rbsw in a terminal "
                       "to be asked for it.")
    first = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("Passphrase again: ") != first:
        raise CliError("The two passphrases are not the same. Nothing was created.")
    return first


def open_store(args: argparse.Namespace) -> Store:
    return Store.unlock(args.data_dir, read_passphrase())


def emit(args: argparse.Namespace, data: Any, human: Callable[[], None]) -> None:
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        human()


def _zone(text: str) -> Zone:
    try:
        return Zone(text.lower())
    except ValueError:
        raise InvalidInput(f"The zone must be red, amber or green, not {text!r}.") from None


# -- commands -----------------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace) -> int:
    store = Store.create(args.data_dir, read_passphrase(confirm=True), kdf=_kdf())
    store.lock()
    print(f"Created a new encrypted store in {args.data_dir}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from rbsw_desktop.store.demo import create_demo_store
    store = create_demo_store(args.data_dir, read_passphrase(confirm=True), kdf=_kdf())
    count = len(store.cases.summaries())
    store.lock()
    print(f"Created a demo store with {count} fictional families in {args.data_dir}")
    return EXIT_OK


def cmd_cases(args: argparse.Namespace) -> int:
    store = open_store(args)
    cases = store.cases.summaries()

    def human() -> None:
        if not cases:
            print("No cases on this laptop yet.")
        for c in cases:
            print(f"{c.id}  {c.child_name:<24} {c.category.label:<17} {c.due_words()}")
    emit(args, [c.as_json() for c in cases], human)
    return EXIT_OK


def cmd_visit_add(args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise InvalidInput("The visit note is empty. Give its text with --text.")
    store = open_store(args)
    visit = store.visits.add(args.case, observations=args.text,
                             child_seen=args.child_seen_alone,
                             child_seen_alone=args.child_seen_alone)
    emit(args, to_json(visit), lambda: print(f"Added visit {visit.id}"))
    return EXIT_OK


def cmd_board_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    store.cases.get(args.case)
    items = store.board.items(args.case)

    def human() -> None:
        for zone in Zone:
            print(f"{zone.label.upper()} ({zone.value})")
            for item in (i for i in items if i.zone is zone):
                private = "" if item.shareable else "  [professionals only]"
                print(f"  {item.id}  {item.text}{private}")
    emit(args, [to_json(i) for i in items], human)
    return EXIT_OK


def cmd_board_add(args: argparse.Namespace) -> int:
    store = open_store(args)
    item = store.board.add(
        args.case, _zone(args.zone), args.text, raised_by=RaisedBy.PROFESSIONAL,
        shareable=not args.private,
        withheld_reason=WithheldReason.PROFESSIONALS_ONLY if args.private else None)
    emit(args, to_json(item), lambda: print(f"Added board item {item.id}"))
    return EXIT_OK


def cmd_board_move(args: argparse.Namespace) -> int:
    store = open_store(args)
    item = store.board.move(args.item_id, _zone(args.zone))
    emit(args, to_json(item), lambda: print(f"Moved to {item.zone.label}"))
    return EXIT_OK


def _family_words(pairs: list[str]) -> dict[str, str]:
    """`ITEM_ID=WORDS` (each --family-text) -> {item id: words}."""
    words = {}
    for pair in pairs:
        item_id, sep, text = pair.partition("=")
        if not sep or not item_id.strip() or not text.strip():
            raise InvalidInput(f"--family-text wants ITEM_ID=WORDS, not {pair!r}.")
        words[item_id.strip()] = text.strip()
    return words


def cmd_review_start(args: argparse.Namespace) -> int:
    store = open_store(args)
    review = store.board.start_review(args.case, family_words=_family_words(args.family_text))
    moves = store.board.movement(review.id)

    def human() -> None:
        print(f"Review {review.id} taken on {review.held_on} with {len(review.snapshot)} items")
        for m in moves:
            print(f"  {m.text}: {m.describe()}")
    emit(args, to_json(review), human)
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    store = open_store(args)
    hits = store.search.find(args.query)

    def human() -> None:
        if not hits:
            print("Nothing found.")
        for h in hits:
            snippet = " ".join(h.plain_snippet("[", "]").split())
            print(f"{h.entity:<22} {h.record_id}  {snippet}")
    emit(args, [h.as_json() for h in hits], human)
    return EXIT_OK


def cmd_export_pdf(args: argparse.Namespace) -> int:
    from rbsw_desktop.export.family_summary import export_family_summary, plan_summary
    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            raise InvalidInput(f"The password variable {args.password_env} is empty or not set.")
    store = open_store(args)
    plan = plan_summary(store, args.case, args.review)
    for item in plan.left_out:
        print(f"Left out ({item.reason}): {item.text}", file=sys.stderr)
    result = export_family_summary(store, args.case, Path(args.out), review_id=args.review,
                                   password=password, plan=plan)
    emit(args, {"path": str(result.path), "items": result.items, "left_out": result.left_out},
         lambda: print(result.path))
    return EXIT_OK


def cmd_enrol(args: argparse.Namespace) -> int:
    from rbsw_desktop.sync.device import enrol
    store = open_store(args)
    enrolment = enrol(store, args.gateway, args.code)
    emit(args, {"device_id": enrolment.device_id, "gateway_url": enrolment.gateway_url,
                "worker": enrolment.worker.get("name", "")},
         lambda: print(f"This laptop is enrolled with {enrolment.gateway_url} "
                       f"(device {enrolment.device_id})."))
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from rbsw_desktop.sync.device import engine_for
    store: Store | None = None
    try:
        store = open_store(args)
        report = engine_for(store).sync_once()
    except (Exception, KeyboardInterrupt) as exc:
        if not args.json:
            raise
        return _sync_failed(args, store, exc)

    def human() -> None:
        print(f"Sent {report.pushed}, received {report.pulled}; {report.pending} waiting, "
              f"{report.open_conflicts} needing a decision, {report.refused_total} refused"
              f"{_not_applied(report.not_applied_total)}.")
        for line in report.errors + report.warnings:
            print(line, file=sys.stderr)
    emit(args, report.as_json(), human)
    return EXIT_OK if report.ok else EXIT_REFUSED


def _sync_failed(args: argparse.Namespace, store: Store | None, exc: BaseException) -> int:
    """`sync --json` that could not sync still prints its document: `ok` false, the reason in
    `errors`, and the counts it could not read (no store open) as null."""
    from rbsw_desktop.sync.device import sync_status
    from rbsw_desktop.sync.engine import SyncReport
    message = failure_text(exc, args.command)
    doc = SyncReport(errors=[message]).as_json()
    totals: dict[str, Any] = dict.fromkeys(
        ("pending", "open_conflicts", "quarantined_total", "pulled_quarantined_total"))
    if store is not None and not store.locked:
        with contextlib.suppress(Exception):
            status = sync_status(store)
            totals = {"pending": status["pending"], "open_conflicts": status["conflicts"],
                      "quarantined_total": status["quarantined"],
                      "pulled_quarantined_total": status["pulled_quarantined"]}
    emit(args, {**doc, **totals, "ok": False}, lambda: None)
    print(f"rbsw: {message}", file=sys.stderr)
    return EXIT_REFUSED


def _not_applied(count: int) -> str:
    return f", {count} from the council not saved here" if count else ""


def cmd_status(args: argparse.Namespace) -> int:
    from rbsw_desktop.security.wipe import destroyed_words, wipe_note
    from rbsw_desktop.sync.device import sync_status
    note = None if store_exists(args.data_dir) else wipe_note(args.data_dir)
    if note is not None:
        how = "retired" if note.get("reason") == "retired" else "signed out"
        raise CliError(f"This laptop's store was wiped on {local_text(str(note.get('at')))} "
                       f"when the council {how} it: "
                       f"{destroyed_words(note.get('destroyed_unsent'))}.")
    status = sync_status(open_store(args))

    def human() -> None:            # local time for a person; --json keeps the UTC instant
        print(f"Device {status['device_id']}: {status['pending']} waiting to sync, "
              f"{status['conflicts']} conflicts, {status['quarantined']} refused"
              f"{_not_applied(status['pulled_quarantined'])}; last sync "
              f"{local_text(status['last_sync']) or 'never'}.")
    emit(args, status, human)
    return EXIT_OK


def _activity(store: Store, activity_id: str) -> DirectWorkActivity:
    try:
        return store.records.get(DirectWorkActivity, activity_id)
    except NotFound:
        raise CliError(f"No direct-work session with id {activity_id} on this laptop. "
                       "`rbsw direct-work list --case ID` lists a case's sessions.") from None


def _content_file(path: str | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as exc:
        raise InvalidInput(f"The content file {path} could not be read "
                           f"({exc.strerror or 'unknown'}). Nothing was saved.") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"The content file {path} is not UTF-8 text. Nothing was "
                           "saved.") from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The content file {path} is not valid JSON ({exc.msg} on line "
                           f"{exc.lineno}). Nothing was saved.") from None
    if not isinstance(content, dict):
        raise InvalidInput(f"The content file {path} should hold one JSON object, such as "
                           '{"ecomap": {...}}. Nothing was saved.')
    return content


def _listed(activity: DirectWorkActivity) -> dict[str, Any]:
    out = {k: v for k, v in to_json(activity).items() if k != "content"}
    return {**out, "summary": activity_summary(activity)}


def cmd_direct_work_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    store.cases.get(args.case)
    sessions = store.direct_work.of_case(args.case)

    def human() -> None:
        if not sessions:
            print("No direct work with this child yet.")
        for a in sessions:
            title = f": {a.title}" if a.title else ""
            print(f"{a.id}  {a.held_on}  {activity_summary(a)}{title}")
    emit(args, [_listed(a) for a in sessions], human)
    return EXIT_OK


def cmd_direct_work_show(args: argparse.Namespace) -> int:
    activity = _activity(open_store(args), args.id)

    def human() -> None:
        print(f"{activity.held_on}  {activity_summary(activity)}"
              f"{': ' + activity.title if activity.title else ''}")
        for prompt, words in activity.parts.items():
            print(f"{prompt}: {words}")
        if activity.child_words:
            print(f"In the child's words: {activity.child_words}")
        print(json.dumps(activity.content, ensure_ascii=False, indent=1))
    emit(args, to_json(activity), human)
    return EXIT_OK


def cmd_direct_work_add(args: argparse.Namespace) -> int:
    try:
        tool = tool_of(args.tool)
    except ContentProblem as exc:
        raise InvalidInput(str(exc)) from None
    content = _content_file(args.content_file)
    store = open_store(args)
    activity = store.direct_work.add(args.case, tool, content=content)
    emit(args, to_json(activity), lambda: print(f"Added direct-work session {activity.id}"))
    return EXIT_OK


def cmd_direct_work_render(args: argparse.Namespace) -> int:
    from rbsw_desktop.app import render_direct_work
    store = open_store(args)
    activity = _activity(store, args.id)
    child = store.cases.child_of(store.cases.get(activity.case_id))
    png = render_direct_work(activity, RENDER_WIDTH, centre=child.known_as or child.name,
                             sessions=store.direct_work.same_scale(activity))
    if png is None:
        raise CliError(f"This {activity.tool.label} session has nothing drawn in it yet."
                       if activity.tool in DRAWING_TOOLS else
                       f"rbsw cannot make a picture of {activity.tool.label}: it is words only.")
    out = Path(args.out)
    part = out.with_name(out.name + ".part")      # a whole picture or none
    part.write_bytes(png)
    os.replace(part, out)
    print(out)
    return EXIT_OK


# -- the parser ---------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # plain words, exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"rbsw: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rbsw", description="rbsw-desktop's scripting commands. The "
                     f"passphrase comes from {ENV_PASSPHRASE}, else a prompt.")
    parser.add_argument("--data-dir", help="the store's folder (default: RBSW_DATA_DIR, else the "
                        "per-user data folder)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sub.add_parser("init", help="new empty encrypted store").set_defaults(fn=cmd_init)
    sub.add_parser("demo", help="new store with a pod's worth of fictional families"
                   ).set_defaults(fn=cmd_demo)
    p = sub.add_parser("cases", help="the caseload")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_cases)

    visit = sub.add_parser("visit", help="visit notes").add_subparsers(
        dest="visit_command", required=True, parser_class=_Parser)
    p = visit.add_parser("add", help="add a visit note")
    p.add_argument("--case", required=True)
    p.add_argument("--text", required=True)
    p.add_argument("--child-seen-alone", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_visit_add)

    board = sub.add_parser("board", help="the family's board").add_subparsers(
        dest="board_command", required=True, parser_class=_Parser)
    p = board.add_parser("show", help="list a case's board items")
    p.add_argument("--case", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_board_show)
    p = board.add_parser("add", help="add a board item")
    p.add_argument("--case", required=True)
    p.add_argument("--zone", required=True, choices=ZONES)
    p.add_argument("--text", required=True)
    p.add_argument("--private", action="store_true", help="professionals only, never printed "
                   "for the family")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_board_add)
    p = board.add_parser("move", help="move a board item to another zone")
    p.add_argument("item_id")
    p.add_argument("--zone", required=True, choices=ZONES)
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_board_move)

    review = sub.add_parser("review", help="reviews").add_subparsers(
        dest="review_command", required=True, parser_class=_Parser)
    p = review.add_parser("start", help="snapshot the board as a review")
    p.add_argument("--case", required=True)
    p.add_argument("--family-text", action="append", default=[], metavar="ITEM_ID=WORDS",
                   help="an item's words for the family's copy (repeat for more items)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_review_start)

    work = sub.add_parser("direct-work", help="direct work with the child").add_subparsers(
        dest="direct_work_command", required=True, parser_class=_Parser)
    p = work.add_parser("list", help="a case's direct-work sessions, newest first")
    p.add_argument("--case", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_direct_work_list)
    p = work.add_parser("show", help="one session with its content")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_direct_work_show)
    p = work.add_parser("add", help="a new session, with its content from a JSON file")
    p.add_argument("--case", required=True)
    p.add_argument("--tool", required=True, help=", ".join(t.value for t in DirectWorkTool))
    p.add_argument("--content-file", metavar="FILE.json", help='the content, e.g. '
                   '{"ecomap": {"people": [...], "links": [...]}}')
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_direct_work_add)
    p = work.add_parser("render", help="the drawing, map or chart as a PNG picture")
    p.add_argument("id")
    p.add_argument("--out", required=True, help="the PNG file to write")
    p.set_defaults(fn=cmd_direct_work_render)

    p = sub.add_parser("search", help="search visit notes, board items and direct work")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_search)

    p = sub.add_parser("export-pdf", help="the family's board summary as a PDF")
    p.add_argument("--case", required=True)
    p.add_argument("--out", required=True, help="the PDF file to write")
    p.add_argument("--review", help="a review id (default: the latest review)")
    p.add_argument("--password-env", metavar="VAR", help="protect the PDF with the password "
                   "held in this environment variable (for a copy that will be emailed)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_export_pdf)

    p = sub.add_parser("enrol", help="set this laptop up to sync, with a one-time code")
    p.add_argument("--gateway", required=True, help="the council gateway's address")
    p.add_argument("--code", required=True, help="the one-time code from business support")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_enrol)
    p = sub.add_parser("sync", help="send and receive changes now (exit 0 only when "
                       "everything is pushed and pulled)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_sync)
    p = sub.add_parser("status", help="what is waiting, in conflict or refused")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_status)
    return parser


def use_utf8_output() -> None:
    """Make stdout and stderr UTF-8 (the contract), not the locale's or the pipe's encoding."""
    for name, errors in (("stdout", "strict"), ("stderr", "backslashreplace")):
        stream = getattr(sys, name)
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                stream.flush()
                reconfigure(encoding="utf-8", errors=errors)


def main(argv: list[str] | None = None) -> int:
    use_utf8_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    if problem := not_utf8(parser, args):
        print(f"rbsw: {problem}", file=sys.stderr)
        return EXIT_REFUSED
    args.data_dir = resolve_data_dir(args.data_dir)
    with contextlib.suppress(OSError):  # logging is a help, never a reason to refuse
        setup_logging("rbsw")
    try:
        return int(args.fn(args))
    except KeyboardInterrupt:
        print("rbsw: stopped.", file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - never a traceback for the person
        print(f"rbsw: {failure_text(exc, args.command)}", file=sys.stderr)
        return EXIT_REFUSED


def failure_text(exc: BaseException, command: str) -> str:
    """The one plain sentence for a command that failed (the unexpected ones logged)."""
    if isinstance(exc, RbswError):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "stopped."
    if isinstance(exc, OSError):
        log.error("command failed: %s", type(exc).__name__)
        return (f"the computer refused a file operation ({exc.strerror or 'unknown'}). "
                "Nothing saved before this was lost.")
    log_failure(log, f"unexpected failure in {command}", exc)
    return ("something went wrong, and nothing was changed. The details are in the log; tell "
            "IT support if it happens again.")

if __name__ == "__main__":
    raise SystemExit(main())
