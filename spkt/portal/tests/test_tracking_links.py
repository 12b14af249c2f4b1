"""Issue 12, item 5: every confirmation the citizen gets (web form, pre-registration, kiosk
ticket) links to the tracking page for its code, and the LP's tracking page shows the stage and
the date, in Indonesian, on each progress line."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from spkt.core import clock
from spkt.documents.lp import lp_draft_save, lp_issue, lp_review, progress_add
from spkt.documents.models import PreRegistration
from spkt.documents.tests.test_lp import content, pasal  # noqa: F401 (fixture)
from spkt.documents.tests.test_prereg import PUBLIC
from spkt.intake.services import ticket_issue

# The dates these tests read on the pages are counted from this instant, whatever instant the
# suite runs at (SPKT_TEST_NOW: the suite also runs at New Year's Eve and in another time zone).
T0 = datetime.fromisoformat("2026-12-01T10:00:00+08:00")


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _at_t0() -> Iterator[None]:
    with time_machine.travel(T0, tick=False):
        yield


def _href(page: str, marker: str) -> str:
    return re.search(rf'href="([^"]+)"[^>]*{marker}', page)[1]


def test_the_web_form_confirmation_links_to_its_tracking_page(client: Client, selatan) -> None:
    response = client.post(
        reverse("portal:web-message", args=[selatan.code]),
        {"name": "Warga", "reply_to": "081234567890", "message": "Ada motor parkir di trotoar"},
    )
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    code = re.search(r"data-code>\s*([A-Z0-9]+)\s*<", page)[1]
    assert f'href="{reverse("intake:track", args=[code])}"' in page
    assert client.get(reverse("intake:track", args=[code])).status_code == 200


def test_the_kiosk_ticket_names_its_tracking_page(client: Client, selatan) -> None:
    ticket = ticket_issue(unit=selatan)
    page = client.get(
        reverse("intake:kiosk-ticket", args=[selatan.code, ticket.tracking_code])
    ).content.decode()
    shown = re.search(r"data-track>([^<]+)<", page)[1]
    assert shown.endswith(reverse("intake:track", args=[ticket.tracking_code]))


def test_a_preregistration_is_followed_by_its_own_code(client: Client, petugas, selatan) -> None:
    page = client.post(reverse("portal:prereg", args=[selatan.code, "sktlk"]), PUBLIC)
    prereg = PreRegistration.objects.get()
    track = _href(page.content.decode(), "data-track")
    assert track == reverse("portal:prereg-track", args=[prereg.code])
    waiting = client.get(track).content.decode()
    assert 'data-state="waiting"' in waiting
    assert "Rahma" not in waiting  # nothing personal on a public page
    assert "7571" not in waiting
    # The code-entry page knows it too.
    entry = client.get(reverse("portal:track-entry"), {"kode": prereg.code.lower()})
    assert entry["Location"] == track
    # Served at the desk: the page says when, in Indonesian.
    client.force_login(petugas)
    form = client.get(reverse("documents:sktlk-new"), {"kode": prereg.code}).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "", False)}
    data.update({"papers_KTP": "on", "papers_ATM": "on", "idempotency_key": uuid.uuid4().hex})
    data["birth_date"] = str(data["birth_date"])
    assert client.post(reverse("documents:sktlk-new"), data).status_code == 302
    client.logout()
    used = client.get(track).content.decode()
    assert 'data-state="used"' in used
    assert "1 Desember 2026, 10.00 WITA" in used
    assert "SKTLK diterbitkan" in used


def test_an_expired_or_unknown_preregistration_says_so(client: Client, selatan) -> None:
    client.post(reverse("portal:prereg", args=[selatan.code, "sktlk"]), PUBLIC)
    prereg = PreRegistration.objects.get()
    PreRegistration.objects.update(expires_at=clock.now() - timedelta(days=1))
    page = client.get(reverse("portal:prereg-track", args=[prereg.code])).content.decode()
    assert 'data-state="expired"' in page
    assert client.get(reverse("portal:prereg-track", args=["ZZZZZZZZ"])).status_code == 404
    assert client.get(reverse("portal:prereg-track", args=["Z" * 40])).status_code == 404


def test_each_progress_line_shows_its_stage_and_date(
    client: Client,
    petugas,
    reskrim,
    selatan,
    pasal,  # noqa: F811
) -> None:
    draft = lp_draft_save(actor=petugas, unit=selatan, content=content(pasal))
    lp_review(actor=reskrim, draft=draft, recommendation="Pasal 476.", offences=[pasal])
    lp = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    url = reverse("portal:track", args=[lp.tracking_code])
    fresh = client.get(url).content.decode()
    assert 'data-current-stage="terbit"' in fresh
    assert "1 Desember 2026, 10.00 WITA</time> · <b>Laporan diterima</b>" in fresh
    with time_machine.travel(clock.now() + timedelta(days=7, hours=4, minutes=5)):
        progress_add(actor=reskrim, lp=lp, stage="penyelidikan", public_note="Saksi diperiksa.")
    page = client.get(url).content.decode()
    line = re.search(r'<li data-stage="penyelidikan">(.*?)</li>', page, re.S)[1]
    assert "8 Desember 2026, 14.05 WITA" in line
    assert "<b>Penyelidikan</b>" in line
    assert "Saksi diperiksa." in line
    assert 'data-current-stage="penyelidikan"><b>Penyelidikan</b>' in page
