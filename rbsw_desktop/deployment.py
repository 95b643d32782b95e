"""The deployment policy an IT team pushes to every laptop: machine-wide, read-only to the user.

    Linux    /etc/xdg/rbsw-desktop/policy.json
    Windows  C:\\ProgramData\\rbsw-desktop\\policy.json
    macOS    /Library/Application Support/rbsw-desktop/policy.json

    {"gateway_url": "https://rbsw.council.example/", "idle_lock_minutes": 5,
     "allow_keyring_unlock": false, "gateway_ca_file": "/etc/ssl/council-root-ca.pem"}

`gateway_ca_file` (optional) names a PEM file of the council's own certificate authority,
trusted for the gateway's certificate besides the OS trust store. Only the machine policy may
name one: a user-level file cannot add trust.

The machine file's place is fixed per OS: user-set variables (XDG_CONFIG_DIRS,
WIN_PD_OVERRIDE_COMMON_APPDATA, the RBSW_POLICY_FILE below) never move it. A missing file gives
the defaults; a damaged one gives the safest settings and a plain warning, never a crash. It
holds no secret.

RBSW_POLICY_FILE may name a second, user-level file (tests, an IT trial, a worker who wants it
stricter). It can only tighten the machine policy, never loosen it: the shorter idle time wins,
keyring unlock needs both to allow it, and its gateway_url counts only when the machine policy
names none. Settings it does not state are left as the machine policy has them.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

log = logging.getLogger(__name__)

ENV_POLICY_FILE = "RBSW_POLICY_FILE"     # a user-level file that can only tighten
DEFAULT_IDLE_MINUTES = 5
MAX_IDLE_MINUTES = 15                    # the most any guidance allows (DOMAIN.md)
MIN_IDLE_MINUTES = 1


@dataclass(frozen=True)
class Policy:
    gateway_url: str | None = None
    gateway_ca_file: str | None = None
    idle_lock_minutes: int = DEFAULT_IDLE_MINUTES
    allow_keyring_unlock: bool = False
    source: str = "defaults"
    warnings: tuple[str, ...] = field(default=())

    def effective_idle_minutes(self, user_minutes: float | None) -> float:
        """The user may choose a shorter idle time, never a longer one."""
        if user_minutes is None or user_minutes <= 0:
            return float(self.idle_lock_minutes)
        return float(min(user_minutes, self.idle_lock_minutes))


#: FOLDERID_ProgramData (KnownFolders.h): C:\ProgramData, set machine-wide, not per user.
_FOLDERID_PROGRAM_DATA = "{62AB5D82-FDC1-4DC3-A9DD-070D1D495D97}"
_PROGRAM_DATA_FALLBACK = "C:\\ProgramData"


def _known_folder_program_data() -> str:
    """SHGetKnownFolderPath(FOLDERID_ProgramData), for a platformdirs without the call."""
    import ctypes
    from ctypes import wintypes

    class _Guid(ctypes.Structure):
        _fields_ = [("Data1", wintypes.DWORD), ("Data2", wintypes.WORD),
                    ("Data3", wintypes.WORD), ("Data4", wintypes.BYTE * 8)]

    ole32 = ctypes.WinDLL("ole32")  # type: ignore[attr-defined]
    shell32 = ctypes.WinDLL("shell32")  # type: ignore[attr-defined]
    guid, found = _Guid(), wintypes.LPWSTR()
    ole32.CLSIDFromString(_FOLDERID_PROGRAM_DATA, ctypes.byref(guid))
    try:
        if shell32.SHGetKnownFolderPath(ctypes.byref(guid), 0, None, ctypes.byref(found)) != 0:
            raise OSError("SHGetKnownFolderPath failed")
        path = found.value
    finally:
        ole32.CoTaskMemFree(found)
    if not path:
        raise OSError("SHGetKnownFolderPath gave no folder")
    return path


def _windows_program_data() -> str:
    """C:\\ProgramData from the Known Folders API itself. Not platformdirs.site_config_dir and
    not get_win_folder: those first honour WIN_PD_OVERRIDE_COMMON_APPDATA, a variable any user
    can set. If the API fails, the fixed C:\\ProgramData, never an environment variable."""
    from platformdirs import windows
    via_platformdirs = getattr(windows, "get_win_folder_via_ctypes", None)
    try:
        folder = (via_platformdirs("CSIDL_COMMON_APPDATA") if via_platformdirs is not None
                  else _known_folder_program_data())
    except (OSError, ValueError, AttributeError, RuntimeError) as exc:
        log.warning("Known Folders API failed (%s): using C:\\ProgramData", type(exc).__name__)
        return _PROGRAM_DATA_FALLBACK
    return folder or _PROGRAM_DATA_FALLBACK


def policy_path() -> Path:
    """The machine-wide policy file: a fixed place per OS that no user setting can move."""
    if sys.platform == "darwin":
        return Path("/Library/Application Support/rbsw-desktop/policy.json")
    if sys.platform == "win32":   # C:\ProgramData, from the Known Folders API, never the env
        return Path(_windows_program_data()) / "rbsw-desktop" / "policy.json"
    # Linux and other Unix: /etc/xdg, not platformdirs, which follows a user's XDG_CONFIG_DIRS.
    return Path("/etc/xdg/rbsw-desktop/policy.json")


Settings = dict[str, Any]
_SAFEST: Settings = {"idle_lock_minutes": MIN_IDLE_MINUTES, "allow_keyring_unlock": False}


def _damaged(path: Path, why: str) -> tuple[Settings, list[str]]:
    message = (f"The IT policy file {path} could not be used ({why}), so the safest settings "
               "apply: lock after 1 minute, no keyring unlock. Tell IT support.")
    log.warning("policy file unusable: %s", why)
    return dict(_SAFEST), [message]


def is_loopback(host: str) -> bool:
    """This computer's own address (plain http is only ever allowed to it)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_policy_file(path: Path) -> tuple[Settings, list[str]] | None:
    """The settings a file states (only those it states), checked, with any warnings; None when
    there is no file. A damaged file states the safest settings."""
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return _damaged(path, type(exc).__name__)
    if not isinstance(doc, dict):
        return _damaged(path, "not a JSON object")
    settings: Settings = {}
    warnings: list[str] = []
    url = doc.get("gateway_url")
    if url is not None:
        parsed = urlparse(str(url))
        if parsed.scheme not in ("https", "http") or not parsed.netloc:
            return _damaged(path, "gateway_url is not a web address")
        if parsed.scheme == "http" and not is_loopback(parsed.hostname or ""):
            warnings.append("The gateway address does not use https; ask IT support to fix it.")
        settings["gateway_url"] = str(url)
    ca_file = doc.get("gateway_ca_file")
    if ca_file is not None:
        if not isinstance(ca_file, str) or not ca_file.strip():
            return _damaged(path, "gateway_ca_file is not a file name")
        settings["gateway_ca_file"] = ca_file
    if "idle_lock_minutes" in doc:
        minutes = doc["idle_lock_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int | float):
            return _damaged(path, "idle_lock_minutes is not a number")
        if not MIN_IDLE_MINUTES <= minutes <= MAX_IDLE_MINUTES:
            warnings.append(f"idle_lock_minutes {minutes} is outside {MIN_IDLE_MINUTES}-"
                            f"{MAX_IDLE_MINUTES}; using {MAX_IDLE_MINUTES if minutes > 1 else 1}.")
            minutes = min(max(minutes, MIN_IDLE_MINUTES), MAX_IDLE_MINUTES)
        settings["idle_lock_minutes"] = int(minutes)
    if "allow_keyring_unlock" in doc:
        if not isinstance(doc["allow_keyring_unlock"], bool):
            return _damaged(path, "allow_keyring_unlock is not true or false")
        settings["allow_keyring_unlock"] = doc["allow_keyring_unlock"]
    return settings, warnings


def _writable_by_others(path: Path) -> bool:
    if sys.platform == "win32":   # the installer makes the folder read-only to users
        return False
    try:
        return bool(path.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH))
    except OSError:
        return False


