"""A missed hourly situation report reaches the phone of the Ka SPKT on duty, then the
Kapolsek's, each with the link to the task."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from spkt.core import clock
from spkt.dutylog.services import shift_current
from spkt.fieldhelp.clock import report_sweep
from spkt.fieldhelp.services import task_dispatch
from spkt.fieldhelp.tests.conftest import (  # noqa: F401 (fixtures)
    T0,
    _at_t0,
    on_duty,
    open_shift,
    squads,
    task,
    tptkp,
)
from spkt.org.models import User


def test_a_missed_field_report_reaches_the_ka_spkt_on_duty_then_the_kapolsek(
    task,  # noqa: F811
    on_duty,  # noqa: F811
    selatan,
    ka_spkt,
    kapolsek,
    phone,
    push_service,
    django_capture_on_commit_callbacks,
) -> None:
    head = User.objects.get(personnel=shift_current(unit=selatan).ka_spkt)
    desk, _ = phone(head, "kepala")
    chief, _ = phone(kapolsek, "kapolsek")
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    late = T0 + timedelta(minutes=61)
    with clock.travel(late), django_capture_on_commit_callbacks(execute=True):
        assert report_sweep(now=late) == (1, 0)
    [message] = push_service.messages(desk)
    assert message == {
        "title": "Laporan situasi terlambat",
        "body": "TPTKP di Jl. Nani Wartabone 5",
        "url": reverse("fieldhelp:detail", args=[task.pk]),
        "tag": f"task-{task.pk}",
    }
    assert push_service.messages(chief) == []
    later = late + timedelta(minutes=60)
    with clock.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert report_sweep(now=later) == (0, 1)
    [message] = push_service.messages(chief)
    assert message["title"] == "Eskalasi: laporan situasi belum diterima"
    assert message["url"] == reverse("fieldhelp:detail", args=[task.pk])
