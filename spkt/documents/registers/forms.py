"""Registers: the filter form of a register page, read from the query string."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from spkt.core.dates import date_in_range
from spkt.documents.models import DocType
from spkt.documents.registers.selectors import (
    REGISTER_KINDS,
    STATUSES,
    RegisterFilters,
    register_officers,
    user_label,
)
from spkt.documents.selectors import STATUS_LABELS
from spkt.org.models import Kelurahan, Unit, User


class OfficerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # not generic at run time
    def label_from_instance(self, obj: User) -> str:
        return user_label(obj)


DATE_ERRORS = {"invalid": _("Tanggal tidak valid; gunakan format TTTT-BB-HH, mis. 2026-11-27.")}


class RegisterFilterForm(forms.Form):
    """The filters of a register page, read from the query string. Officer and kelurahan choices
    are limited to the unit, so another station's ids are rejected as invalid choices."""

    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Nomor atau nama")}),
        error_messages={"max_length": _("Kata kunci paling banyak %(limit_value)d karakter.")},
    )
    doc_type = forms.ChoiceField(
        label=_("Jenis"),
        required=False,
        choices=[],
        error_messages={"invalid_choice": _("Jenis dokumen tidak valid.")},
    )
    date_from = forms.DateField(
        label=_("Dari tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )
    date_to = forms.DateField(
        label=_("Sampai tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )
    officer = OfficerChoiceField(
        label=_("Petugas"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Semua petugas"),
        error_messages={"invalid_choice": _("Petugas tidak dikenal di register satuan ini.")},
    )
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.none(),
        required=False,
        empty_label=_("Semua kelurahan"),
        error_messages={"invalid_choice": _("Kelurahan tidak berada di wilayah satuan ini.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), *((s, STATUS_LABELS[s]) for s in STATUSES)],
        error_messages={"invalid_choice": _("Status tidak valid.")},
    )

    def __init__(self, data: QueryDict | None = None, *, unit: Unit, kind: str) -> None:
        super().__init__(data)
        self.kind = kind
        cast(OfficerChoiceField, self.fields["officer"]).queryset = register_officers(unit=unit)
        kelurahan = cast("forms.ModelChoiceField[Kelurahan]", self.fields["kelurahan"])
        kelurahan.queryset = unit.kelurahan.all()
        doc_types = REGISTER_KINDS[kind]
        if len(doc_types) > 1:
            choices = [(t, DocType(t).label) for t in doc_types]
            doc_type = cast(forms.ChoiceField, self.fields["doc_type"])
            doc_type.choices = [("", _("Semua jenis")), *choices]
        else:
            del self.fields["doc_type"]

    def _clean_date(self, name: str) -> date | None:
        # Far dates are typing mistakes, and a far bound would overflow the date arithmetic.
        value: date | None = self.cleaned_data.get(name)
        if value is not None:
            date_in_range(value)
        return value

    def clean_date_from(self) -> date | None:
        return self._clean_date("date_from")

    def clean_date_to(self) -> date | None:
        return self._clean_date("date_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
        return data

    def filters(self) -> RegisterFilters:
        data = self.cleaned_data
        return RegisterFilters(
            q=data.get("q", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            officer=data["officer"].pk if data.get("officer") else None,
            kelurahan=data["kelurahan"].pk if data.get("kelurahan") else None,
            status=data.get("status", ""),
            doc_type=data.get("doc_type", ""),
        )
