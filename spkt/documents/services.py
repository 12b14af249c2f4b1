"""Writes for documents: issue, render, void. Each issue takes its number, chains itself into the
ledger, writes the Buku Mutasi and the audit log in one transaction, and renders its PDF after
commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.core.canonical import normalise
from spkt.core.ledger import ledger_append, register_ledgered
from spkt.core.nik import nik_encrypt, nik_hash, nik_mask, nik_validate
from spkt.core.numbering import number_format, number_next, unit_path
from spkt.core.pdf import qr_svg, render_pdf
from spkt.core.timeutil import hari, local, tanggal
from spkt.documents.items import SKTLK_ITEM_LABELS
from spkt.documents.models import Citizen, DocType, Document, DocumentFile, DocumentVoid, Gender
from spkt.dutylog.models import MutasiCategory
from spkt.dutylog.services import mutasi_append, shift_current
from spkt.org.models import Unit, User


def document_payload(doc: Document) -> dict:
    return {
        "type": "document",
        "doc_type": doc.doc_type,
        "number": doc.number,
        "year": doc.year,
        "seq": doc.seq,
        "issued_at": doc.issued_at,
        "issued_by": doc.issued_by_id,
        "shift": doc.shift_id,
        "citizen": doc.citizen_id,
        "subject_name": doc.subject_name,
        "valid_until": doc.valid_until,
        "snapshot": doc.snapshot,
        "verify_token": doc.verify_token,
        "idempotency_key": doc.idempotency_key,
        "replaces": doc.replaces_id,
    }


def void_payload(void: DocumentVoid) -> dict:
    return {
        "type": "document.void",
        "document": void.document_id,
        "reason": void.reason,
        "at": void.at,
        "by": void.by_id,
    }


register_ledgered(Document, document_payload)
register_ledgered(DocumentVoid, void_payload)


@dataclass(frozen=True)
class CitizenData:
    name: str
    nik: str
    birth_place: str
    birth_date: date
    gender: str
    address: str
    religion: str = ""
    nationality: str = "Indonesia"
    occupation: str = ""
    phone: str = ""
    kelurahan_id: int | None = None


@dataclass(frozen=True)
class LostItem:
    kind: str
    details: str = ""


def citizen_upsert(*, unit: Unit, data: CitizenData) -> Citizen:
    """Find the citizen by keyed NIK hash at this unit and refresh their identity, or create."""
    nik = nik_validate(data.nik)
    if data.gender not in Gender.values:
        raise ValidationError(_("Jenis kelamin tidak valid."))
    if data.kelurahan_id is not None and not unit.kelurahan.filter(pk=data.kelurahan_id).exists():
        raise ValidationError(_("Kelurahan tidak berada di wilayah satuan ini."))
    fields = {
        "name": data.name.strip(),
        "birth_place": data.birth_place.strip(),
        "birth_date": data.birth_date,
        "gender": data.gender,
        "address": data.address.strip(),
        "religion": data.religion.strip(),
        "nationality": data.nationality.strip() or "Indonesia",
        "occupation": data.occupation.strip(),
        "phone": data.phone.strip(),
        "kelurahan_id": data.kelurahan_id,
    }
    citizen, created = Citizen.objects.select_for_update().get_or_create(
        unit=unit,
        nik_hash=nik_hash(nik),
        defaults={**fields, "nik_encrypted": nik_encrypt(nik), "nik_masked": nik_mask(nik)},
    )
    if not created:
        for key, value in fields.items():
            setattr(citizen, key, value)
        citizen.save(update_fields=[*fields.keys()])
    return citizen


def letterhead(unit: Unit, chain: list[Unit] | None = None) -> dict:
    chain = chain if chain is not None else unit.ancestors_and_self()
    return {
        "lines": ["KEPOLISIAN NEGARA REPUBLIK INDONESIA", *(u.letterhead_name for u in chain)],
        "address": unit.address,
        "phone": unit.phone,
        "unit_name": unit.name,
        "city": unit.city,
        "head_title": unit.head_title,
    }


def verify_url(token: str) -> str:
    return settings.SPKT_PUBLIC_BASE_URL + reverse("portal:verify", args=[token])


def sktlk_issue(
    *,
    actor: User,
    unit: Unit,
    citizen: CitizenData,
    items: list[LostItem],
    lost_on: date,
    lost_place: str,
    chronology: str = "",
    idempotency_key: str,
) -> Document:
    """Issue an SKTLK. A repeated ``idempotency_key`` returns the document already issued."""
    existing = Document.objects.filter(unit=unit, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    try:
        return _sktlk_issue(
            actor=actor,
            unit=unit,
            citizen=citizen,
            items=items,
            lost_on=lost_on,
            lost_place=lost_place,
            chronology=chronology,
            idempotency_key=idempotency_key,
        )
    except IntegrityError:
        # A concurrent request with the same key won the race; its transaction has committed.
        existing = Document.objects.filter(unit=unit, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing


def _validate_sktlk(
    *, items: list[LostItem], lost_on: date, lost_place: str, idempotency_key: str, today: date
) -> None:
    errors = []
    if not items:
        errors.append(_("Isi sedikitnya satu barang/surat yang hilang."))
    if any(item.kind not in SKTLK_ITEM_LABELS for item in items):
        errors.append(_("Jenis barang/surat yang hilang tidak dikenal."))
    if lost_on > today:
        errors.append(_("Tanggal kehilangan tidak boleh di masa depan."))
    if not lost_place.strip():
        errors.append(_("Tempat kehilangan wajib diisi."))
    if not idempotency_key or len(idempotency_key) > 64:
        errors.append(_("Formulir tidak lengkap; muat ulang halaman lalu coba lagi."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def _sktlk_issue(
    *,
    actor: User,
    unit: Unit,
    citizen: CitizenData,
    items: list[LostItem],
    lost_on: date,
    lost_place: str,
    chronology: str,
    idempotency_key: str,
) -> Document:
    now = clock.now()
    today = local(now).date()
    _validate_sktlk(
        items=items,
        lost_on=lost_on,
        lost_place=lost_place,
        idempotency_key=idempotency_key,
        today=today,
    )
    person = citizen_upsert(unit=unit, data=citizen)
    shift = shift_current(unit=unit, at=now)
    chain = unit.ancestors_and_self()  # read before the counter lock: keep the locked part short
    if shift.ka_spkt is None:
        raise ValidationError(
            _(
                "Ka SPKT dinas belum ditetapkan untuk shift ini; "
                "hubungi admin untuk mengisi regu jaga."
            )
        )
    year, seq = number_next(unit=unit, doc_type=DocType.SKTLK, issued_at=now)
    number = number_format(
        unit=unit, doc_type=DocType.SKTLK, n=seq, issued_at=now, path=unit_path(unit, chain)
    )
    valid_until = today + timedelta(days=unit.sktlk_validity_days)
    token = secrets.token_urlsafe(16)
    with translation.override("id"):  # official documents are Indonesian whatever the UI says
        snapshot = _sktlk_snapshot(
            unit=unit,
            chain=chain,
            person=person,
            shift=shift,
            items=items,
            number=number,
            now=now,
            valid_until=valid_until,
            token=token,
            lost_on=lost_on,
            lost_place=lost_place,
            chronology=chronology,
        )
    doc = Document(
        unit=unit,
        doc_type=DocType.SKTLK,
        year=year,
        seq=seq,
        number=number,
        issued_at=now,
        issued_by=actor,
        shift=shift,
        citizen=person,
        subject_name=person.name,
        valid_until=valid_until,
        snapshot=snapshot,
        verify_token=token,
        idempotency_key=idempotency_key,
    )
    doc.ledger_entry = ledger_append(
        unit=unit, kind="documents.issued", payload=document_payload(doc)
    )
    doc.save()
    labels = ", ".join(entry["label"] for entry in snapshot["items"])
    mutasi_append(
        unit=unit,
        shift=shift,
        actor=actor,
        category=MutasiCategory.LAPORAN_MASYARAKAT,
        text=f"Menerbitkan {number} a.n. {person.name.upper()} (kehilangan: {labels}).",
    )
    audit_log(
        action="document.sktlk.issued", actor=actor, unit=unit, target=doc, data={"number": number}
    )
    transaction.on_commit(lambda: _enqueue_render(doc.pk))
    return doc


def _sktlk_snapshot(
    *,
    unit: Unit,
    chain: list[Unit],
    person: Citizen,
    shift,
    items: list[LostItem],
    number: str,
    now,
    valid_until: date,
    token: str,
    lost_on: date,
    lost_place: str,
    chronology: str,
) -> dict:
    today = local(now).date()
    return normalise(
        {
            "title": "SURAT KETERANGAN TANDA LAPOR KEHILANGAN",
            "number": number,
            "letterhead": letterhead(unit, chain),
            "issued_day": hari(today),
            "issued_date": tanggal(today),
            "issued_time": local(now).strftime("%H.%M"),
            "place_date": f"{unit.city or unit.name}, {tanggal(today)}",
            "reporter": {
                "name": person.name.upper(),
                "nik_masked": person.nik_masked,
                "birth": f"{person.birth_place}, {tanggal(person.birth_date)}",
                "gender": str(Gender(person.gender).label),
                "religion": person.religion,
                "nationality": person.nationality,
                "occupation": person.occupation,
                "address": person.address,
                "phone": person.phone,
            },
            "items": [
                {
                    "kind": item.kind,
                    "label": str(SKTLK_ITEM_LABELS[item.kind]),
                    "details": item.details.strip(),
                }
                for item in items
            ],
            "lost_on": f"{hari(lost_on)}, {tanggal(lost_on)}",
            "lost_place": lost_place.strip(),
            "chronology": chronology.strip(),
            "validity_days": unit.sktlk_validity_days,
            "valid_until": tanggal(valid_until),
            "signer": shift.ka_spkt.signature(post="KA SPKT"),
            "on_behalf": f"a.n. {unit.head_title}" if unit.head_title else "",
            "verify_url": verify_url(token),
        }
    )


def _enqueue_render(document_id: int) -> None:
    from spkt.documents.tasks import document_render_task

    document_render_task(document_id)


TEMPLATES = {DocType.SKTLK: "sktlk.typ"}


def document_render_data(doc: Document) -> dict:
    return {**doc.snapshot, "qr_svg": qr_svg(doc.snapshot["verify_url"])}


def document_pdf_ensure(*, document_id: int) -> DocumentFile:
    """Render and store the PDF once; later calls return the stored file untouched."""
    with transaction.atomic():
        doc = Document.objects.select_for_update().get(pk=document_id)
        existing = DocumentFile.objects.filter(document=doc).first()
        if existing is not None:
            return existing
        pdf = render_pdf(TEMPLATES[doc.doc_type], document_render_data(doc))
        stored = DocumentFile(document=doc, sha256=hashlib.sha256(pdf).hexdigest())
        stored.pdf.save(f"{doc.doc_type.lower()}-{doc.pk}.pdf", ContentFile(pdf), save=False)
        stored.save()
        return stored


@transaction.atomic
def document_void(*, actor: User, document: Document, reason: str) -> DocumentVoid:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Alasan pembatalan wajib diisi."))
    Document.objects.select_for_update().get(pk=document.pk)
    if DocumentVoid.objects.filter(document=document).exists():
        raise ValidationError(_("Dokumen ini sudah dibatalkan."))
    void = DocumentVoid(document=document, reason=reason, at=clock.now(), by=actor)
    void.ledger_entry = ledger_append(
        unit=document.unit, kind="documents.voided", payload=void_payload(void)
    )
    void.save()
    mutasi_append(
        unit=document.unit,
        actor=actor,
        category=MutasiCategory.LAIN_LAIN,
        text=f"Membatalkan {document.number}: {reason}",
        red=True,
    )
    audit_log(
        action="document.voided",
        actor=actor,
        unit=document.unit,
        target=document,
        data={"reason": reason},
    )
    return void
