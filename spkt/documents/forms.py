"""The desk's SKTLK form. It parses and checks input; the service does the issuing."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from spkt.core.nik import nik_validate
from spkt.documents.items import SKTLK_ITEM_LABELS, SKTLK_PAPERS
from spkt.documents.models import Gender
from spkt.documents.services import CitizenData, LostItem
from spkt.org.models import Unit

CHOICE_ERROR = {"invalid_choice": _("Pilihan tidak valid.")}
RELIGIONS = ["Islam", "Kristen", "Katolik", "Hindu", "Buddha", "Khonghucu", "Kepercayaan"]


class SktlkForm(forms.Form):
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={
            "required": _("Formulir tidak lengkap; muat ulang halaman lalu coba lagi.")
        },
    )
    name = forms.CharField(label=_("Nama lengkap"), max_length=120)
    nik = forms.CharField(
        label=_("NIK"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_place = forms.CharField(label=_("Tempat lahir"), max_length=60)
    birth_date = forms.DateField(
        label=_("Tanggal lahir"), widget=forms.DateInput(attrs={"type": "date"})
    )
    gender = forms.ChoiceField(
        label=_("Jenis kelamin"), choices=Gender.choices, error_messages=CHOICE_ERROR
    )
    religion = forms.ChoiceField(
        label=_("Agama"),
        required=False,
        choices=[("", "—"), *[(r, r) for r in RELIGIONS]],
        error_messages=CHOICE_ERROR,
    )
    occupation = forms.CharField(label=_("Pekerjaan"), max_length=80, required=False)
    address = forms.CharField(label=_("Alamat"), max_length=255)
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"), queryset=None, required=False, error_messages=CHOICE_ERROR
    )
    phone = forms.RegexField(
        label=_("No. telepon"),
        regex=r"^\+?[0-9 \-]{6,20}$",
        required=False,
        max_length=20,
        error_messages={"invalid": _("Nomor telepon tidak valid.")},
    )
    lost_on = forms.DateField(
        label=_("Tanggal kehilangan"), widget=forms.DateInput(attrs={"type": "date"})
    )
    lost_place = forms.CharField(label=_("Tempat kehilangan"), max_length=200)
    chronology = forms.CharField(
        label=_("Keterangan singkat"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, unit: Unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].queryset = unit.kelurahan.all()
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        for kind, label in SKTLK_ITEM_LABELS.items():
            self.fields[f"item_{kind}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"detail_{kind}"] = forms.CharField(
                label=_("Keterangan %(item)s") % {"item": label},
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": _("nomor/ciri, bila ada")}),
            )
            self.fields[f"papers_{kind}"] = forms.BooleanField(
                label=SKTLK_PAPERS[kind], required=False
            )

    def item_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"item_{k}"], self[f"detail_{k}"], self[f"papers_{k}"]) for k in SKTLK_ITEM_LABELS
        ]

    def clean_nik(self) -> str:
        return nik_validate(self.cleaned_data["nik"])

    def clean(self) -> dict:
        data = super().clean()
        if not any(data.get(f"item_{kind}") for kind in SKTLK_ITEM_LABELS):
            raise ValidationError(_("Pilih sedikitnya satu barang/surat yang hilang."))
        for kind, label in SKTLK_ITEM_LABELS.items():
            if data.get(f"item_{kind}") and not data.get(f"papers_{kind}"):
                self.add_error(
                    f"papers_{kind}",
                    _("Periksa persyaratan untuk %(item)s lebih dulu.") % {"item": label},
                )
        return data

    def citizen(self) -> CitizenData:
        d = self.cleaned_data
        return CitizenData(
            name=d["name"],
            nik=d["nik"],
            birth_place=d["birth_place"],
            birth_date=d["birth_date"],
            gender=d["gender"],
            address=d["address"],
            religion=d["religion"],
            occupation=d["occupation"],
            phone=d["phone"],
            kelurahan_id=d["kelurahan"].pk if d["kelurahan"] else None,
        )

    def items(self) -> list[LostItem]:
        d = self.cleaned_data
        return [
            LostItem(
                kind=k, details=d.get(f"detail_{k}", ""), papers_checked=bool(d.get(f"papers_{k}"))
            )
            for k in SKTLK_ITEM_LABELS
            if d.get(f"item_{k}")
        ]


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan pembatalan"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
