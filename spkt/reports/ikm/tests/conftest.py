import pytest

from spkt.reports.ikm.services import invitation_create, survey_token


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
