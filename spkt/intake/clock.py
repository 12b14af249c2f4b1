"""The 5-minute clock: a sweep (every 15 s) marks breaches once, alerts the Ka SPKT on duty, and
after the unit's further interval the Kapolsek. Conditional updates make it safe to run the sweep
in several workers at once: whoever updates the row first does the alerting."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from spkt.alerts.services import alert_language, alert_push
from spkt.core import clock
from spkt.core.booktext import book_language
from spkt.dutylog.models import MutasiCategory
from spkt.dutylog.services import mutasi_append, shift_current
from spkt.intake.models import Contact, Notification, Status
from spkt.org.models import Role, User


def _notify(users: list[User], contact: Contact, kind: str, now: datetime) -> None:
    for user in users:
        try:
            with transaction.atomic():
                Notification.objects.create(user=user, contact=contact, kind=kind, created_at=now)
                alert_push(user=user, **_push_text(contact, kind))
        except IntegrityError:
            pass  # already told


def _push_text(contact: Contact, kind: str) -> dict[str, str]:
    """The phone's notification: channel and tracking code only (it shows on a lock screen), and
    the link to the contact."""
    facts = {"channel": contact.get_channel_display(), "code": contact.tracking_code}
    with alert_language():
        if kind == "escalation":
            title = _("Eskalasi: kontak belum ditanggapi")
            body = _("%(channel)s %(code)s masih belum ditanggapi.") % facts
        else:
            title = _("Kontak belum ditanggapi")
            body = _("%(channel)s %(code)s belum ditanggapi dalam %(m)d menit.") % {
                **facts,
                "m": contact.unit.response_minutes,
            }
    return {
        "title": title,
        "body": body,
        "url": reverse("intake:detail", args=[contact.pk]),
        "tag": f"contact-{contact.pk}",
    }


def _ka_spkt_on_duty(contact: Contact) -> list[User]:
    shift = shift_current(unit=contact.unit)
    users = list(User.objects.filter(personnel=shift.ka_spkt)) if shift.ka_spkt_id else []
    return users or list(User.objects.filter(unit=contact.unit, groups__name=Role.KA_SPKT))


def sla_sweep(*, now: datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Returns (breaches marked, escalations to the Kapolsek)."""
    now = now or clock.now()
    breached = escalated = 0
    due = (
        Contact.objects.filter(
            first_response_at=None, breached_at=None, first_response_due_at__lte=now
        )
        .exclude(status=Status.CLOSED)
        .select_related("unit")[:limit]
    )
    for contact in due:
        with transaction.atomic():
            if not Contact.objects.filter(
                pk=contact.pk, breached_at=None, first_response_at=None
            ).update(breached_at=now):
                continue  # answered meanwhile, or another worker got there first
            breached += 1
            _notify(_ka_spkt_on_duty(contact), contact, "breach", now)
            with book_language():
                mutasi_append(
                    unit=contact.unit,
                    category=MutasiCategory.LAPORAN_MASYARAKAT,
                    red=True,
                    text=_(
                        "Kontak %(code)s (%(channel)s) belum ditanggapi dalam %(m)d "
                        "menit; Ka SPKT diberi tahu."
                    )
                    % {
                        "code": contact.tracking_code,
                        "channel": contact.get_channel_display(),
                        "m": contact.unit.response_minutes,
                    },
                )
    overdue = (
        Contact.objects.filter(
            first_response_at=None, escalated_kapolsek_at=None, breached_at__isnull=False
        )
        .exclude(status=Status.CLOSED)
        .select_related("unit")[:limit]
    )
    for contact in overdue:
        wait = timedelta(minutes=contact.unit.kapolsek_escalation_minutes)
        if contact.breached_at is None or contact.breached_at + wait > now:  # None: not selected
            continue
        with transaction.atomic():
            if not Contact.objects.filter(
                pk=contact.pk, escalated_kapolsek_at=None, first_response_at=None
            ).update(escalated_kapolsek_at=now):
                continue
            escalated += 1
            chiefs = list(User.objects.filter(unit=contact.unit, groups__name=Role.KAPOLSEK))
            _notify(chiefs, contact, "escalation", now)
            with book_language():
                mutasi_append(
                    unit=contact.unit,
                    category=MutasiCategory.LAPORAN_MASYARAKAT,
                    red=True,
                    text=_("Kontak %(code)s masih belum ditanggapi; eskalasi ke Kapolsek.")
                    % {"code": contact.tracking_code},
                )
    return breached, escalated


def response_minutes(contact: Contact) -> float | None:
    if contact.first_response_at is None:
        return None
    return (contact.first_response_at - contact.received_at).total_seconds() / 60
