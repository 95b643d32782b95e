"""`rbsw-desktop --self-test [--offscreen] [--json] [--report FILE]`: can this laptop run the app?

Checks Qt, SQLCipher (with FTS5), the keyring, the bundled fonts and the policy's gateway, and
prints one line per check (OK / WARNING / FAILED and why) for an IT team. Exit 0 when nothing
FAILED. The same report is always written to a file too: FILE, else `self-test.txt` in the
per-user log folder (`RBSW_LOG_DIR` if set). A Windows GUI build has no console (sys.stdout is
None), so the file is where its report lands. Otherwise it writes nothing but a temporary
encrypted database, deleted at once.

Qt is imported only inside `check_qt`: the rest runs, and is tested, without Qt.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import cast

OK, WARNING, FAILED = "OK", "WARNING", "FAILED"
Check = tuple[str, str, str]   # name, outcome, detail


def check_qt() -> Check:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication, QLabel
    app = cast(QApplication, QApplication.instance() or QApplication(["rbsw-desktop-self-test"]))
    label = QLabel("self-test")
    label.resize(120, 40)
    if label.grab().isNull():
        return ("Qt", FAILED, "could not draw a widget")
    return ("Qt", OK, f"PySide6 {pyside_version}, platform {app.platformName()}")


def check_sqlcipher() -> Check:
    import sqlcipher3
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlcipher3.connect(str(Path(tmp) / "t.db"))
        conn.execute(f"PRAGMA key = \"x'{secrets.token_hex(32)}'\"")
        version = conn.execute("PRAGMA cipher_version").fetchone()
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        conn.execute("INSERT INTO t VALUES ('self test')")
        hit = conn.execute("SELECT count(*) FROM t WHERE t MATCH 'self'").fetchone()[0]
        conn.commit()
        conn.close()
        header = (Path(tmp) / "t.db").read_bytes()[:16]
    if not version or not str(version[0]).startswith("4."):
        return ("SQLCipher", FAILED, "SQLCipher 4 is not available")
    if header.startswith(b"SQLite format 3") or hit != 1:
        return ("SQLCipher", FAILED, "the database was not encrypted or FTS5 failed")
    return ("SQLCipher", OK, f"{version[0]} with FTS5, encrypted on disk")


def check_keyring() -> Check:
    from rbsw_desktop.security import keyring_access
    if keyring_access.available():
        import keyring
        return ("Keyring", OK, type(keyring.get_keyring()).__name__)
    return ("Keyring", WARNING, "no keyring backend: workers unlock with their passphrase and "
            "the device cannot keep gateway credentials")


def check_fonts() -> Check:
    from reportlab.pdfbase.ttfonts import TTFont

    from rbsw_desktop.resources import font_path
    names = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "Symbola.ttf")
    for name in names:
        path = font_path(name)
        if not path.exists():
            return ("Fonts", FAILED, f"{name} is missing from {path.parent}")
        TTFont(name, str(path))
    return ("Fonts", OK, ", ".join(names))


def check_policy_and_gateway() -> list[Check]:
    from rbsw_desktop.deployment import load_policy
    policy = load_policy()
    out: list[Check] = [("Policy", WARNING if policy.warnings else OK,
                         "; ".join(policy.warnings) or
                         f"{policy.source}: lock after {policy.idle_lock_minutes} min, keyring "
                         f"unlock {'allowed' if policy.allow_keyring_unlock else 'not allowed'}")]
    if not policy.gateway_url:
        out.append(("Gateway", WARNING, "no gateway_url in the policy: sync is off"))
        return out
    url = policy.gateway_url.rstrip("/") + "/api/v1/openapi.json"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - policy's URL
            out.append(("Gateway", OK, f"{policy.gateway_url} answered ({answer.status})"))
    except OSError as exc:
        out.append(("Gateway", WARNING, f"{policy.gateway_url} did not answer now "
                    f"({type(exc).__name__}); sync will start when it does"))
    return out


def run_checks() -> list[Check]:
    results: list[Check] = []
    checks: list[Callable[[], Check | list[Check]]] = [
        check_qt, check_sqlcipher, check_keyring, check_fonts, check_policy_and_gateway]
    for check in checks:
        name = check.__name__.removeprefix("check_")
        try:
            outcome = check()
        except Exception as exc:  # noqa: BLE001 - a failed check is a line, not a crash
            outcome = (name, FAILED, f"{type(exc).__name__}: {exc}")
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    return results


REPORT_NAME = "self-test.txt"


def report_path(argv: list[str]) -> Path:
    """`--report FILE` (or `--report=FILE`), else self-test.txt in the per-user log folder."""
    for i, arg in enumerate(argv):
        if arg == "--report" and i + 1 < len(argv):
            return Path(argv[i + 1]).expanduser()
        if arg.startswith("--report="):
            return Path(arg.removeprefix("--report=")).expanduser()
    from rbsw_desktop.logs import log_dir
    return log_dir() / REPORT_NAME


def format_report(results: list[Check], *, as_json: bool) -> str:
    failed = any(outcome == FAILED for _, outcome, _ in results)
    if as_json:
        return json.dumps({"ok": not failed, "checks": [
            {"name": n, "outcome": o, "detail": d} for n, o, d in results]}, indent=1) + "\n"
    from rbsw_desktop import __version__
    lines = [f"rbsw-desktop {__version__} self-test"]
    lines += [f"{outcome:<8} {name:<10} {detail}" for name, outcome, detail in results]
    lines.append("Result: " + ("FAILED: see the lines above." if failed else "ready to use."))
    return "\n".join(lines) + "\n"


def _write_report(path: Path, text: str) -> str | None:
    """Write the report file; returns a plain-words problem, or None."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        return (f"The self-test report could not be saved to {path} "
                f"({exc.strerror or type(exc).__name__}).")
    return None


def _say(text: str, stream: object) -> None:
    """Print when there is somewhere to print: a Windows GUI build has no console at all."""
    if stream is None:
        return
    for attempt in (text, text.encode("ascii", "replace").decode("ascii")):
        try:
            stream.write(attempt)  # type: ignore[attr-defined]
            stream.flush()  # type: ignore[attr-defined]
            return
        except UnicodeEncodeError:   # a console that cannot show some character: say it plainly
            continue
        except (OSError, ValueError, AttributeError):   # closed or broken: the file has it
            return


def run(argv: list[str]) -> int:
    if "--offscreen" in argv:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    results = run_checks()
    failed = any(outcome == FAILED for _, outcome, _ in results)
    text = format_report(results, as_json="--json" in argv)
    path = report_path(argv)
    _say(text, sys.stdout)
    problem = _write_report(path, text)
    if problem:
        _say(problem + "\n", sys.stderr)
    return 1 if failed else 0
