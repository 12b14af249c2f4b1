"""The one source of "now" for services, so demo data and tests can place events in time.

``travel`` shifts the clock for the current thread only; nothing reachable from a request calls it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_state = threading.local()


def now() -> datetime:
    fixed = getattr(_state, "at", None)
    return fixed if fixed is not None else timezone.now()


@contextmanager
def travel(at: datetime) -> Iterator[None]:
    previous = getattr(_state, "at", None)
    _state.at = at
    try:
        yield
    finally:
        _state.at = previous
