"""A WhatsApp contact at Polsek Kota Selatan and one of another station, shared by the desk and
API tests (their conftest files import the fixtures)."""

from __future__ import annotations

from typing import Any

import pytest

from spkt.intake.models import Contact
from spkt.intake.services import Incoming, contact_receive


def wa(body: str = "Ada motor parkir di trotoar tiga hari", **kw) -> Incoming:
    fields: dict[str, Any] = {
        "channel": "whatsapp",
        "body": body,
        "sender_name": "Warga Biawu",
        "sender_address": "+62 812-3456-7890",
        "external_thread": "6281234567890",
    }
    fields.update(kw)
    return Incoming(**fields)


@pytest.fixture
def contact(selatan) -> Contact:
    return contact_receive(unit=selatan, incoming=wa())


@pytest.fixture
def other(utara) -> Contact:
    """A contact of another station."""
    return contact_receive(
        unit=utara,
        incoming=Incoming(channel="sms", body="Tolong", sender_address="081299990000"),
    )
