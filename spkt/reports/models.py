"""The daily report (LHGK) as submitted by the Ka SPKT and acknowledged by the Kapolsek.

A row exists only from submission on: the draft is computed live (``selectors.daily_report``).
Once submitted, the figures are a frozen snapshot and the row's submitted part is never edited;
a later correction is a ``DailyReportAddendum``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spkt.core.models import AppendOnlyModel

# The standard the submission is measured against: within 10 minutes of the shift closing.
SUBMIT_STANDARD_SECONDS = 10 * 60


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Konsep")
    SUBMITTED = "submitted", _("Dikirim")
    ACKNOWLEDGED = "acknowledged", _("Diterima Kapolsek")


class DailyReport(models.Model):
    """One submitted daily report of a unit's duty day (the original: one per unit and day)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="daily_reports")
    day = models.DateField(_("hari dinas"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    snapshot = models.JSONField(_("angka yang dibekukan"))
    situation = models.TextField(_("situasi"))
    remarks = models.TextField(_("catatan"), blank=True)
    matters = models.TextField(_("hal untuk pimpinan"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("dikirim"))
    # The handover seal of the day's shift, else the end of the duty day.
    shift_closed_at = models.DateTimeField(_("dinas ditutup"))
    submit_seconds = models.IntegerField(_("waktu kirim (detik)"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("diterima"), null=True, blank=True)
    disposisi = models.TextField(_("disposisi"), blank=True)
    # The submission's ledger link; the acknowledgement is its own ledger entry (ack_entry).
    ledger_entry = models.OneToOneField(
        "core.LedgerEntry", on_delete=models.PROTECT, related_name="+"
    )
    ack_entry = models.OneToOneField(
        "core.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("laporan harian")
        verbose_name_plural = _("laporan harian")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="dailyreport_unit_day_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.day:%Y-%m-%d}"

    @property
    def submit_minutes(self) -> float:
        return round(self.submit_seconds / 60, 1)

    @property
    def submit_met(self) -> bool:
        return self.submit_seconds <= SUBMIT_STANDARD_SECONDS


class DailyReportAddendum(AppendOnlyModel):
    """A later correction or addition to a submitted report: a new record, never an edit."""

    report = models.ForeignKey(DailyReport, on_delete=models.PROTECT, related_name="addenda")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("uraian"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    ledger_entry = models.OneToOneField(
        "core.LedgerEntry", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} +{self.at:%H:%M}"


class ReportAlert(models.Model):
    """A dashboard alert for a Kapolsek: a daily report waits for acknowledgement. (The intake
    Notification model points at a contact, so reports keep their own.)"""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_alerts"
    )
    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="alerts")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "report"], name="reportalert_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.report_id}"
