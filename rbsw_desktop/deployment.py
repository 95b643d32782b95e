"""The deployment policy an IT team pushes to every laptop: machine-wide, read-only to the user.

    Linux    /etc/xdg/rbsw-desktop/policy.json
    Windows  C:\\ProgramData\\rbsw-desktop\\policy.json
    macOS    /Library/Application Support/rbsw-desktop/policy.json

    {"gateway_url": "https://rbsw.council.example/", "idle_lock_minutes": 5,
     "allow_keyring_unlock": false}

A user's own settings can only make things stricter. A missing file gives the defaults; a
damaged one gives the safest settings and a plain warning, never a crash. It holds no secret.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import platformdirs

log = logging.getLogger(__name__)

ENV_POLICY_FILE = "RBSW_POLICY_FILE"     # tests and IT trials only
DEFAULT_IDLE_MINUTES = 5
MAX_IDLE_MINUTES = 15                    # the most any guidance allows (DOMAIN.md)
MIN_IDLE_MINUTES = 1


@dataclass(frozen=True)
class Policy:
    gateway_url: str | None = None
    idle_lock_minutes: int = DEFAULT_IDLE_MINUTES
    allow_keyring_unlock: bool = False
    source: str = "defaults"
    warnings: tuple[str, ...] = field(default=())

    def effective_idle_minutes(self, user_minutes: float | None) -> float:
        """The user may choose a shorter idle time, never a longer one."""
        if user_minutes is None or user_minutes <= 0:
            return float(self.idle_lock_minutes)
        return float(min(user_minutes, self.idle_lock_minutes))


def policy_path() -> Path:
    override = os.environ.get(ENV_POLICY_FILE)
    if override:
        return Path(override)
    return Path(platformdirs.site_config_dir("rbsw-desktop", appauthor=False)) / "policy.json"


def _damaged(path: Path, why: str) -> Policy:
    message = (f"The IT policy file {path} could not be used ({why}), so the safest settings "
               "apply: lock after 1 minute, no keyring unlock. Tell IT support.")
    log.warning("policy file unusable: %s", why)
    return Policy(idle_lock_minutes=MIN_IDLE_MINUTES, allow_keyring_unlock=False,
                  source=str(path), warnings=(message,))


def load_policy() -> Policy:
    path = policy_path()
    if not path.exists():
        return Policy()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return _damaged(path, type(exc).__name__)
    if not isinstance(doc, dict):
        return _damaged(path, "not a JSON object")
    warnings: list[str] = []
    url = doc.get("gateway_url")
    if url is not None:
        parsed = urlparse(str(url))
        if parsed.scheme not in ("https", "http") or not parsed.netloc:
            return _damaged(path, "gateway_url is not a web address")
        if parsed.scheme == "http" and parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
            warnings.append("The gateway address does not use https; ask IT support to fix it.")
    minutes = doc.get("idle_lock_minutes", DEFAULT_IDLE_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        return _damaged(path, "idle_lock_minutes is not a number")
    if not MIN_IDLE_MINUTES <= minutes <= MAX_IDLE_MINUTES:
        warnings.append(f"idle_lock_minutes {minutes} is outside {MIN_IDLE_MINUTES}-"
                        f"{MAX_IDLE_MINUTES}; using {MAX_IDLE_MINUTES if minutes > 1 else 1}.")
        minutes = min(max(minutes, MIN_IDLE_MINUTES), MAX_IDLE_MINUTES)
    allow = doc.get("allow_keyring_unlock", False)
    if not isinstance(allow, bool):
        return _damaged(path, "allow_keyring_unlock is not true or false")
    return Policy(gateway_url=str(url) if url else None, idle_lock_minutes=int(minutes),
                  allow_keyring_unlock=allow, source=str(path), warnings=tuple(warnings))
