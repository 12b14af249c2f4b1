from django.contrib import admin

from spkt.core.admin import ReadOnlyAdmin
from spkt.reports.models import DailyReport, DailyReportAddendum


@admin.register(DailyReport)
class DailyReportAdmin(ReadOnlyAdmin):
    """Read-only: a submitted report is frozen; corrections are addenda (reports.services)."""

    list_display = ["day", "unit", "status", "submitted_at", "acknowledged_at"]
    list_filter = ["unit", "status"]


@admin.register(DailyReportAddendum)
class DailyReportAddendumAdmin(ReadOnlyAdmin):
    list_display = ["at", "report", "by"]
