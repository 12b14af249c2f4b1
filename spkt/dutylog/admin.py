from django.contrib import admin

from spkt.core.admin import ReadOnlyAdmin
from spkt.dutylog.models import EntryCategory, Mutasi, Regu, Shift


@admin.register(Regu)
class ReguAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "order", "head"]
    filter_horizontal = ["members"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["unit", "regu", "starts_at", "ends_at", "ka_spkt"]
    list_filter = ["unit"]


@admin.register(Mutasi)
class MutasiAdmin(ReadOnlyAdmin):
    list_display = ["at", "unit", "category", "red", "text"]
    list_filter = ["unit", "category", "red"]


@admin.register(EntryCategory)
class EntryCategoryAdmin(admin.ModelAdmin):
    """Per-unit (or global) overrides of the Buku Mutasi categories and their red-ink default."""

    list_display = ["code", "label", "unit", "red_default", "active", "order"]
    list_filter = ["unit", "red_default", "active"]
