"""One background task waiting per key is enough (ADR 0051).

A task that works off a queue table (webhook payloads of an account, web-form submissions of a
unit, book entries of a unit) takes every row committed before it starts. A flag in the cache,
shared by the app servers and the worker, says "a task is queued and has not started": while it is
set, storing another row enqueues nothing. The task clears the flag before it reads the queue
(``task_started``), so a row committed after that enqueues again. The flag expires after
QUEUED_TTL, so a lost task costs at most that long, and each queue has its sweep besides. A burst
of rows thus costs the worker a few tasks, not one per row that would each find the queue empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache, caches

log = logging.getLogger(__name__)

QUEUED_TTL = 5  # seconds


def queued_key(kind: str, pk: int) -> str:
    return f"spkt:{kind}:queued:{pk}"


def _flags_shared() -> bool:
    """Flags work where the app servers and the worker see one cache (Redis, ``SPKT_REDIS_URL``)
    or are one process (Huey's immediate mode: the tests). A process-local cache in front of a
    separate worker (``make run`` without Redis) would keep a flag the task can never clear."""
    from django.core.cache.backends.locmem import LocMemCache
    from huey.contrib.djhuey import HUEY

    return not isinstance(caches["default"], LocMemCache) or bool(HUEY.immediate)


def enqueue_once(kind: str, pk: int, task: Callable[[int], object]) -> None:
    """``task(pk)`` unless one is queued and not yet started (every time where the flags cannot be
    shared). Never raises: a row stored and not enqueued is taken by its sweep."""
    try:
        if not _flags_shared() or cache.add(queued_key(kind, pk), 1, QUEUED_TTL):
            task(pk)
    except Exception:
        log.exception("%s %s: stored, processing not enqueued", kind, pk)


def task_started(kind: str, pk: int) -> None:
    """The task for ``pk`` is running: the next row stored enqueues a task of its own."""
    try:
        cache.delete(queued_key(kind, pk))
    except Exception:  # the flag expires by itself
        log.warning("%s %s: queued flag not cleared", kind, pk, exc_info=True)
