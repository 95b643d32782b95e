"""The IT team's policy file, and the self-test an IT team reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import pytest

from rbsw_desktop import deployment
from rbsw_desktop.deployment import load_policy


@pytest.fixture
def policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The machine-wide file IT pushes (its real place needs admin rights: moved for tests)."""
    path = tmp_path / "policy.json"
    monkeypatch.setattr(deployment, "policy_path", lambda: path)
    monkeypatch.delenv("RBSW_POLICY_FILE", raising=False)
    return path


@pytest.fixture
def user_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file any user can name with RBSW_POLICY_FILE."""
    path = tmp_path / "mine.json"
    monkeypatch.setenv("RBSW_POLICY_FILE", str(path))
    return path


def test_no_file_gives_the_defaults(policy_file: Path) -> None:
    policy = load_policy()
    assert policy.idle_lock_minutes == 5 and not policy.allow_keyring_unlock
    assert policy.gateway_url is None and policy.warnings == ()


def test_a_pushed_policy_is_read(policy_file: Path) -> None:
    policy_file.write_text(json.dumps({"gateway_url": "https://rbsw.council.example/",
                                       "idle_lock_minutes": 10, "allow_keyring_unlock": True}))
    policy = load_policy()
    assert (policy.gateway_url, policy.idle_lock_minutes, policy.allow_keyring_unlock) == \
        ("https://rbsw.council.example/", 10, True)


def test_the_user_can_only_make_it_stricter(policy_file: Path) -> None:
    policy_file.write_text(json.dumps({"idle_lock_minutes": 10}))
    policy = load_policy()
    assert policy.effective_idle_minutes(3) == 3
    assert policy.effective_idle_minutes(60) == 10
    assert policy.effective_idle_minutes(None) == 10


def test_idle_time_is_capped_at_fifteen_minutes(policy_file: Path) -> None:
    policy_file.write_text(json.dumps({"idle_lock_minutes": 120}))
    policy = load_policy()
    assert policy.idle_lock_minutes == 15 and "outside" in policy.warnings[0]


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"idle_lock_minutes": "ten"}',
                                     '{"allow_keyring_unlock": "yes"}',
                                     '{"gateway_url": "file:///etc/passwd"}'])
def test_a_damaged_policy_gives_the_safest_settings(policy_file: Path, content: str) -> None:
    policy_file.write_text(content)
    policy = load_policy()
    assert policy.idle_lock_minutes == 1 and not policy.allow_keyring_unlock
    assert "safest settings" in policy.warnings[0]


def test_a_user_file_cannot_loosen_the_machine_policy(policy_file: Path,
                                                     user_file: Path) -> None:
    policy_file.write_text(json.dumps({"gateway_url": "https://rbsw.council.example/",
                                       "idle_lock_minutes": 5, "allow_keyring_unlock": False}))
    user_file.write_text(json.dumps({"gateway_url": "https://elsewhere.example/",
                                     "idle_lock_minutes": 15, "allow_keyring_unlock": True}))
    policy = load_policy()
    assert policy.idle_lock_minutes == 5 and policy.effective_idle_minutes(None) == 5
    assert policy.allow_keyring_unlock is False
    assert policy.gateway_url == "https://rbsw.council.example/"
    said = " ".join(policy.warnings)
    assert "only make it shorter" in said and "does not allow" in said and "gateway" in said


def test_with_no_machine_file_a_user_file_still_cannot_loosen_the_defaults(
        policy_file: Path, user_file: Path) -> None:
    user_file.write_text(json.dumps({"idle_lock_minutes": 15, "allow_keyring_unlock": True}))
    policy = load_policy()
    assert (policy.idle_lock_minutes, policy.allow_keyring_unlock) == (5, False)


def test_a_user_file_can_tighten_and_leaves_the_rest_alone(policy_file: Path,
                                                           user_file: Path) -> None:
    policy_file.write_text(json.dumps({"idle_lock_minutes": 10, "allow_keyring_unlock": True}))
    user_file.write_text(json.dumps({"idle_lock_minutes": 2}))
    policy = load_policy()
    assert (policy.idle_lock_minutes, policy.allow_keyring_unlock) == (2, True)
    assert policy.warnings == ()
    user_file.write_text(json.dumps({"allow_keyring_unlock": False}))
    assert (load_policy().idle_lock_minutes, load_policy().allow_keyring_unlock) == (10, False)
    user_file.write_text("{damaged")                 # a damaged user file: the safest settings
    assert (load_policy().idle_lock_minutes, load_policy().allow_keyring_unlock) == (1, False)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG is Linux and Unix")
def test_xdg_config_dirs_cannot_move_the_machine_policy(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "xdg" / "rbsw-desktop" / "policy.json"
    fake.parent.mkdir(parents=True)
    fake.write_text(json.dumps({"idle_lock_minutes": 15, "allow_keyring_unlock": True}))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    monkeypatch.delenv("RBSW_POLICY_FILE", raising=False)
    assert deployment.policy_path() == Path("/etc/xdg/rbsw-desktop/policy.json")
    assert load_policy().source != str(fake)


PROGRAM_DATA_POLICY = PureWindowsPath(r"C:\ProgramData\rbsw-desktop\policy.json")


@pytest.fixture
def as_windows(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Windows as far as the app and platformdirs can tell, with the Known Folders API (ctypes,
    absent here) answering C:\\ProgramData, and a user who has set platformdirs' override
    variable to a folder of their own holding a looser policy."""
    import platformdirs
    from platformdirs import windows
    known = {"CSIDL_COMMON_APPDATA": r"C:\ProgramData"}
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(platformdirs, "PlatformDirs", windows.Windows)
    monkeypatch.setattr(windows, "get_win_folder_via_ctypes", known.__getitem__)
    monkeypatch.setattr(windows, "_RESOLVE_WIN_FOLDER", known.__getitem__, raising=False)
    monkeypatch.setenv("WIN_PD_OVERRIDE_COMMON_APPDATA", r"C:\Users\worker\mine")
    return known


