"""The hourly standard: an overdue situation report alerts the Ka SPKT once, then the Kapolsek."""

from __future__ import annotations

from datetime import timedelta

from spkt.core import clock
from spkt.dutylog.models import Mutasi
from spkt.fieldhelp.clock import report_sweep
from spkt.fieldhelp.models import TaskAlert
from spkt.fieldhelp.services import task_clear, task_dispatch, task_report
from spkt.fieldhelp.tests.conftest import T0


def test_an_overdue_report_alerts_the_ka_spkt_once_then_the_kapolsek(
    task, ka_spkt, kapolsek, on_duty, selatan
) -> None:
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    assert report_sweep(now=T0 + timedelta(minutes=59)) == (0, 0)
    late = T0 + timedelta(minutes=61)
    with clock.travel(late):
        assert report_sweep(now=late) == (1, 0)
        assert report_sweep(now=late + timedelta(seconds=15)) == (0, 0)
    task.refresh_from_db()
    assert task.overdue_at == late
    alerts = list(TaskAlert.objects.filter(task=task))
    assert [a.kind for a in alerts] == ["report_overdue"]
    assert alerts[0].user.has_role("ka_spkt")
    assert not TaskAlert.objects.filter(user=kapolsek).exists()
    book = Mutasi.objects.filter(unit=selatan, text__contains="terlambat")
    assert book.count() == 1
    assert book.get().red
    # A further interval on: the Kapolsek, once.
    later = late + timedelta(minutes=60)
    with clock.travel(later):
        assert report_sweep(now=later) == (0, 1)
        assert report_sweep(now=later + timedelta(minutes=5)) == (0, 0)
    assert TaskAlert.objects.filter(user=kapolsek, kind="report_escalation").count() == 1


def test_a_report_in_time_keeps_the_task_off_the_sweep(task, ka_spkt, on_duty) -> None:
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    with clock.travel(T0 + timedelta(minutes=50)):
        task_report(actor=ka_spkt, task=task, text="Aman")
    assert report_sweep(now=T0 + timedelta(minutes=90)) == (0, 0)
    assert report_sweep(now=T0 + timedelta(minutes=111)) == (1, 0)


def test_a_late_report_resets_the_clock_and_the_next_miss_alerts_again(
    task, ka_spkt, on_duty
) -> None:
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    assert report_sweep(now=T0 + timedelta(minutes=61)) == (1, 0)
    with clock.travel(T0 + timedelta(minutes=70)):
        task_report(actor=ka_spkt, task=task, text="Maaf terlambat")
    task.refresh_from_db()
    assert task.overdue_at is None
    assert report_sweep(now=T0 + timedelta(minutes=131)) == (1, 0)
    assert TaskAlert.objects.filter(task=task, kind="report_overdue").count() == 2


def test_requested_and_closed_tasks_are_not_swept(task, ka_spkt, on_duty) -> None:
    assert report_sweep(now=T0 + timedelta(hours=5)) == (0, 0)  # not dispatched: no clock yet
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    task_clear(actor=ka_spkt, task=task)
    assert report_sweep(now=T0 + timedelta(hours=5)) == (0, 0)


def test_the_intake_clock_command_runs_the_report_sweep(
    task, ka_spkt, on_duty, monkeypatch
) -> None:
    from django.core.management import call_command

    # The loop closes stale connections between rounds; inside a test transaction it must not.
    monkeypatch.setattr(
        "spkt.intake.management.commands.intake_clock.close_old_connections", lambda: None
    )
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    with clock.travel(T0 + timedelta(minutes=61)):
        call_command("intake_clock", "--once")
    task.refresh_from_db()
    assert task.overdue_at is not None


def test_the_alert_shows_on_the_dashboard_and_is_marked_read(
    client, task, ka_spkt, on_duty, kapolsek
) -> None:
    from django.urls import reverse

    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    report_sweep(now=T0 + timedelta(minutes=61))
    alert = TaskAlert.objects.get()
    client.force_login(alert.user)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-field-alert="report_overdue"' in html
    # Somebody else's alert is not theirs to mark.
    client.force_login(kapolsek)
    client.post(reverse("fieldhelp:alert-read", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.read_at is None
    client.force_login(alert.user)
    assert client.post(reverse("fieldhelp:alert-read", args=[alert.pk])).status_code == 302
    alert.refresh_from_db()
    assert alert.read_at is not None
    assert 'data-field-alert="' not in client.get(reverse("dashboard")).content.decode()
