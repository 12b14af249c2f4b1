"""Desk forms for activity 1. They parse and check input; the services do the writing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from spkt.core import clock
from spkt.core.dates import past_date_valid
from spkt.core.timeutil import local
from spkt.documents.models import DocType, Document
from spkt.intake.models import Contact, Outcome
from spkt.intake.services import IncomingFile
from spkt.org.models import Unit

MAX_REPLY = 4000
MAX_SCAN = 10 * 1024 * 1024
# What a scanner produces, recognised by the file's first bytes (the name and the browser's
# content type are the sender's word only).
SCAN_SIGNATURES = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
)
OUTCOME_DOC_TYPES = {
    Outcome.SKTLK: (DocType.SKTLK,),
    Outcome.LP: (DocType.LP_A, DocType.LP_B),
}
PHONE_REGEX = r"^\+?[0-9 \-().]{3,20}$"


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Balasan"),
        max_length=MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 4, "data-composer": ""}),
        error_messages={
            "required": _("Balasan tidak boleh kosong."),
            "max_length": _("Balasan terlalu panjang (maksimal 4000 karakter)."),
        },
    )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan (tidak terlihat oleh warga)"),
        max_length=MAX_REPLY,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Mis. dijawab lewat telepon")}),
        error_messages={"max_length": _("Catatan terlalu panjang (maksimal 4000 karakter).")},
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Hasil"),
        choices=[("", "—"), *Outcome.choices],
        error_messages={
            "required": _("Pilih hasil penanganan."),
            "invalid_choice": _("Hasil tidak dikenal."),
        },
    )
    document_number = forms.CharField(
        label=_("Nomor dokumen (SKTLK/LP, bila ada)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "outcome-documents", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        number = (data.get("document_number") or "").strip()
        outcome = data.get("outcome")
        data["document"] = None
        if not number or not outcome:
            return data
        types = OUTCOME_DOC_TYPES.get(outcome)
        if types is None:
            raise ValidationError(_("Nomor dokumen hanya untuk hasil SKTLK atau Laporan Polisi."))
        data["document"] = Document.objects.filter(
            unit=self.unit, number=number, doc_type__in=types
        ).first()
        if data["document"] is None:
            self.add_error(
                "document_number",
                _("Dokumen %(number)s tidak ditemukan di satuan ini.") % {"number": number},
            )
        return data


class LinkForm(forms.Form):
    to = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": _("Pilih kontak yang akan ditautkan."),
            "invalid": _("Kontak tidak dapat ditautkan."),
            "min_value": _("Kontak tidak dapat ditautkan."),
        },
    )

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact = contact

    def clean_to(self) -> Contact:
        # Only contacts of the same unit; another station's id is simply "cannot be linked".
        found = (
            Contact.objects.filter(unit_id=self.contact.unit_id, pk=self.cleaned_data["to"])
            .exclude(pk=self.contact.pk)
            .first()
        )
        if found is None:
            raise ValidationError(_("Kontak tidak dapat ditautkan."))
        return found


class PhoneForm(forms.Form):
    caller = forms.RegexField(
        label=_("Nomor penelepon"),
        regex=PHONE_REGEX,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages={
            "required": _("Isi nomor penelepon."),
            "invalid": _("Nomor telepon tidak valid."),
        },
    )
    name = forms.CharField(label=_("Nama (bila disebutkan)"), max_length=120, required=False)
    summary = forms.CharField(
        label=_("Ringkasan pembicaraan"),
        max_length=MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Isi ringkasan pembicaraan."),
            "max_length": _("Ringkasan terlalu panjang (maksimal 4000 karakter)."),
        },
    )


class LetterForm(forms.Form):
    sender = forms.CharField(
        label=_("Pengirim"),
        max_length=200,
        error_messages={"required": _("Pengirim surat wajib diisi.")},
    )
    subject = forms.CharField(
        label=_("Perihal"),
        max_length=255,
        error_messages={"required": _("Perihal surat wajib diisi.")},
    )
    letter_number = forms.CharField(label=_("Nomor surat"), max_length=120, required=False)
    letter_date = forms.DateField(
        label=_("Tanggal surat"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": _("Tanggal tidak valid.")},
        validators=[past_date_valid],
    )
    scan = forms.FileField(
        label=_("Pindaian (PDF, JPG atau PNG, maks. 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_letter_date(self) -> date | None:
        day = self.cleaned_data.get("letter_date")
        if day is not None and day > local(clock.now()).date():
            raise ValidationError(_("Tanggal surat tidak boleh di masa depan."))
        return day

    def clean_scan(self) -> IncomingFile | None:
        upload = self.cleaned_data.get("scan")
        if not upload:
            return None
        if upload.size > MAX_SCAN:
            raise ValidationError(_("Berkas terlalu besar (maksimal 10 MB)."))
        name = upload.name or "surat"
        head = upload.read(16)
        upload.seek(0)
        for magic, content_type, extensions in SCAN_SIGNATURES:
            if head.startswith(magic) and name.lower().endswith(extensions):
                return IncomingFile(filename=name, content_type=content_type, data=upload.read())
        raise ValidationError(_("Jenis berkas tidak diizinkan; unggah PDF, JPG atau PNG."))
