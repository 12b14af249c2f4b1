"""One task waiting per key, where the flag can be shared (core.queueing)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from huey.contrib.djhuey import HUEY

from spkt.core import queueing


def test_while_a_task_waits_nothing_more_is_enqueued_until_it_starts() -> None:
    calls: list[int] = []
    for _ in range(3):
        queueing.enqueue_once("probe", 7, calls.append)
    queueing.enqueue_once("probe", 8, calls.append)  # another key has its own flag
    assert calls == [7, 8]
    queueing.task_started("probe", 7)
    queueing.enqueue_once("probe", 7, calls.append)
    assert calls == [7, 8, 7]


def test_a_process_local_cache_before_a_separate_worker_enqueues_every_time(monkeypatch) -> None:
    """``make run`` without Redis: the worker could never clear a flag set in the web process."""
    monkeypatch.setattr(HUEY, "immediate", False)
    calls: list[int] = []
    for _ in range(3):
        queueing.enqueue_once("probe", 7, calls.append)
    assert calls == [7, 7, 7]
    assert cache.get(queueing.queued_key("probe", 7)) is None


def test_a_failing_enqueue_is_logged_never_raised(caplog) -> None:
    def broken(pk: int) -> None:
        raise ConnectionError("redis down")

    queueing.enqueue_once("probe", 9, broken)
    assert "stored, processing not enqueued" in caplog.text


@pytest.fixture(autouse=True)
def _immediate() -> None:
    assert HUEY.immediate, "the tests run Huey in immediate mode"
