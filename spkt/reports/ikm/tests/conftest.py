from datetime import datetime

import pytest
import time_machine

from spkt.reports.ikm.services import invitation_create, survey_token

# These tests build fixed days (a constructed November, answers of 1 December) and count from
# this instant, whatever instant the suite runs at (SPKT_TEST_NOW): the hour- and date-dependent
# paths are the duty log's and the clock's, tested there at the awkward instants.
T0 = datetime.fromisoformat("2026-12-01T10:00:00+08:00")


@pytest.fixture(autouse=True)
def _at_t0(request: pytest.FixtureRequest):
    from spkt.conftest import _clock_must_tick

    with time_machine.travel(T0, tick=_clock_must_tick(request.node)):
        yield


@pytest.fixture
def invitation(selatan):
    return invitation_create(unit=selatan, service="sktlk")


@pytest.fixture
def survey_path(invitation) -> str:
    from django.urls import reverse

    return reverse("ikm:survey", args=[survey_token(invitation)])


def answers(*scores: int, **extra: str) -> dict[str, str]:
    """A filled form: the nine scores (all 4 unless given) and any other field."""
    scores = scores or (4,) * 9
    data = {f"u{i}": str(s) for i, s in enumerate(scores, start=1)}
    data.update(extra)
    return data
