"""Canonical JSON: the one byte representation that hashes and signatures are computed over."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.utils.functional import Promise


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            if o.tzinfo is None:
                raise ValueError("naive datetime in canonical JSON")
            # One form for one instant, whatever zone the value was made in.
            return o.astimezone(UTC).isoformat(timespec="microseconds")
        if isinstance(o, date):
            return o.isoformat()
        if isinstance(o, Decimal | UUID | Promise):
            return str(o)
        return super().default(o)


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, cls=_Encoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def normalise(value: Any) -> Any:
    """The value as it will read back from a JSON column (dates become strings, tuples lists)."""
    return json.loads(canonical_json(value))
