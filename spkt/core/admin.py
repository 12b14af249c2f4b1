from django.contrib import admin

from spkt.core.models import AuditEvent, LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: visible to admins, never added, changed or deleted through the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["unit", "seq", "kind", "recorded_at", "hash"]
    list_filter = ["kind"]
    list_select_related = ["unit"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "unit", "target_type", "target_id"]
    list_filter = ["action"]
    list_select_related = ["actor", "unit"]
