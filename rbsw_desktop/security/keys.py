"""The data key: random 256 bits, wrapped (AES-256-GCM) under a key derived from the worker's
passphrase with Argon2id. The key file holds only the wrapped key and the KDF parameters.

The parameters and format are bound to the wrapped key as associated data, so a key file whose
parameters were changed never unwraps. A checksum over the file tells accidental damage apart
from a wrong passphrase, for a clearer message (it is no defence: the GCM tag is).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rbsw_desktop.errors import InvalidInput, StoreDamaged, WrongPassphrase

KEY_BYTES = 32
NONCE_BYTES = 12
MIN_SALT_BYTES = 16
CIPHER = "aes-256-gcm"
FORMAT = "rbsw-keyfile"
VERSION = 1
MIN_PASSPHRASE = 8


#: Bounds on a key file's Argon2id settings (a few times what DEFAULT_PARAMS asks, no more).
MAX_TIME_COST = 10
MAX_MEMORY_KIB = 1_048_576      # 1 GiB
MAX_PARALLELISM = 8


@dataclass(frozen=True)
class Argon2Params:
    time_cost: int = 3
    memory_kib: int = 262_144      # 256 MiB: about half a second on a 2-core laptop
    parallelism: int = 2

    def check(self) -> None:
        """Refuse parameters no real key file has (a damaged or hostile file), before any key
        is derived: near what this app writes (t=3, 256 MiB, 2 lanes), never a KDF that runs
        for minutes or takes gigabytes."""
        if not (1 <= self.time_cost <= MAX_TIME_COST
                and max(1024, 8 * self.parallelism) <= self.memory_kib <= MAX_MEMORY_KIB
                and 1 <= self.parallelism <= MAX_PARALLELISM):
            raise StoreDamaged("The key file has settings this app never writes. "
                               "It may be damaged. Ask IT support for help.")


DEFAULT_PARAMS = Argon2Params()


def derive(passphrase: str, salt: bytes, params: Argon2Params) -> bytes:
    return hash_secret_raw(passphrase.encode("utf-8"), salt, params.time_cost,
                           params.memory_kib, params.parallelism, KEY_BYTES, Type.ID)


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"Please choose a passphrase of at least {MIN_PASSPHRASE} characters. "
                           "A short sentence you will remember works well.")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode("utf-8")


def write_private(path: Path, data: bytes) -> None:
    """Write a file atomically, readable by its owner only."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


class KeyFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def create(self, passphrase: str, params: Argon2Params = DEFAULT_PARAMS) -> bytearray:
        """Make a new random data key, wrap it and write the key file. Returns the key."""
        check_new_passphrase(passphrase)
        data_key = bytearray(secrets.token_bytes(KEY_BYTES))
        self._write(passphrase, data_key, params)
        return data_key

    def change_passphrase(self, old: str, new: str) -> None:
        check_new_passphrase(new)
        data_key = self.unwrap(old)
        self._write(new, data_key, self._load()[1])

    def unwrap(self, passphrase: str) -> bytearray:
        doc, params = self._load()
        kek = derive(passphrase, _unb64(doc["kdf"]["salt"]), params)
        try:
            key = AESGCM(kek).decrypt(_unb64(doc["nonce"]), _unb64(doc["wrapped_key"]),
                                      _canonical(self._header(doc)))
        except InvalidTag:
            raise WrongPassphrase() from None
        if len(key) != KEY_BYTES:
            raise StoreDamaged("The key file is damaged. Ask IT support for help.")
        return bytearray(key)

    # -- file format --------------------------------------------------------------------------

    @staticmethod
    def _header(doc: dict[str, Any]) -> dict[str, Any]:
        return {"format": doc["format"], "version": doc["version"], "kdf": doc["kdf"],
                "cipher": doc["cipher"]}

    def _write(self, passphrase: str, data_key: bytearray, params: Argon2Params) -> None:
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        doc: dict[str, Any] = {
            "format": FORMAT, "version": VERSION, "cipher": CIPHER,
            "kdf": {"name": "argon2id", "salt": _b64(salt), **asdict(params)},
        }
        kek = derive(passphrase, salt, params)
        wrapped = AESGCM(kek).encrypt(nonce, bytes(data_key), _canonical(self._header(doc)))
        doc["nonce"] = _b64(nonce)
        doc["wrapped_key"] = _b64(wrapped)
        doc["checksum"] = hashlib.sha256(_canonical(doc)).hexdigest()
        write_private(self.path, json.dumps(doc, indent=1).encode("utf-8"))

    def _load(self) -> tuple[dict[str, Any], Argon2Params]:
        damaged = StoreDamaged(
            "The key file for this store is damaged or has been changed, so the store cannot "
            "be opened. Nothing has been changed or deleted. Ask IT support for help.")
        try:
            doc = json.loads(self.path.read_bytes())
            body = {k: v for k, v in doc.items() if k != "checksum"}
            if hashlib.sha256(_canonical(body)).hexdigest() != doc["checksum"]:
                raise damaged
            # Everything the unwrap reads is checked here, before the KDF runs: a file this
            # app never writes is damaged, never "a wrong passphrase" (nor a failed attempt).
            if doc["format"] != FORMAT or doc["version"] != VERSION or doc["cipher"] != CIPHER:
                raise damaged
            kdf = doc["kdf"]
            if kdf["name"] != "argon2id":
                raise damaged
            params = Argon2Params(int(kdf["time_cost"]), int(kdf["memory_kib"]),
                                  int(kdf["parallelism"]))
            if (len(_unb64(kdf["salt"])) < MIN_SALT_BYTES
                    or len(_unb64(doc["nonce"])) != NONCE_BYTES
                    or len(_unb64(doc["wrapped_key"])) != KEY_BYTES + 16):
                raise damaged
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError,
                OverflowError):
            raise damaged from None
        params.check()
        return doc, params
