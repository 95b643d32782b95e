"""AES-256 password protection for the family summary PDF (PDF 2.0 standard security handler,
revision 6: /V 5 /R 6, crypt filter AESV3), done with `cryptography`.

reportlab's own encryption is RC4 (strength 40/128: broken) or an "AES-256" (strength 256,
revision 5) that needs `pyaes` and writes wrong-length /UE, /OE, /Perms and doubly padded
streams, which readers refuse. This class plugs into reportlab's document writer in its place:
reportlab calls `prepare`, `register`, `encode` and `info`, exactly as for its own class.

The password is turned into keys with the revision 6 hash (ISO 32000-2, algorithm 2.B: SHA-2
rounds with AES, far slower to guess than revision 5's single SHA-256). Every string and stream
is AES-256-CBC with a random IV under one random 256-bit file key.
"""

from __future__ import annotations

import hashlib
import secrets

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase.pdfdoc import DummyDoc, PDFDictionary, PDFName, PDFObject

REVISION = 6


def _aes_cbc_raw(key: bytes, iv: bytes, data: bytes) -> bytes:
    """AES-CBC without padding (the data is already a multiple of 16 bytes)."""
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def _password_bytes(password: str) -> bytes:
    # ISO 32000-2: the UTF-8 of the (SASLprep-ed) password, at most 127 bytes.
    return password.encode("utf-8")[:127]


def hash_r6(password: bytes, salt: bytes, udata: bytes = b"") -> bytes:
    """ISO 32000-2 algorithm 2.B."""
    k = hashlib.sha256(password + salt + udata).digest()
    rounds = 0
    while True:
        k1 = (password + k + udata) * 64
        e = _aes_cbc_raw(k[:16], k[16:32], k1)
        k = (hashlib.sha256, hashlib.sha384, hashlib.sha512)[int.from_bytes(e[:16], "big") % 3](
            e).digest()
        rounds += 1
        if rounds >= 64 and e[-1] <= rounds - 32:
            return k[:32]


class Aes256Encryption(StandardEncryption):
    """A drop-in for reportlab's StandardEncryption that writes AES-256 (revision 6)."""

    prepared: int       # StandardEncryption's flag: 1 once `prepare` has run

    def __init__(self, user_password: str, owner_password: str, *, can_print: bool = True,
                 can_modify: bool = False, can_copy: bool = True,
                 can_annotate: bool = False) -> None:
        super().__init__(user_password, owner_password, canPrint=int(can_print),
                         canModify=int(can_modify), canCopy=int(can_copy),
                         canAnnotate=int(can_annotate), strength=128)
        self.revision = REVISION

    def prepare(self, document, overrideID=None) -> None:  # noqa: ANN001, N803 - reportlab's API
        if self.prepared:
            raise ValueError("encryption already prepared!")
        document.ID()   # reportlab writes the file identifier in the trailer
        self.P = int(self.permissionBits() - 2**31)
        self.key = secrets.token_bytes(32)
        user, owner = _password_bytes(self.userPassword), _password_bytes(self.ownerPassword)
        zero_iv = bytes(16)
        uvs, uks = secrets.token_bytes(8), secrets.token_bytes(8)
        self.U = hash_r6(user, uvs) + uvs + uks
        self.UE = _aes_cbc_raw(hash_r6(user, uks), zero_iv, self.key)
        ovs, oks = secrets.token_bytes(8), secrets.token_bytes(8)
        self.O = hash_r6(owner, ovs, self.U) + ovs + oks
        self.OE = _aes_cbc_raw(hash_r6(owner, oks, self.U), zero_iv, self.key)
        perms = ((self.P & 0xFFFFFFFF).to_bytes(4, "little") + b"\xff\xff\xff\xff" + b"Tadb"
                 + secrets.token_bytes(4))
        enc = Cipher(algorithms.AES(self.key), modes.ECB()).encryptor()  # noqa: S305 - the spec's
        self.Perms = enc.update(perms) + enc.finalize()
        self.objnum = self.version = None
        self.prepared = 1

    def encode(self, t: bytes | str) -> bytes:
        if not self.prepared:
            raise ValueError("encryption not prepared!")
        data = t.encode("utf-8") if isinstance(t, str) else bytes(t)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(data) + padder.finalize()
        iv = secrets.token_bytes(16)
        return iv + _aes_cbc_raw(self.key, iv, padded)

    def info(self) -> _EncryptDictionary:
        if not self.prepared:
            raise ValueError("encryption not prepared!")
        return _EncryptDictionary(self)


class _EncryptDictionary(PDFObject):
    __RefOnly__ = 1

    def __init__(self, enc: Aes256Encryption) -> None:
        self.enc = enc

    def format(self, document) -> bytes:  # noqa: ANN001 - reportlab's API
        from reportlab.lib.pdfencrypt import hexText

        e = self.enc
        std_cf = PDFDictionary({"CFM": PDFName("AESV3"), "AuthEvent": PDFName("DocOpen"),
                                "Length": 32})
        fields = {"Filter": PDFName("Standard"), "V": 5, "R": REVISION, "Length": 256,
                  "CF": PDFDictionary({"StdCF": std_cf}), "StmF": PDFName("StdCF"),
                  "StrF": PDFName("StdCF"), "O": hexText(e.O), "U": hexText(e.U),
                  "OE": hexText(e.OE), "UE": hexText(e.UE), "Perms": hexText(e.Perms),
                  "P": e.P}
        # Formatted against a dummy document: the encryption dictionary is never encrypted.
        return PDFDictionary(fields).format(DummyDoc())
