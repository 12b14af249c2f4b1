"""Forms of the duty log: they parse input; the services decide."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spkt.core import clock
from spkt.core.timeutil import local
from spkt.dutylog.handover import Count
from spkt.dutylog.models import HandoverItem, ItemKind, RosterChangeKind, Shift
from spkt.dutylog.services import categories_for
from spkt.org.models import Personnel, Unit

CHOICE_ERROR = {"invalid_choice": _("Pilihan tidak valid.")}


class EntryForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), error_messages=CHOICE_ERROR)
    text = forms.CharField(
        label=_("Uraian"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    time = forms.TimeField(
        label=_("Jam (kosongkan = sekarang)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    red = forms.BooleanField(label=_("Tulis dengan tinta merah"), required=False)

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (c.code, c.label) for c in categories_for(unit).values()
        ]

    def at(self) -> datetime | None:
        """The entry's moment: today's (WITA) time given, or the latest such moment not in the
        future, so 23:50 typed at 00:10 means yesterday 23:50."""
        given: time | None = self.cleaned_data.get("time")
        if given is None:
            return None
        now = local(clock.now())
        moment = timezone.make_aware(datetime.combine(now.date(), given))
        return moment if moment <= now else moment - timedelta(days=1)


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label=_("Isi yang benar"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RollCallForm(forms.Form):
    """One present/absent line per person of the shift's line-up."""

    def __init__(
        self, *args: Any, people: list[Personnel], prefix_name: str = "rc", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        for p in people:
            self.fields[f"present_{p.pk}"] = forms.BooleanField(
                label=str(p), required=False, initial=True
            )
            self.fields[f"reason_{p.pk}"] = forms.CharField(
                label=_("Alasan"),
                required=False,
                max_length=255,
                widget=forms.TextInput(attrs={"placeholder": _("alasan bila tidak hadir")}),
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"present_{p.pk}"], self[f"reason_{p.pk}"]) for p in self.people]

    def roll_call(self) -> list[tuple[int, bool, str]]:
        d = self.cleaned_data
        return [
            (p.pk, bool(d.get(f"present_{p.pk}")), d.get(f"reason_{p.pk}", "")) for p in self.people
        ]


class CountForm(forms.Form):
    """The incoming squad's count of every checklist line."""

    notes = forms.CharField(
        label=_("Catatan serah terima"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    fill_rest = forms.BooleanField(
        label=_("Isi baris kosong sesuai jumlah tercatat"), required=False
    )

    def __init__(self, *args: Any, items: list[HandoverItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order = list(ItemKind.values)
        self.items = sorted(items, key=lambda i: (order.index(i.kind), i.pk))
        for i in self.items:
            self.fields[f"counted_{i.pk}"] = forms.IntegerField(
                label=_("Dihitung"),
                min_value=0,
                max_value=100000,
                required=False,
                initial=i.counted,
                error_messages={"invalid": _("Isi dengan angka.")},
            )
            self.fields[f"reason_{i.pk}"] = forms.CharField(
                label=_("Alasan selisih"),
                required=False,
                max_length=255,
                initial=i.discrepancy_reason,
            )
            if i.kind == ItemKind.VEHICLE:
                self.fields[f"odometer_{i.pk}"] = forms.IntegerField(
                    label=_("Odometer (km)"), min_value=0, required=False, initial=i.odometer
                )
                self.fields[f"fuel_{i.pk}"] = forms.CharField(
                    label=_("BBM"), required=False, max_length=20, initial=i.fuel
                )
                self.fields[f"condition_{i.pk}"] = forms.CharField(
                    label=_("Kondisi"), required=False, max_length=120, initial=i.condition
                )

    def rows(self) -> list[tuple[HandoverItem, list[forms.BoundField]]]:
        out = []
        for i in self.items:
            names = [f"counted_{i.pk}", f"reason_{i.pk}"]
            if i.kind == ItemKind.VEHICLE:
                names += [f"odometer_{i.pk}", f"fuel_{i.pk}", f"condition_{i.pk}"]
            out.append((i, [self[n] for n in names]))
        return out

    def counts(self) -> dict[int, Count]:
        d = self.cleaned_data
        if d.get("fill_rest"):
            for i in self.items:
                if d.get(f"counted_{i.pk}") is None:
                    d[f"counted_{i.pk}"] = i.expected
        return {
            i.pk: Count(
                counted=d[f"counted_{i.pk}"],
                odometer=d.get(f"odometer_{i.pk}"),
                fuel=d.get(f"fuel_{i.pk}", ""),
                condition=d.get(f"condition_{i.pk}", ""),
                discrepancy_reason=d.get(f"reason_{i.pk}", ""),
            )
            for i in self.items
            if d.get(f"counted_{i.pk}") is not None
        }


class AddItemForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis"), choices=ItemKind.choices, error_messages=CHOICE_ERROR
    )
    label = forms.CharField(label=_("Uraian (mis. nama tahanan)"), max_length=200)
    serial = forms.CharField(label=_("Nomor seri"), max_length=60, required=False)
    expected = forms.IntegerField(label=_("Jumlah"), min_value=0, max_value=100000, initial=1)


class ConfirmForm(forms.Form):
    out_username = forms.CharField(label=_("Nama pengguna kepala regu lama"), max_length=150)
    out_password = forms.CharField(label=_("Kata sandi"), widget=forms.PasswordInput)
    in_username = forms.CharField(label=_("Nama pengguna kepala regu baru"), max_length=150)
    in_password = forms.CharField(label=_("Kata sandi"), widget=forms.PasswordInput)


class RosterChangeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis"), choices=RosterChangeKind.choices, error_messages=CHOICE_ERROR
    )
    person: forms.ModelChoiceField[Personnel] = forms.ModelChoiceField(
        label=_("Personel"), queryset=None, error_messages=CHOICE_ERROR
    )
    replacement: forms.ModelChoiceField[Personnel] = forms.ModelChoiceField(
        label=_("Pengganti"), queryset=None, required=False, error_messages=CHOICE_ERROR
    )
    reason = forms.CharField(label=_("Alasan"), max_length=255)

    def __init__(self, *args: Any, shift: Shift, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Personnel.objects.filter(unit=shift.unit, active=True)
        self.person_field("person").queryset = people
        self.person_field("replacement").queryset = people

    def person_field(self, name: str) -> forms.ModelChoiceField[Personnel]:
        return cast("forms.ModelChoiceField[Personnel]", self.fields[name])
