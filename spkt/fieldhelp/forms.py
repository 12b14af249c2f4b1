"""Forms of the field-help pages: they parse; the services decide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from spkt.fieldhelp.details import FIELDS, DetailField, details_clean
from spkt.fieldhelp.models import Family, Priority, Source, TaskStatus, TaskType
from spkt.fieldhelp.services import task_types_for
from spkt.org.models import Equipment, Kelurahan, Personnel, Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

KEY = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class TaskForm(forms.Form):
    task_type = forms.ChoiceField(label=_("Jenis"))
    source = forms.ChoiceField(label=_("Sumber"), choices=Source.choices)
    address = forms.CharField(label=_("Alamat lokasi"), max_length=255)
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"), queryset=Kelurahan.objects.none(), required=False
    )
    lat = forms.CharField(label=_("Lintang"), max_length=20, required=False)
    lon = forms.CharField(label=_("Bujur"), max_length=20, required=False)
    known = forms.CharField(
        label=_("Yang diketahui"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    requested_by = forms.CharField(label=_("Peminta"), max_length=160, required=False)
    priority = forms.ChoiceField(
        label=_("Prioritas"), choices=Priority.choices, initial=Priority.NORMAL
    )
    planned_for = forms.DateTimeField(
        label=_("Waktu pelaksanaan (tugas terencana)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, unit: Unit, with_contact: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The details of every family as optional fields "d_<family>_<name>"; only the chosen
        # type's family is read (spkt.fieldhelp.details checks them).
        for family, fields in FIELDS.items():
            for f in fields:
                self.fields[f"d_{family}_{f.name}"] = _detail_field(f)
        self.types = {str(t.pk): t for t in task_types_for(unit)}
        cast(forms.ChoiceField, self.fields["task_type"]).choices = [
            (k, t.label) for k, t in self.types.items()
        ]
        cast(
            "forms.ModelChoiceField[Any]", self.fields["kelurahan"]
        ).queryset = Kelurahan.objects.filter(unit=unit)
        if with_contact:
            del self.fields["source"]
        else:
            cast(forms.ChoiceField, self.fields["source"]).choices = [
                c for c in Source.choices if c[0] != Source.CONTACT
            ]

    def clean_task_type(self) -> TaskType:
        return self.types[self.cleaned_data["task_type"]]

    def clean(self) -> dict:
        data = super().clean() or self.cleaned_data
        task_type = data.get("task_type")
        if task_type is not None:
            prefix = f"d_{task_type.family}_"
            raw = {k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)}
            try:
                data["details"] = details_clean(task_type.family, raw)
            except ValidationError as exc:
                self.add_error(None, exc)
        return data

    def type_families(self) -> dict[str, str]:
        return {key: t.family for key, t in self.types.items()}

    def detail_groups(self) -> list[tuple[str, StrOrPromise, list[Any]]]:
        """(family, its label, its bound fields) for the families that have details."""
        labels = dict(Family.choices)
        return [
            (family, labels[family], [self[f"d_{family}_{f.name}"] for f in fields])
            for family, fields in FIELDS.items()
            if fields
        ]


def _detail_field(f: DetailField) -> forms.Field:
    if f.kind == "count":
        return forms.IntegerField(label=f.label, required=False, min_value=0)
    if f.kind == "choice":
        return forms.ChoiceField(label=f.label, required=False, choices=[("", "—"), *f.choices])
    if f.kind == "lines":
        return forms.CharField(
            label=f.label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
        )
    return forms.CharField(label=f.label, required=False, max_length=500)


class DispatchForm(forms.Form):
    personnel = forms.TypedMultipleChoiceField(
        label=_("Personel"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    equipment = forms.TypedMultipleChoiceField(
        label=_("Kendaraan / HT"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    override_reason = forms.CharField(
        label=_("Alasan pengecualian (bila personel tidak dinas atau sedang bertugas)"),
        max_length=255,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        personnel: Iterable[Personnel],
        equipment: Iterable[Equipment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in personnel}
        self.items = {e.pk: e for e in equipment}
        cast(forms.ChoiceField, self.fields["personnel"]).choices = [
            (k, str(p)) for k, p in self.people.items()
        ]
        cast(forms.ChoiceField, self.fields["equipment"]).choices = [
            (k, str(e)) for k, e in self.items.items()
        ]

    def clean(self) -> dict:
        data = super().clean() or self.cleaned_data
        data["people"] = [self.people[k] for k in data.get("personnel") or []]
        data["things"] = [self.items[k] for k in data.get("equipment") or []]
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, TaskStatus(s).label) for s in (TaskStatus.EN_ROUTE, TaskStatus.ON_SCENE)]
    )
    idempotency_key = KEY
    lat = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)
    lon = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)
    accuracy_m = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)


class CorrectionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Kembalikan ke"),
        choices=[(s, TaskStatus(s).label) for s in (TaskStatus.DISPATCHED, TaskStatus.EN_ROUTE)],
    )
    note = forms.CharField(label=_("Alasan koreksi"), max_length=255)


class StepForm(forms.Form):
    step = forms.IntegerField(min_value=1, max_value=50)


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("Laporan situasi"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.CharField(
        label=_("Barang bukti (satu per baris)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    witnesses = forms.CharField(
        label=_("Saksi (satu per baris: nama - kontak)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    idempotency_key = KEY


class ClearForm(forms.Form):
    handed_to = forms.CharField(
        label=_("Diserahkan kepada (Reskrim, Lantas, rumah sakit; kosong bila selesai)"),
        max_length=120,
        required=False,
    )
    note = forms.CharField(label=_("Catatan"), max_length=255, required=False)
    idempotency_key = KEY
