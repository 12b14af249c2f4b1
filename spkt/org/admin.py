from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from spkt.org.models import Equipment, Kelurahan, Personnel, Unit
from spkt.org.number_patterns import DEFAULT_PATTERNS, pattern_validate
from spkt.org.services import unit_create


class UnitForm(forms.ModelForm):  # the admin's default form class
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

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> list[str]:
        return ["parent"] if obj else []

    def save_model(
        self, request: HttpRequest, obj: Unit, form: forms.ModelForm, change: bool
    ) -> None:
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


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    """The inventory counted at every handover: weapons, ammunition, radios, vehicles, keys."""

    list_display = ["name", "kind", "serial", "quantity", "unit", "active"]
    list_filter = ["unit", "kind", "active"]
    search_fields = ["name", "serial"]
