"""Writes for the daily report: the Ka SPKT submits it, the Kapolsek acknowledges it (with an
optional disposisi that becomes an order in the Buku Mutasi), and corrections are addenda.

Who counts as the Kapolsek: whoever holds the Kapolsek role at the unit. An acting Kapolsek
(Plh./Pjs.) is given the role by the admin for the period; there is no separate notion.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from spkt.alerts.services import alert_language, alert_push
from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.core.booktext import book_language
from spkt.core.ledger import ledger_append, register_ledger_only, register_ledgered
from spkt.core.timeutil import duty_day_of, tanggal
from spkt.dutylog.models import MutasiCategory, ShiftStatus
from spkt.dutylog.services import mutasi_append
from spkt.org.models import Role, Unit, User
from spkt.org.permissions import Action, can
from spkt.reports.models import DailyReport, DailyReportAddendum, ReportAlert, ReportStatus
from spkt.reports.selectors import SITUATION_DEFAULT, daily_report, shift_of_day

SUBMITTED = "reports.daily.submitted"
ACKNOWLEDGED = "reports.daily.acknowledged"
ADDENDUM = "reports.daily.addendum"
MAX_TEXT = 4000


def report_payload(report: DailyReport) -> dict:
    """Only what is fixed at submission: the acknowledgement is its own ledger entry."""
    return {
        "type": "daily_report",
        "unit": report.unit_id,
        "day": report.day.isoformat(),
        "snapshot": report.snapshot,
        "situation": report.situation,
        "remarks": report.remarks,
        "matters": report.matters,
        "submitted_by": report.submitted_by_id,
        "submitted_at": report.submitted_at,
        "shift_closed_at": report.shift_closed_at,
        "submit_seconds": report.submit_seconds,
    }


def addendum_payload(addendum: DailyReportAddendum) -> dict:
    return {
        "type": "daily_report_addendum",
        "unit": addendum.unit_id,
        "report": addendum.report_id,
        "text": addendum.text,
        "by": addendum.by_id,
        "at": addendum.at,
    }


register_ledgered(DailyReport, report_payload, kinds=(SUBMITTED,))
register_ledgered(DailyReportAddendum, addendum_payload, kinds=(ADDENDUM,))
# The acknowledgement entry is the whole record (who, when, the disposisi); the report row points
# to it through ack_entry.
register_ledger_only(ACKNOWLEDGED)


def _text(value: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise ValidationError(
            _("%(label)s terlalu panjang (paling banyak %(n)d karakter).")
            % {"label": label, "n": MAX_TEXT}
        )
    return value


def day_not_reportable(unit: Unit, day: date) -> str:
    """Why ``day`` cannot be reported yet ("" when it can): a day is reported once it has ended
    or its shift has been handed over."""
    today = duty_day_of(clock.now(), unit.shift_start_hour)
    if day > today:
        return _("Hari dinas tersebut belum terjadi.")
    if day == today:
        shift = shift_of_day(unit=unit, day=day)
        if shift is None or shift.status != ShiftStatus.CLOSED:
            return _(
                "Dinas hari ini belum diserahterimakan; laporan harian dikirim setelah serah "
                "terima."
            )
    return ""


@transaction.atomic
def report_submit(
    *, actor: User, unit: Unit, day: date, situation: str, remarks: str = "", matters: str = ""
) -> DailyReport:
    """Freeze the day's figures and send them to the Kapolsek. Once only per unit and day."""
    if not can(actor, Action.REPORT_SUBMIT, unit):
        raise PermissionDenied
    situation = _text(situation, _("Situasi")) or SITUATION_DEFAULT
    remarks = _text(remarks, _("Catatan"))
    matters = _text(matters, _("Hal untuk pimpinan"))
    reason = day_not_reportable(unit, day)
    if reason:
        raise ValidationError(reason)
    if DailyReport.objects.filter(unit=unit, day=day).exists():
        raise ValidationError(
            _("Laporan harian hari dinas ini sudah dikirim; perbaikan dicatat sebagai adendum.")
        )
    draft = daily_report(unit=unit, day=day)
    now = clock.now()
    report = DailyReport(
        unit=unit,
        day=day,
        status=ReportStatus.SUBMITTED,
        snapshot=draft.snapshot(),
        situation=situation,
        remarks=remarks,
        matters=matters,
        submitted_by=actor,
        submitted_at=now,
        shift_closed_at=draft.closed_at,
        submit_seconds=int((now - draft.closed_at).total_seconds()),
    )
    report.ledger_entry = ledger_append(unit=unit, kind=SUBMITTED, payload=report_payload(report))
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError(
            _("Laporan harian hari dinas ini sudah dikirim; perbaikan dicatat sebagai adendum.")
        ) from None
    with book_language():
        mutasi_append(
            unit=unit,
            actor=actor,
            category=MutasiCategory.LAIN_LAIN,
            text=_("Laporan harian hari dinas %(day)s dikirim kepada Kapolsek oleh %(who)s.")
            % {"day": tanggal(day), "who": _person(actor)},
        )
    chiefs = list(
        User.objects.filter(unit=unit, groups__name=Role.KAPOLSEK, is_active=True).distinct()
    )
    ReportAlert.objects.bulk_create(
        [ReportAlert(user=chief, report=report, created_at=now) for chief in chiefs]
    )
    with alert_language():
        title = _("Laporan harian dikirim")
        body = _("Laporan harian %(day)s menunggu dibaca.") % {"day": tanggal(day)}
    for chief in chiefs:  # and on the Kapolsek's phone, after commit
        alert_push(
            user=chief,
            title=title,
            body=body,
            url=reverse("reports:detail", args=[report.pk]),
            tag=f"report-{report.pk}",
        )
    audit_log(action="reports.daily.submitted", actor=actor, unit=unit, target=report)
    return report