def test_a_windows_user_variable_cannot_move_the_machine_policy(as_windows: dict) -> None:
    assert PureWindowsPath(str(deployment.policy_path())) == PROGRAM_DATA_POLICY


@pytest.mark.parametrize("api", ["older platformdirs", "the API fails"])
def test_without_platformdirs_known_folders_the_policy_still_ignores_the_variable(
        as_windows: dict, monkeypatch: pytest.MonkeyPatch, api: str) -> None:
    from platformdirs import windows
    if api == "older platformdirs":      # no get_win_folder_via_ctypes: our own ctypes call
        monkeypatch.delattr(windows, "get_win_folder_via_ctypes")
        monkeypatch.setattr(deployment, "_known_folder_program_data", lambda: r"D:\ProgramData")
        expected = PureWindowsPath(r"D:\ProgramData\rbsw-desktop\policy.json")
    else:                                # the call fails: the fixed folder, not the variable
        def broken(_name: str) -> str:
            raise OSError("no shell32")
        monkeypatch.setattr(windows, "get_win_folder_via_ctypes", broken)
        expected = PROGRAM_DATA_POLICY
    assert PureWindowsPath(str(deployment.policy_path())) == expected


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_machine_file_users_can_change_is_reported(policy_file: Path) -> None:
    policy_file.write_text(json.dumps({"idle_lock_minutes": 5}))
    policy_file.chmod(0o666)
    assert any("read-only" in w for w in load_policy().warnings)
    policy_file.chmod(0o644)
    assert load_policy().warnings == ()


def run_self_test(tmp_path: Path, policy: dict | None, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, RBSW_LOG_DIR=str(tmp_path / "logs"))
    if policy is not None:
        (tmp_path / "p.json").write_text(json.dumps(policy))
        env["RBSW_POLICY_FILE"] = str(tmp_path / "p.json")
    return subprocess.run([sys.executable, "-m", "rbsw_desktop.app", "--self-test",
                           "--offscreen", *extra], capture_output=True, text=True, env=env,
                          timeout=120)


