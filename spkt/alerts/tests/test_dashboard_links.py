"""Every alert on the dashboard is a link to its contact, task or report, for every role that has
one; the Ka SPKT and the Kapolsek (for whom the clocks raise them) open each link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from spkt.core import clock
from spkt.dutylog.tests.conftest import squads  # noqa: F401 (fixture)
from spkt.fieldhelp.defaults import task_types_ensure
from spkt.fieldhelp.models import Source, TaskAlert, TaskType
from spkt.fieldhelp.services import task_create
from spkt.intake.models import Notification
from spkt.intake.services import Incoming, contact_receive
from spkt.reports.models import ReportAlert
from spkt.reports.services import report_submit
from spkt.reports.tests.conftest import lived_day  # noqa: F401 (fixture)

ALERT_ITEM = re.compile(
    r'<li class="\w+" data-(?:alert|field-alert|report-alert)="[^"]*">(.*?)</li>'
)
LINK = re.compile(r'<a href="([^"]+)">')


@pytest.fixture
def alerted(lived_day, selatan, ka_spkt, kapolsek, petugas, reskrim, penilai):  # noqa: F811
    """One alert of each kind for every persona of the station."""
    contact = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="Tolong", sender_address="0812")
    )
    task_types_ensure()
    task = task_create(
        actor=ka_spkt,
        unit=selatan,
        task_type=TaskType.objects.get(unit=None, code="tptkp"),
        source=Source.PHONE,
        address="Jl. Nani Wartabone 5",
        known="Perkelahian",
        requested_by="Warga",
    )
    with clock.travel(lived_day.sealed_at + timedelta(minutes=4)):
        report = report_submit(actor=ka_spkt, unit=selatan, day=lived_day.day, situation="")
    now = clock.now()
    users = [ka_spkt, kapolsek, petugas, reskrim, penilai]
    for user in users:
        for kind in ("breach", "escalation"):
            Notification.objects.create(user=user, contact=contact, kind=kind, created_at=now)
        for kind in ("report_overdue", "report_escalation"):
            TaskAlert.objects.create(user=user, task=task, kind=kind, due_at=now, created_at=now)
        ReportAlert.objects.get_or_create(user=user, report=report, defaults={"created_at": now})
    return {
        "contact": reverse("intake:detail", args=[contact.pk]),
        "task": reverse("fieldhelp:detail", args=[task.pk]),
        "report": reverse("reports:detail", args=[report.pk]),
    }


@pytest.mark.parametrize("persona", ["ka_spkt", "kapolsek", "petugas", "reskrim", "penilai"])
def test_every_alert_on_the_dashboard_is_a_link_to_its_record(
    client: Client, alerted, persona, request
) -> None:
    user = request.getfixturevalue(persona)
    client.force_login(user)
    page = client.get(reverse("dashboard")).content.decode()
    items = ALERT_ITEM.findall(page)
    assert len(items) == 5
    hrefs = [LINK.search(item).group(1) for item in items]
    assert sorted(hrefs) == sorted(
        [alerted["contact"]] * 2 + [alerted["task"]] * 2 + [alerted["report"]]
    )
    if persona in ("ka_spkt", "kapolsek"):
        for href in set(hrefs):
            assert client.get(href).status_code == 200, href
