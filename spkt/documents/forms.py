"""The desk's SKTLK form. It parses and checks input; the service does the issuing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, QuerySet, When
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _

from spkt.core import clock
from spkt.core.dates import birth_date_valid, past_date_valid
from spkt.core.nik import nik_validate
from spkt.core.timeutil import local
from spkt.documents.items import SKTLK_ITEM_LABELS, SKTLK_PAPERS
from spkt.documents.lp import LpContent
from spkt.documents.models import Classification, Gender, LpModel, Pasal, ProgressStage
from spkt.documents.services import CitizenData, LostItem
from spkt.org.models import Kelurahan, Personnel, Unit

CHOICE_ERROR = {"invalid_choice": _("Pilihan tidak valid.")}
RELIGIONS = ["Islam", "Kristen", "Katolik", "Hindu", "Buddha", "Khonghucu", "Kepercayaan"]


class CitizenForm(forms.Form):
    """The identity of a member of the public, as the desk (or the portal) takes it."""

    name = forms.CharField(label=_("Nama lengkap"), max_length=120)
    nik = forms.CharField(
        label=_("NIK"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_place = forms.CharField(label=_("Tempat lahir"), max_length=60)
    birth_date = forms.DateField(
        label=_("Tanggal lahir"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        validators=[birth_date_valid],
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
    kelurahan: forms.ModelChoiceField[Kelurahan] = forms.ModelChoiceField(
        label=_("Kelurahan"), queryset=None, required=False, error_messages=CHOICE_ERROR
    )
    phone = forms.RegexField(
        label=_("No. telepon"),
        regex=r"^\+?[0-9 \-]{6,20}$",
        required=False,
        max_length=20,
        error_messages={"invalid": _("Nomor telepon tidak valid.")},
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kelurahan = cast("forms.ModelChoiceField[Kelurahan]", self.fields["kelurahan"])
        kelurahan.queryset = unit.kelurahan.all()

    def clean_nik(self) -> str:
        return nik_validate(self.cleaned_data["nik"])

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


class KeyedForm(forms.Form):
    """A desk form whose submission is issued once, however often it is sent."""

    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={
            "required": _("Formulir tidak lengkap; muat ulang halaman lalu coba lagi.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


def _clean_source(form: forms.Form) -> str:
    value = form.cleaned_data.get("source", "")
    if value:
        from spkt.documents.sources import source_parse

        source_parse(value)  # ValidationError "Asal dokumen tidak dikenal." otherwise
    return str(value)


class SktlkForm(KeyedForm, CitizenForm):
    prereg = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10)
    # Where the desk started it (a contact: spkt.documents.sources); issuing closes it.
    source = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    clean_source = _clean_source
    lost_on = forms.DateField(
        label=_("Tanggal kehilangan"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        validators=[past_date_valid],
    )
    lost_place = forms.CharField(label=_("Tempat kehilangan"), max_length=200)
    chronology = forms.CharField(
        label=_("Keterangan singkat"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    with_papers = True

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, unit=unit, **kwargs)
        for kind, label in SKTLK_ITEM_LABELS.items():
            self.fields[f"item_{kind}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"detail_{kind}"] = forms.CharField(
                label=_("Keterangan %(item)s") % {"item": label},
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": _("nomor/ciri, bila ada")}),
            )
            if self.with_papers:
                self.fields[f"papers_{kind}"] = forms.BooleanField(
                    label=SKTLK_PAPERS[kind], required=False
                )

    def item_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField | None]]:
        return [
            (
                self[f"item_{k}"],
                self[f"detail_{k}"],
                self[f"papers_{k}"] if self.with_papers else None,
            )
            for k in SKTLK_ITEM_LABELS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if not any(data.get(f"item_{kind}") for kind in SKTLK_ITEM_LABELS):
            raise ValidationError(_("Pilih sedikitnya satu barang/surat yang hilang."))
        for kind, label in SKTLK_ITEM_LABELS.items():
            if self.with_papers and data.get(f"item_{kind}") and not data.get(f"papers_{kind}"):
                self.add_error(
                    f"papers_{kind}",
                    _("Periksa persyaratan untuk %(item)s lebih dulu.") % {"item": label},
                )
        return data

    def items(self) -> list[LostItem]:
        d = self.cleaned_data
        return [
            LostItem(
                kind=k, details=d.get(f"detail_{k}", ""), papers_checked=bool(d.get(f"papers_{k}"))
            )
            for k in SKTLK_ITEM_LABELS
            if d.get(f"item_{k}")
        ]


class ReissueForm(SktlkForm):
    reason = forms.CharField(label=_("Alasan pembatalan SKTLK lama"), max_length=500)


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan pembatalan"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class PublicSktlkForm(SktlkForm):
    """The portal's pre-registration: the same questions, no papers (the desk checks those)."""

    with_papers = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["idempotency_key"], self.fields["prereg"], self.fields["source"]
        self.fields["kelurahan"].required = False


