"""A record too big for one request, as the blob of its fields: the same bytes at both ends, and
each way a blob can be wrong refused in words (`protocol.big_records`)."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest

from rbsw_desktop.protocol import big_records

#: A review's snapshot of a big board: a list longer than one slice, words in any script.
FIELDS = {"case_id": "c-1", "title": "Zoë's review ✓",
          "snapshot": [{"board_item_id": f"b{i}", "text": f"Worry {i} — “quoted”", "n": i}
                       for i in range(2_345)],
          "short": [1, 2, {"k": None}], "empty": [], "nested": {"a": {"b": [True, 1.5]}},
          "note": "A long visit note. " * 100, "rev": 3}

def zipped(text: bytes) -> bytes:
    return gzip.compress(text, mtime=0)

def test_a_blob_is_compact_utf8_json_gzipd_the_same_way_every_time() -> None:
    """The laptop and the gateway both pack; the blob's name is its SHA-256, so the same fields
    must make the same bytes, and they unzip to the one compact JSON text."""
    data = big_records.pack(FIELDS)
    assert data == big_records.pack(json.loads(json.dumps(FIELDS)))
    assert data[:4] == b"\x1f\x8b\x08\x00" and data[4:8] == b"\0\0\0\0"    # no name, no time
    assert gzip.decompress(data).decode("utf-8") == json.dumps(
        FIELDS, ensure_ascii=False, separators=(",", ":"))
    assert big_records.unpack(data) == FIELDS
    assert big_records.unpack(big_records.pack({})) == {}
    at_slice = {"items": list(range(1_000)), "more": list(range(1_001))}
    assert gzip.decompress(big_records.pack(at_slice)) == json.dumps(
        at_slice, separators=(",", ":")).encode()
    # The same deflate stream at level 5 however the JSON was cut up to write it.
    text = json.dumps(FIELDS, ensure_ascii=False, separators=(",", ":")).encode()
    assert data[10:] == gzip.compress(text, compresslevel=5, mtime=0)[10:]
    assert data[10:] != gzip.compress(text, compresslevel=6, mtime=0)[10:]

@pytest.mark.parametrize(("data", "words"), [
    (b"not gzip at all", "its contents are damaged (not gzip'd JSON)"),
    (zipped(b"{\"a\": "), "its contents are damaged (not gzip'd JSON)"),
    (zipped(b"{\"a\": \"\xff\"}"), "its contents are damaged (not gzip'd JSON)"),
    (zlib.compress(b"{\"a\": 1}"), "its contents are damaged (not gzip'd JSON)"),
    (zipped(b"[1, 2]"), "its contents are not a record's fields"),
    (zipped(b"\"text\""), "its contents are not a record's fields"),
    (zipped(b"{\"a\": 1}")[:-12], "its contents are cut short"),
])
def test_a_blob_that_is_not_a_records_fields_is_refused_in_words(data: bytes,
                                                                 words: str) -> None:
    with pytest.raises(ValueError) as err:
        big_records.unpack(data)
    assert str(err.value) == words

def test_a_blob_that_unzips_past_the_limit_is_refused_whatever_it_claims(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """At most MAX_RECORD_BYTES of JSON once unzipped (128 MiB; 2 MiB here, to be quick): at the
    limit is kept, a byte more is refused before more is unzipped."""
    limit = 2 * 2**20
    monkeypatch.setattr(big_records, "MAX_RECORD_BYTES", limit)
    at_limit = b'{"a":"' + b"x" * (limit - 8) + b'"}'
    assert len(at_limit) == limit
    assert big_records.unpack(zipped(at_limit)) == {"a": "x" * (limit - 8)}
    for over in (b'{"a":"' + b"x" * (limit - 7) + b'"}', b'{"a":"' + b"x" * 3 * limit + b'"}'):
        with pytest.raises(ValueError) as err:
            big_records.unpack(zipped(over))
        assert str(err.value) == "it is too big to keep (over 2 MiB)"
