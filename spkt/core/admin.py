from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from spkt.core.audit import audit_log
from spkt.core.models import AuditEvent, LedgerEntry

if TYPE_CHECKING:  # django-stubs makes ModelAdmin generic; at run time it is not subscriptable
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(_ModelAdmin):
    """Append-only records: visible to admins, never added, changed or deleted through the admin.
    An attempt to post a change or a deletion is refused (403) and audit-logged."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST":
            self._refused(request, object_id, "change")
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            self._refused(request, object_id, "delete")
        return super().delete_view(request, object_id, extra_context)

    def _refused(self, request: HttpRequest, object_id: str, what: str) -> None:
        audit_log(
            action=f"admin.{what}_refused",
            actor=request.user,
            request=request,
            data={"model": self.model._meta.label, "id": str(object_id)},
        )

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
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
