from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from spkt.core.numbering import DEFAULT_PATTERNS, pattern_validate
from spkt.org import secondfactor
from spkt.org.models import Equipment, Kelurahan, Personnel, Unit, User
from spkt.org.services import unit_create

# django-otp's own admin pages would show any user's TOTP secret (its QR) to an admin, who could
# then carry that user's second factor. Admins reset a factor instead (UserAdmin action, ADR 0037).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class UnitForm(admin.ModelAdmin.form):
    def clean_number_patterns(self) -> dict:
        patterns = self.cleaned_data["number_patterns"] or {}
        if not isinstance(patterns, dict):
            raise ValidationError("Pola nomor harus berupa objek JSON {jenis: pola}.")
        for doc_type, pattern in patterns.items():
            if doc_type not in DEFAULT_PATTERNS or not isinstance(pattern, str):
                raise ValidationError(f"Jenis dokumen tidak dikenal: {doc_type}")
            pattern_validate(pattern)
        return patterns


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitForm
    list_display = ["name", "kind", "parent", "code"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["parent"] if obj else []

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        fields = {f: form.cleaned_data[f] for f in form.cleaned_data if f != "parent"}
        created = unit_create(parent=form.cleaned_data.get("parent"), **fields)
        obj.pk, obj.path = created.pk, created.path


@admin.register(Kelurahan)
class KelurahanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit"]


@admin.register(Personnel)
class PersonnelAdmin(admin.ModelAdmin):
    list_display = ["name", "pangkat", "nrp", "jabatan", "unit", "user"]
    list_filter = ["unit", "pangkat"]
    search_fields = ["name", "nrp"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [*BaseUserAdmin.fieldsets, ("SPKT", {"fields": ["unit"]})]
    list_display = ["username", "first_name", "unit", "is_active"]
    list_filter = ["unit", "groups", "is_active"]
    actions = ["second_factor_reset"]

    @admin.action(description=_("Reset faktor kedua (ponsel hilang): daftar ulang saat masuk"))
    def second_factor_reset(self, request, queryset) -> None:
        for user in queryset:
            secondfactor.second_factor_reset(actor=request.user, user=user)
        self.message_user(
            request,
            _("Faktor kedua %(n)d pengguna direset; mereka mendaftar ulang saat masuk.")
            % {"n": queryset.count()},
        )


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    """The inventory counted at every handover: weapons, ammunition, radios, vehicles, keys."""

    list_display = ["name", "kind", "serial", "quantity", "unit", "active"]
    list_filter = ["unit", "kind", "active"]
    search_fields = ["name", "serial"]
