from django.contrib import admin

from spkt.core.admin import ReadOnlyAdmin
from spkt.fieldhelp.models import Task, TaskType


@admin.register(TaskType)
class TaskTypeAdmin(admin.ModelAdmin):
    """Per-unit (or global) field-help types: steps, report interval, red ink. A unit replaces a
    shipped default by adding a row with the same code."""

    list_display = ["code", "label", "unit", "family", "report_interval_minutes", "red", "active"]
    list_filter = ["unit", "family", "active"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    """Read-only: tasks change through the desk's services only (timeline, Buku Mutasi)."""

    list_display = ["requested_at", "unit", "type", "address", "status"]
    list_filter = ["unit", "status"]