def test_self_test_reports_each_check_plainly(tmp_path: Path) -> None:
    done = run_self_test(tmp_path, {"gateway_url": "http://127.0.0.1:9/"})
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for name in ("Qt", "SQLCipher", "Keyring", "Fonts", "Policy", "Gateway"):
        assert any(line.split()[1:2] == [name] for line in lines if line.split()), name
    assert any(line.startswith("OK       SQLCipher  4.") for line in lines)
    assert any(line.startswith("WARNING  Gateway") and "did not answer" in line
               for line in lines)
    assert lines[-1] == "Result: ready to use."


def test_self_test_json(tmp_path: Path) -> None:
    done = run_self_test(tmp_path, None, "--json")
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert {c["name"] for c in report["checks"]} >= {"Qt", "SQLCipher", "Fonts"}


def test_self_test_also_writes_its_report_to_the_log_folder(tmp_path: Path) -> None:
    done = run_self_test(tmp_path, {"gateway_url": "http://127.0.0.1:9/"})
    report = (tmp_path / "logs" / "self-test.txt").read_text(encoding="utf-8")
    assert report == done.stdout
    assert report.splitlines()[-1] == "Result: ready to use."


def test_self_test_with_no_console_still_reports_to_its_file(tmp_path: Path) -> None:
    """A Windows GUI build (console=False) has sys.stdout and sys.stderr set to None: the
    installer's self-test step must not crash and its report must land in the --report file."""
    out = tmp_path / "report" / "self-test.txt"
    code = ("import sys\n"
            "sys.stdout = None\n"
            "sys.stderr = None\n"
            "from rbsw_desktop.app import main\n"
            f"raise SystemExit(main(['--self-test', '--offscreen', '--report', {str(out)!r}]))\n")
    env = dict(os.environ, RBSW_LOG_DIR=str(tmp_path / "logs"),
               RBSW_POLICY_FILE=str(tmp_path / "none.json"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("rbsw-desktop ") and lines[-1] == "Result: ready to use."
    assert any(line.startswith("OK       SQLCipher  4.") for line in lines)
    assert not (tmp_path / "logs" / "self-test.txt").exists()   # --report replaces the default


def test_an_unwritable_report_is_said_plainly_and_the_checks_still_count(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from rbsw_desktop import selftest
    monkeypatch.setattr(selftest, "run_checks", lambda: [("SQLCipher", selftest.OK, "4.x")])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert selftest.run(["--self-test", "--report", str(blocker / "r.txt")]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == "Result: ready to use."
    assert "could not be saved" in captured.err
    monkeypatch.setattr(selftest, "run_checks", lambda: [("Qt", selftest.FAILED, "no")])
    monkeypatch.setattr(sys, "stdout", None)
    assert selftest.run(["--self-test", f"--report={tmp_path / 'r.json'}", "--json"]) == 1
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["ok"] is False


def test_a_policy_file_users_can_change_adds_no_trusted_ca(policy_file: Path) -> None:
    policy_file.write_text(json.dumps({"gateway_url": "https://rbsw.council.example/",
                                       "gateway_ca_file": "/etc/ssl/council-ca.pem"}))
    policy_file.chmod(0o644)
    assert deployment.load_policy().gateway_ca_file == "/etc/ssl/council-ca.pem"
    policy_file.chmod(0o666)
    policy = deployment.load_policy()
    assert policy.gateway_ca_file is None
    assert any("gateway_ca_file is not trusted" in w for w in policy.warnings)


def test_a_user_file_cannot_add_a_trusted_ca(policy_file: Path, user_file: Path) -> None:
    user_file.write_text(json.dumps({"gateway_ca_file": "/tmp/evil-ca.pem"}))
    policy = deployment.load_policy()
    assert policy.gateway_ca_file is None
    assert any("certificate authority" in w for w in policy.warnings)