class PublicLpForm(CitizenForm):
    """The portal's LP model B pre-registration: who you are and what happened."""

    event_when = forms.DateTimeField(
        label=_("Kapan kejadiannya"),
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
        validators=[past_date_valid],
    )
    event_where = forms.CharField(label=_("Di mana"), max_length=200)
    event_what = forms.CharField(label=_("Apa yang terjadi (singkat)"), max_length=200)
    account = forms.CharField(
        label=_("Ceritakan kejadiannya"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class LookupForm(forms.Form):
    kode = forms.CharField(label=_("Kode pra-registrasi"), max_length=10, required=False)
    cari = forms.CharField(
        label=_("Cari warga (NIK atau no. telepon)"), max_length=20, required=False
    )


def pasal_choices() -> QuerySet[Pasal]:
    """Articles in force first (UU 1/2023 since 2 Jan 2026), special laws, then the old KUHP."""
    rank = Case(When(book="KUHP_2023", then=0), When(book="UU_LAIN", then=1), default=2)
    return Pasal.objects.filter(active=True).annotate(rank=rank).order_by("rank", "article")


class PasalSelect(forms.SelectMultiple):
    """The pasal multi-select. Each option carries what the page's type-ahead searches (article,
    its old/new KUHP equivalent, title, book), so "362" finds both KUHP 362 and UU 1/2023 476;
    without script it stays a plain multi-select."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        pasal = getattr(value, "instance", None)
        if pasal is not None:
            words = [pasal.article, pasal.equivalent, pasal.title, pasal.get_book_display()]
            option["attrs"]["data-search"] = " ".join(w for w in words if w).lower()
        return option


class PasalChoices(ModelChoiceIterator):  # type: ignore[type-arg]  # not generic at run time
    """The articles grouped by book (KUHP baru, other laws, KUHP lama) for the select without
    script; validation still reads the queryset."""

    def __iter__(self) -> Iterator[Any]:
        groups: dict[str, list[Any]] = {}
        for value, label in super().__iter__():
            if isinstance(value, ModelChoiceIteratorValue):  # not the empty choice ("")
                pasal = value.instance  # type: ignore[attr-defined]  # missing from django-stubs
                groups.setdefault(pasal.get_book_display(), []).append((value, label))
        yield from groups.items()


class PasalField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # not generic at run time
    widget = PasalSelect
    iterator = PasalChoices

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", pasal_choices())
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _("Pasal tidak dikenal."),
                "invalid_pk_value": _("Pasal tidak dikenal."),
            },
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"size": 8, "data-pasal": ""})

    def label_from_instance(self, obj: Pasal) -> str:
        label = str(obj)
        if obj.equivalent:
            other = _("KUHP lama") if obj.book == "KUHP_2023" else _("KUHP baru")
            label += f" ({other}: {obj.equivalent})"
        return label


PERSON_GENDERS = [("", "—"), ("Laki-laki", _("Laki-laki")), ("Perempuan", _("Perempuan"))]


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=120, required=False)
    birth = forms.CharField(label=_("TTL / umur"), max_length=80, required=False)
    gender = forms.CharField(
        label=_("Jenis kelamin"),
        max_length=20,
        required=False,
        widget=forms.Select(choices=PERSON_GENDERS),
    )
    occupation = forms.CharField(label=_("Pekerjaan"), max_length=80, required=False)
    address = forms.CharField(label=_("Alamat"), max_length=200, required=False)
    contact = forms.CharField(label=_("Kontak"), max_length=60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Stored as text: a value written before the select (e.g. "L") is still offered.
        known = {value for value, _label in PERSON_GENDERS}
        current = str(self.initial.get("gender") or self.data.get(self.add_prefix("gender")) or "")
        if current and current not in known:
            self.fields["gender"].widget.choices = [*PERSON_GENDERS, (current, current)]


PersonFormSet = forms.formset_factory(PersonForm, extra=2, max_num=10, validate_max=True)


class LpForm(KeyedForm, CitizenForm):
    """The desk's Laporan Polisi. Model B takes the reporter's identity; model A the officer."""

    model = forms.ChoiceField(
        choices=LpModel.choices, widget=forms.HiddenInput, error_messages=CHOICE_ERROR
    )
    classification = forms.ChoiceField(
        label=_("Klasifikasi"), choices=Classification.choices, error_messages=CHOICE_ERROR
    )
    officer: forms.ModelChoiceField[Personnel] = forms.ModelChoiceField(
        label=_("Anggota Polri pelapor"), queryset=None, required=False, error_messages=CHOICE_ERROR
    )
    event_when = forms.DateTimeField(
        label=_("Waktu kejadian"),
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
        validators=[past_date_valid],
    )
    event_where = forms.CharField(label=_("Tempat kejadian"), max_length=200)
    event_what = forms.CharField(label=_("Apa yang terjadi"), max_length=200)
    account = forms.CharField(
        label=_("Uraian singkat kejadian"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    evidence = forms.CharField(
        label=_("Barang bukti (satu per baris)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    actions = forms.CharField(
        label=_("Tindakan yang diambil (satu per baris)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    offences = PasalField(label=_("Pasal yang disangkakan"), required=False)
    reporter_is_victim = forms.BooleanField(
        label=_("Pelapor adalah korban"),
        required=False,
        help_text=_("Korban pertama diisi dari data pelapor."),
    )
    prereg = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10)
    source = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    CITIZEN_FIELDS = ("name", "nik", "birth_place", "birth_date", "gender", "address")

    def __init__(self, *args: Any, unit: Unit, model: str, **kwargs: Any) -> None:
        super().__init__(*args, unit=unit, **kwargs)
        self.initial.setdefault("model", model)
        officer = cast("forms.ModelChoiceField[Personnel]", self.fields["officer"])
        officer.queryset = Personnel.objects.filter(unit=unit, active=True)
        # The picker offers no future moment (WITA, as the input shows it).
        self.fields["event_when"].widget.attrs["max"] = f"{local(clock.now()):%Y-%m-%dT%H:%M}"
        if (self.data.get("model") if self.is_bound else model) == LpModel.A:
            for name in self.CITIZEN_FIELDS:
                self.fields[name].required = False
        prefix = kwargs.get("prefix")
        data = args[0] if args else kwargs.get("data")
        self.people = {
            key: PersonFormSet(data, prefix=f"{prefix or ''}{key}", initial=self.initial.get(key))
            for key in ("reported", "victims", "witnesses")
        }

    def is_valid(self) -> bool:
        valid = super().is_valid()
        checked = [fs.is_valid() for fs in self.people.values()]  # each list shows its errors
        people = all(checked)
        if self.is_bound and not people:
            self.add_error(None, _("Periksa data terlapor, korban dan saksi yang ditandai merah."))
        return valid and people

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("model") == LpModel.A and not data.get("officer"):
            self.add_error("officer", _("Pilih anggota Polri yang melaporkan."))
        return data

    def clean_nik(self) -> str:
        raw = self.cleaned_data.get("nik", "")
        if not raw and self.data.get("model") == LpModel.A:
            return ""
        return nik_validate(raw)

    def content(self) -> LpContent:
        d = self.cleaned_data
        model = d["model"]
        return LpContent(
            model=model,
            classification=d["classification"],
            citizen=self.citizen() if model == LpModel.B else None,
            officer=d.get("officer") if model == LpModel.A else None,
            event_when=d["event_when"],
            event_where=d["event_where"],
            event_what=d["event_what"],
            account=d["account"],
            reported=[f for f in self.people["reported"].cleaned_data if f],
            victims=[f for f in self.people["victims"].cleaned_data if f],
            witnesses=[f for f in self.people["witnesses"].cleaned_data if f],
            evidence=d["evidence"].splitlines(),
            actions=d["actions"].splitlines(),
            offences=list(d["offences"]),
            source=d.get("source", ""),
            reporter_is_victim=model == LpModel.B and bool(d.get("reporter_is_victim")),
            prereg=d.get("prereg", ""),
        )

    clean_source = _clean_source


class ReviewForm(forms.Form):
    recommendation = forms.CharField(
        label=_("Rekomendasi gelar awal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    offences = PasalField(label=_("Pasal yang direkomendasikan"))


class ProgressForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Tahap"), choices=ProgressStage.choices, error_messages=CHOICE_ERROR
    )
    public_note = forms.CharField(
        label=_("Catatan untuk pelapor"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    internal_note = forms.CharField(
        label=_("Catatan internal"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
