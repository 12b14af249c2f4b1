"""The suite's own clock (spkt/conftest.py): every test starts at SPKT_TEST_NOW, whatever the hour."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from spkt.conftest import DEFAULT_TEST_NOW, clock_start
from spkt.core import clock
from spkt.core.timeutil import today


def test_every_clock_reads_the_chosen_instant() -> None:
    at = clock_start()
    assert timezone.now() == at
    assert clock.now() == at
    assert datetime.now(UTC) == at
    assert time.time() == at.timestamp()
    assert today() == at.astimezone(timezone.get_default_timezone()).date()


def test_the_clock_stands_still_in_an_ordinary_test() -> None:
    first = timezone.now()
    time.sleep(0.01)
    assert timezone.now() == first


@pytest.mark.ticking
def test_a_ticking_test_starts_at_the_same_instant_and_moves_on() -> None:
    first = timezone.now()
    assert timedelta(0) <= first - clock_start() < timedelta(seconds=5)
    time.sleep(0.01)
    assert timezone.now() > first


def test_a_test_can_still_travel_and_comes_back() -> None:
    at = datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC)
    with time_machine.travel(at):
        assert timezone.now() == at
    assert timezone.now() == clock_start()


def test_the_instant_comes_from_spkt_test_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPKT_TEST_NOW", "2028-02-29T12:00:00+08:00")
    assert clock_start() == datetime(2028, 2, 29, 4, 0, tzinfo=UTC)
    monkeypatch.delenv("SPKT_TEST_NOW")
    assert clock_start() == datetime.fromisoformat(DEFAULT_TEST_NOW)


@pytest.mark.parametrize("raw", ["besok pagi", "2026-12-31T23:59:30"])
def test_an_instant_without_a_clear_offset_is_refused(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("SPKT_TEST_NOW", raw)
    with pytest.raises(pytest.UsageError):
        clock_start()