def tighten(policy: Policy, settings: Settings, warnings: list[str], source: str) -> Policy:
    """`policy` with a user-level file's settings applied where they are stricter only."""
    notes = list(policy.warnings) + warnings
    minutes = settings.get("idle_lock_minutes", policy.idle_lock_minutes)
    if minutes > policy.idle_lock_minutes:
        notes.append(f"{source} asks to lock after {minutes} minutes, but IT's policy says "
                     f"{policy.idle_lock_minutes}: a user's file can only make it shorter.")
    allow = settings.get("allow_keyring_unlock", policy.allow_keyring_unlock)
    if allow and not policy.allow_keyring_unlock:
        notes.append(f"{source} asks for keyring unlock, which IT's policy does not allow.")
    url = policy.gateway_url or settings.get("gateway_url")
    if policy.gateway_url and settings.get("gateway_url", url) != url:
        notes.append(f"{source} names another gateway; IT's policy's gateway is used.")
    if settings.get("gateway_ca_file", policy.gateway_ca_file) != policy.gateway_ca_file:
        notes.append(f"{source} names a certificate authority; only IT's policy can add one.")
    return Policy(gateway_url=url, gateway_ca_file=policy.gateway_ca_file,
                  idle_lock_minutes=min(minutes, policy.idle_lock_minutes),
                  allow_keyring_unlock=bool(allow and policy.allow_keyring_unlock),
                  source=f"{policy.source}, tightened by {source}", warnings=tuple(notes))


def load_policy() -> Policy:
    path = policy_path()
    policy = Policy()
    machine = read_policy_file(path)
    if machine is not None:
        settings, warnings = machine
        if _writable_by_others(path):
            warnings.append(f"Users can change the IT policy file {path}; IT support should "
                            "make it read-only to them. Until then its gateway_ca_file is "
                            "not trusted.")
            settings.pop("gateway_ca_file", None)      # nobody but IT may add trust
        policy = Policy(gateway_url=settings.get("gateway_url"),
                        gateway_ca_file=settings.get("gateway_ca_file"),
                        idle_lock_minutes=settings.get("idle_lock_minutes", DEFAULT_IDLE_MINUTES),
                        allow_keyring_unlock=settings.get("allow_keyring_unlock", False),
                        source=str(path), warnings=tuple(warnings))
    override = os.environ.get(ENV_POLICY_FILE)
    if override:
        user = read_policy_file(Path(override))
        if user is not None:
            policy = tighten(policy, *user, source=override)
    return policy
