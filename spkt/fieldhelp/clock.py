"""The hourly standard: a sweep (run with the 5-minute clock) marks an open task whose situation
report is overdue once per missed deadline, alerts the Ka SPKT on duty, and after a further
interval the Kapolsek. Conditional updates make it safe in several workers at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from spkt.alerts.services import alert_language, alert_push
from spkt.core import clock
from spkt.core.booktext import book_language
from spkt.dutylog.services import mutasi_append, shift_current
from spkt.fieldhelp.models import Task, TaskAlert
from spkt.fieldhelp.services import book_category
from spkt.org.models import Role, User


def _alert(users: list[User], task: Task, kind: str, now: datetime) -> None:
    if task.report_due_at is None:  # only tasks with a deadline are selected
        return
    for user in users:
        try:
            with transaction.atomic():
                TaskAlert.objects.create(
                    user=user, task=task, kind=kind, due_at=task.report_due_at, created_at=now
                )
                alert_push(user=user, **_push_text(task, kind))
        except IntegrityError:
            pass  # already told about this deadline


def _push_text(task: Task, kind: str) -> dict[str, str]:
    """The phone's notification, with the link to the task."""
    facts = {"type": task.type.label, "place": task.address}
    with alert_language():
        if kind == "report_escalation":
            title = _("Eskalasi: laporan situasi belum diterima")
        else:
            title = _("Laporan situasi terlambat")
        body = _("%(type)s di %(place)s") % facts
    return {
        "title": title,
        "body": body,
        "url": reverse("fieldhelp:detail", args=[task.pk]),
        "tag": f"task-{task.pk}",
    }


def _ka_spkt_on_duty(task: Task) -> list[User]:
    shift = shift_current(unit=task.unit)
    users = list(User.objects.filter(personnel=shift.ka_spkt)) if shift.ka_spkt_id else []
    return users or list(User.objects.filter(unit=task.unit, groups__name=Role.KA_SPKT))


def report_sweep(*, now: datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Returns (tasks marked overdue, escalations to the Kapolsek)."""
    now = now or clock.now()
    marked = escalated = 0
    due = Task.objects.filter(
        cleared_at=None, overdue_at=None, report_due_at__lte=now
    ).select_related("unit", "type")[:limit]
    for task in due:
        with transaction.atomic():
            if not Task.objects.filter(
                pk=task.pk, cleared_at=None, overdue_at=None, report_due_at=task.report_due_at
            ).update(overdue_at=now):
                continue  # reported or cleared meanwhile, or another worker got there first
            marked += 1
            _alert(_ka_spkt_on_duty(task), task, "report_overdue", now)
            with book_language():
                mutasi_append(
                    unit=task.unit,
                    category=book_category(task.type),
                    red=True,
                    text=_(
                        "Laporan situasi %(type)s di %(place)s terlambat (batas %(m)d menit); "
                        "Ka SPKT diberi tahu."
                    )
                    % {
                        "type": task.type.label,
                        "place": task.address,
                        "m": task.type.report_interval_minutes,
                    },
                )
    overdue = Task.objects.filter(
        cleared_at=None,
        escalated_kapolsek_at=None,
        overdue_at__isnull=False,
        report_due_at__lte=F("overdue_at"),
    ).select_related("unit", "type")[:limit]
    for task in overdue:
        overdue_at = task.overdue_at  # not None: selected above
        if (
            overdue_at is None
            or overdue_at + timedelta(minutes=task.type.report_interval_minutes) > now
        ):
            continue
        with transaction.atomic():
            if not Task.objects.filter(
                pk=task.pk,
                cleared_at=None,
                escalated_kapolsek_at=None,
                overdue_at=task.overdue_at,
            ).update(escalated_kapolsek_at=now):
                continue
            escalated += 1
            chiefs = list(User.objects.filter(unit=task.unit, groups__name=Role.KAPOLSEK))
            _alert(chiefs, task, "report_escalation", now)
            with book_language():
                mutasi_append(
                    unit=task.unit,
                    category=book_category(task.type),
                    red=True,
                    text=_(
                        "Laporan situasi %(type)s di %(place)s masih belum diterima; eskalasi ke "
                        "Kapolsek."
                    )
                    % {"type": task.type.label, "place": task.address},
                )
    return marked, escalated
