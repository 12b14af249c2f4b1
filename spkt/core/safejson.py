"""JSON from the outside world: the REST API's parser and every webhook read request bodies here.

``json.loads`` recurses once per nesting level, so a body of a few thousand ``[`` raises
RecursionError (a 500). The depth is measured first, on the raw bytes and without recursion;
the text must be strict UTF-8 (RFC 8259); NaN and Infinity are not JSON. Lone UTF-16 surrogates
(``"\\ud800"``) are valid JSON syntax but no database stores them: the caller chooses whether they
are refused or replaced with U+FFFD (docs/channels.md, section 2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from django.utils.translation import gettext as _

MAX_DEPTH = 32

# A JSON string, escapes included; possessive, so a long string cannot make the regex backtrack.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [1 if b in b"[{" else -1 for b in range(256)]
# \uD800-\uDFFF escapes: only then can a decoded string hold a surrogate (raw UTF-8 cannot).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONRefusedError(ValueError):
    """The body is not JSON we accept; the message says why, for the sender."""


def depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in ``data``, counted without parsing it.
    Brackets inside strings do not count; invalid JSON may count high, which only refuses it
    sooner."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _walk(value: Any, fix: Callable[[str], str]) -> Any:
    # Recursion is bounded: the depth was checked before parsing.
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, list):
        return [_walk(v, fix) for v in value]
    if isinstance(value, dict):
        return {fix(k): _walk(v, fix) for k, v in value.items()}
    return value


def _refuse_surrogates(text: str) -> str:
    if _SURROGATE.search(text):
        raise JSONRefusedError(
            _("Teks berisi karakter Unicode yang tidak sah (surrogate tunggal).")
        )
    return text


def repair_text(text: str) -> str:
    """Lone surrogates become U+FFFD and NUL characters (which PostgreSQL refuses) are dropped."""
    return _SURROGATE.sub("\ufffd", text).replace("\x00", "")


def loads(data: bytes, *, repair: bool = False, max_depth: int = MAX_DEPTH) -> Any:
    """Decode a request body. JSONRefusedError (a ValueError) when it is not UTF-8, not JSON,
    nested deeper than ``max_depth``, or (unless ``repair``) holds a lone surrogate. With
    ``repair`` every string goes through ``repair_text``: a citizen's message whose text was cut
    in the middle of an emoji is kept, with a replacement character where the half was."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise JSONRefusedError(_("Data bukan teks UTF-8 yang sah.")) from None
    if depth(data) > max_depth:
        raise JSONRefusedError(
            _("JSON bersarang terlalu dalam (paling banyak %(limit)d tingkat).")
            % {"limit": max_depth}
        )
    try:
        value = json.loads(text.removeprefix("\ufeff"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # RecursionError: a limit above the stack's
        raise JSONRefusedError(_("JSON tidak sah: %(error)s") % {"error": exc}) from None
    if not _SURROGATE_ESCAPE.search(data) and b"\\u0000" not in data:
        return value  # nothing to repair or refuse: the common case
    return _walk(value, repair_text if repair else _refuse_surrogates)
