"""The JSON reader for request bodies: depth measured without recursion, strict Unicode."""

from __future__ import annotations

import json

import pytest

from spkt.core import safejson


@pytest.mark.parametrize(
    ("data", "levels"),
    [
        (b"1", 0),
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'["[[[[", "]]"]', 1),  # brackets inside strings do not count
        (b'["\\"[[[", {"k\\\\": [[]]}]', 4),  # nor after escaped quotes and backslashes
        (b"[" * 100_000 + b"]" * 100_000, 100_000),
        (b"[]" * 50_000, 1),
    ],
)
def test_depth_is_counted_on_the_bytes(data, levels) -> None:
    assert safejson.depth(data) == levels


def test_json_up_to_the_limit_is_read_and_one_level_more_is_refused() -> None:
    deepest = b"[" * safejson.MAX_DEPTH + b"]" * safejson.MAX_DEPTH
    assert safejson.loads(deepest) == json.loads(deepest)
    with pytest.raises(safejson.JSONRefusedError, match="bersarang terlalu dalam"):
        safejson.loads(b"[" + deepest + b"]")


def test_a_million_open_brackets_are_refused_without_recursion() -> None:
    with pytest.raises(safejson.JSONRefusedError, match="paling banyak 32 tingkat"):
        safejson.loads(b"[" * 1_048_576)


@pytest.mark.parametrize(
    "data",
    [b'{"a": "\\ud800"}', b'{"\\udc00": 1}', b'["ok", ["\\uDBFF x"]]'],
)
def test_lone_surrogates_are_refused_or_repaired(data) -> None:
    with pytest.raises(safejson.JSONRefusedError, match="surrogate tunggal"):
        safejson.loads(data)
    repaired = json.dumps(safejson.loads(data, repair=True), ensure_ascii=False)
    assert "\ufffd" in repaired
    repaired.encode("utf-8")  # storable: no surrogate left


def test_a_surrogate_pair_is_one_character_and_a_nul_is_dropped_on_repair() -> None:
    assert safejson.loads(b'"\\ud83d\\ude91"') == "\U0001f691"
    assert safejson.loads(b'"a\\u0000b"') == "a\x00b"
    assert safejson.loads(b'"a\\u0000b"', repair=True) == "ab"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'"caf\xe9"', "UTF-8"),
        (b'"\xed\xa0\x80"', "UTF-8"),  # a surrogate encoded as bytes
        (b"[NaN]", "JSON tidak sah"),
        (b"[-Infinity]", "JSON tidak sah"),
        (b"1" * 5000, "JSON tidak sah"),  # past Python's int digit limit
        (b"", "JSON tidak sah"),
    ],
)
def test_what_is_not_json_is_refused_with_a_reason(data, message) -> None:
    with pytest.raises(safejson.JSONRefusedError, match=message):
        safejson.loads(data)


def test_a_byte_order_mark_is_ignored() -> None:
    assert safejson.loads(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}