@transaction.atomic
def report_acknowledge(*, actor: User, report: DailyReport, disposisi: str = "") -> DailyReport:
    """The Kapolsek has read the report; a disposisi becomes an order in the current book."""
    if not can(actor, Action.REPORT_ACK, report.unit):
        raise PermissionDenied
    disposisi = _text(disposisi, _("Disposisi"))
    report = DailyReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Laporan harian ini sudah diterima Kapolsek."))
    now = clock.now()
    entry = ledger_append(
        unit=report.unit,
        kind=ACKNOWLEDGED,
        payload={
            "type": "daily_report_ack",
            "unit": report.unit_id,
            "report": report.pk,
            "by": actor.pk,
            "at": now,
            "disposisi": disposisi,
        },
    )
    DailyReport.objects.filter(pk=report.pk, status=ReportStatus.SUBMITTED).update(
        status=ReportStatus.ACKNOWLEDGED,
        acknowledged_by=actor,
        acknowledged_at=now,
        disposisi=disposisi,
        ack_entry=entry,
    )
    if disposisi:
        with book_language():
            mutasi_append(
                unit=report.unit,
                actor=actor,
                category=MutasiCategory.PERINTAH_PIMPINAN,
                text=_("Perintah/Disposisi Kapolsek atas laporan harian %(day)s: %(text)s")
                % {"day": tanggal(report.day), "text": disposisi},
            )
    ReportAlert.objects.filter(report=report, read_at=None).update(read_at=now)
    audit_log(action="reports.daily.acknowledged", actor=actor, unit=report.unit, target=report)
    report.refresh_from_db()
    return report


@transaction.atomic
def report_addendum(*, actor: User, report: DailyReport, text: str) -> DailyReportAddendum:
    """A correction after submission: a new record beside the frozen report."""
    if not can(actor, Action.REPORT_SUBMIT, report.unit):
        raise PermissionDenied
    text = _text(text, _("Adendum"))
    if not text:
        raise ValidationError(_("Isi adendum tidak boleh kosong."))
    addendum = DailyReportAddendum(
        report=report, unit=report.unit, text=text, by=actor, at=clock.now()
    )
    addendum.ledger_entry = ledger_append(
        unit=report.unit, kind=ADDENDUM, payload=addendum_payload(addendum)
    )
    addendum.save()
    audit_log(action="reports.daily.addendum", actor=actor, unit=report.unit, target=addendum)
    return addendum


def report_alert_read(*, user: User, pk: int) -> None:
    ReportAlert.objects.filter(user=user, pk=pk, read_at=None).update(read_at=clock.now())


def _person(user: User) -> str:
    person = getattr(user, "personnel", None)
    return str(person) if person is not None else user.get_full_name() or user.username
