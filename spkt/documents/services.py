"""Writes for documents. ``issue_document`` is the one way a document comes to exist: it takes
the number, signs the QR payload with the unit's key, snapshots what is printed, chains the row
into the ledger and renders the PDF after commit. SKTLK issue, extension and reissue live here;
LP/STTLP in documents.lp; pre-registration in documents.prereg."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.core.booktext import book_language
from spkt.core.canonical import normalise
from spkt.core.ledger import ledger_append, register_ledgered
from spkt.core.nik import nik_encrypt, nik_hash, nik_mask, nik_redact, nik_validate
from spkt.core.numbering import number_format, number_next, unit_path
from spkt.core.pdf import qr_svg, render_pdf
from spkt.core.publicurl import public_url
from spkt.core.signing import sign, signing_key
from spkt.core.timeutil import hari, local, tanggal
from spkt.documents.items import SKTLK_ITEM_LABELS, SKTLK_PAPERS
from spkt.documents.models import (
    CaseProgress,
    Citizen,
    DocType,
    Document,
    DocumentFile,
    DocumentVoid,
    Gender,
    PreRegistration,
)
from spkt.documents.sources import source_issued
from spkt.dutylog.models import MutasiCategory, Shift, ShiftStatus
from spkt.dutylog.selectors import shift_on_duty
from spkt.dutylog.services import book_lock, categories_for, mutasi_append, shift_current
from spkt.org.models import Personnel, Unit, User

T = TypeVar("T")


def document_payload(doc: Document) -> dict[str, Any]:
    payload = {
        "type": "document",
        "unit": doc.unit_id,  # since ADR 0032; older entries lack it and still verify
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
    # Later fields join the hashed payload only when set, so earlier entries still verify.
    if doc.parent_id:
        payload["parent"] = doc.parent_id
    if doc.tracking_code:
        payload["tracking_code"] = doc.tracking_code
    return payload


def void_payload(void: DocumentVoid) -> dict[str, Any]:
    return {
        "type": "document.void",
        "unit": void.document.unit_id,  # since ADR 0032
        "document": void.document_id,
        "reason": void.reason,
        "at": void.at,
        "by": void.by_id,
    }


def progress_payload(note: CaseProgress) -> dict[str, Any]:
    return {
        "type": "document.progress",
        "unit": note.document.unit_id,
        "document": note.document_id,
        "at": note.at,
        "by": note.by_id,
        "stage": note.stage,
        "public_note": note.public_note,
        "internal_note": note.internal_note,
    }


# Ledger kinds and the tables that hold their records: verify_ledger checks both ways (ADR 0032).
ISSUED, VOIDED, PROGRESS = "documents.issued", "documents.voided", "documents.progress"
register_ledgered(Document, document_payload, kinds=(ISSUED,))
register_ledgered(
    DocumentVoid,
    void_payload,
    kinds=(VOIDED,),
    unit="document__unit",
    select_related=("document",),
)
register_ledgered(
    CaseProgress,
    progress_payload,
    kinds=(PROGRESS,),
    unit="document__unit",
    select_related=("document",),
)


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
    papers_checked: bool = False


def citizen_upsert(*, unit: Unit, data: CitizenData) -> Citizen:
    """Find the citizen by keyed NIK hash at this unit and refresh their identity, or create."""
    nik = nik_validate(data.nik)
    if data.gender not in Gender.values:
        raise ValidationError(_("Jenis kelamin tidak valid."))
    if not data.name.strip() or not data.address.strip() or not data.birth_place.strip():
        raise ValidationError(_("Nama, tempat lahir dan alamat wajib diisi."))
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


@book_language()  # printed on documents
def reporter_block(person: Citizen) -> dict[str, Any]:
    return {
        "name": person.name.upper(),
        "nik_masked": person.nik_masked,
        "birth": f"{person.birth_place}, {tanggal(person.birth_date)}",
        "gender": str(Gender(person.gender).label),
        "religion": person.religion,
        "nationality": person.nationality,
        "occupation": person.occupation,
        "address": person.address,
        "phone": person.phone,
    }


def verify_url(token: str) -> str:
    return public_url(reverse("portal:verify", args=[token]))


# --- The one issuing path ------------------------------------------------------------------------
@dataclass(frozen=True)
class Issue:
    """What a snapshot builder may use: everything is decided before it runs."""

    unit: Unit
    chain: list[Unit]
    shift: Shift
    now: datetime
    number: str
    token: str

    @property
    def today(self) -> date:
        return local(self.now).date()

    def _signer(self) -> Personnel:
        if self.shift.ka_spkt is None:  # _check_signer refused such a shift before the issue
            raise ValueError("a shift without its Ka SPKT cannot sign")
        return self.shift.ka_spkt

    def common(self) -> dict[str, Any]:
        today = self.today
        unit = self.unit
        return {
            "number": self.number,
            "letterhead": unit.letterhead(self.chain),
            "issued_day": hari(today),
            "issued_date": tanggal(today),
            "issued_time": local(self.now).strftime("%H.%M"),
            "place_date": f"{unit.city or unit.name}, {tanggal(today)}",
            "signer": self._signer().signature(post="KA SPKT"),
            "on_behalf": f"a.n. {unit.head_title}" if unit.head_title else "",
        }


def _check_signer(shift: Shift) -> Shift:
    if shift.ka_spkt is None:
        raise ValidationError(
            _(
                "Ka SPKT dinas belum ditetapkan untuk shift ini; "
                "hubungi admin untuk mengisi regu jaga."
            )
        )
    return shift


def desk_context(unit: Unit, now: datetime) -> tuple[Shift, list[Unit]]:
    """The shift that signs and the unit chain, read before any lock: ``issue_document`` checks
    under the book lock that the shift was not sealed meanwhile (a handover at that moment) and
    then signs with the incoming shift instead. Only when the roster holds no shift yet is it
    planned here, under the lock (``shift_current``)."""
    shift = shift_on_duty(unit=unit, at=now)
    if shift is None or shift.status == ShiftStatus.CLOSED:
        shift = shift_current(unit=unit, at=now)
    return _check_signer(shift), unit.ancestors_and_self()


def _shift_under_lock(unit: Unit, shift: Shift, now: datetime) -> Shift:
    """Under the book lock: the shift read before it, unless a handover sealed it meanwhile."""
    if Shift.objects.filter(pk=shift.pk, status=ShiftStatus.CLOSED).exists():
        return _check_signer(shift_current(unit=unit, at=now))
    return shift


# --- What other apps add to a document being issued ---------------------------------------------
@dataclass(frozen=True)
class IssueExtra:
    """What an app adds to one document being issued: ``fields()`` go into the snapshot (called
    in the book language, so printed texts and links are Indonesian); ``attach(doc)`` runs once
    the document has an id, in the issuing transaction."""

    fields: Callable[[], dict[str, Any]]
    attach: Callable[[Document], None]


# Hooks called as ``hook(unit=, doc_type=)`` at the start of ``issue_document``, before the locks
# (what they read and write must not wait on the book): each returns an ``IssueExtra`` or None
# when it adds nothing to that type. The satisfaction survey (spkt.reports.ikm) registers the
# invitation whose link is printed on the citizen's SKTLK/STTLP. Apps register from their
# AppConfig.ready(), so documents does not import them.
ISSUE_EXTRAS: list[Callable[..., IssueExtra | None]] = []


def register_issue_extra(hook: Callable[..., IssueExtra | None]) -> None:
    if hook not in ISSUE_EXTRAS:
        ISSUE_EXTRAS.append(hook)


def issue_document(
    *,
    actor: User,
    unit: Unit,
    doc_type: str,
    shift: Shift,
    chain: list[Unit],
    now: datetime,
    subject_name: str,
    idempotency_key: str,
    build: Callable[[Issue], dict[str, Any]],
    citizen: Citizen | None = None,
    valid_until: date | None = None,
    parent: Document | None = None,
    replaces: Document | None = None,
    tracking_code: str = "",
) -> Document:
    """Number, sign, snapshot and chain a document. Call inside the caller's transaction, after
    everything that can be read has been read: from here the unit's book lock and number counter
    stay locked until commit, so only the writes that need them come after. The document's
    ``shift`` is the one that holds the book at that moment (the caller's, unless a handover
    sealed it meanwhile): callers book the issue with ``shift=doc.shift``."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValidationError(_("Formulir tidak lengkap; muat ulang halaman lalu coba lagi."))
    # Read and written before the locks: what other apps add (the survey invitation) and the
    # unit's signing key.
    extras = [
        extra
        for extra in (hook(unit=unit, doc_type=doc_type) for hook in ISSUE_EXTRAS)
        if extra is not None
    ]
    key = signing_key(unit)
    head = book_lock(unit=unit)
    shift = _shift_under_lock(unit, shift, now)
    year, seq = number_next(unit=unit, doc_type=doc_type, issued_at=now)
    number = number_format(
        unit=unit, doc_type=doc_type, n=seq, issued_at=now, path=unit_path(unit, chain)
    )
    token = secrets.token_urlsafe(16)
    issue = Issue(unit=unit, chain=chain, shift=shift, now=now, number=number, token=token)
    signed, signature = sign(
        key,
        {
            "n": number,
            "t": doc_type,
            "d": issue.today.isoformat(),
            "u": unit.code,
            "s": "valid",
            "a": subject_name.upper(),
            "k": token,
        },
    )
    with book_language():  # official documents are Indonesian whatever the UI says
        snapshot = normalise(
            {
                **issue.common(),
                **build(issue),
                "verify_url": f"{verify_url(token)}?p={signed}&s={signature}",
                **{k: v for extra in extras for k, v in extra.fields().items()},
            }
        )
    doc = Document(
        unit=unit,
        doc_type=doc_type,
        year=year,
        seq=seq,
        number=number,
        issued_at=now,
        issued_by=actor,
        shift=shift,
        citizen=citizen,
        subject_name=subject_name,
        valid_until=valid_until,
        snapshot=snapshot,
        verify_token=token,
        idempotency_key=idempotency_key,
        parent=parent,
        replaces=replaces,
        tracking_code=tracking_code,
    )
    doc.ledger_entry = ledger_append(
        unit=unit, kind=ISSUED, payload=document_payload(doc), head=head
    )
    doc.save()
    doc.book_head = head  # held until commit: the caller's book entry passes it on
    for extra in extras:
        extra.attach(doc)
    transaction.on_commit(lambda: _enqueue_render(doc.pk))
    return doc


# Apps that follow an issued document register a hook here (field help: the LP of a task closes
# the contact the task came from). Hooks run in the issuing transaction: a failure issues nothing.
ISSUED_HOOKS: list[Callable[[object], None]] = []


def idempotent(*, unit: Unit, key: str, issue: Callable[[], T]) -> T | Document:
    """Run ``issue`` once per key: a repeated or concurrent submission gets the first document."""
    existing = Document.objects.filter(unit=unit, idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            issued = issue()
            for hook in ISSUED_HOOKS:
                hook(issued)
            return issued
    except IntegrityError:
        # A concurrent request with the same key won the race; its transaction has committed.
        existing = Document.objects.filter(unit=unit, idempotency_key=key).first()
        if existing is None:
            raise
        return existing


# --- SKTLK ------------------------------------------------------------------------------------
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
    prereg_code: str = "",
    source: str = "",
) -> Document:
    """Issue an SKTLK. A repeated ``idempotency_key`` returns the document already issued.
    ``source`` is where the desk started it (``kontak:<pk>``): that contact is closed with it."""
    return idempotent(
        unit=unit,
        key=idempotency_key,
        issue=lambda: _sktlk_issue(
            actor=actor,
            unit=unit,
            citizen=citizen,
            items=items,
            lost_on=lost_on,
            lost_place=lost_place,
            chronology=chronology,
            idempotency_key=idempotency_key,
            prereg_code=prereg_code,
            source=source,
        ),
    )


def _validate_items(items: list[LostItem]) -> None:
    if not items:
        raise ValidationError(_("Isi sedikitnya satu barang/surat yang hilang."))
    if any(item.kind not in SKTLK_ITEM_LABELS for item in items):
        raise ValidationError(_("Jenis barang/surat yang hilang tidak dikenal."))
    unchecked = [str(SKTLK_ITEM_LABELS[i.kind]) for i in items if not i.papers_checked]
    if unchecked:
        raise ValidationError(
            _("Persyaratan untuk %(items)s belum diperiksa.") % {"items": ", ".join(unchecked)}
        )


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
    replaces: Document | None = None,
    prereg_code: str = "",
    source: str = "",
) -> Document:
    now = clock.now()
    today = local(now).date()
    errors = []
    if lost_on > today:
        errors.append(_("Tanggal kehilangan tidak boleh di masa depan."))
    if not lost_place.strip():
        errors.append(_("Tempat kehilangan wajib diisi."))
    if errors:
        raise ValidationError(errors)
    _validate_items(items)
    person = citizen_upsert(unit=unit, data=citizen)
    shift, chain = desk_context(unit, now)
    categories = categories_for(unit)  # read now: the book entry is written under the lock
    with book_language():
        body = _sktlk_body(person, items, lost_on, lost_place, chronology)
    doc = _issue_sktlk(
        actor=actor,
        unit=unit,
        shift=shift,
        chain=chain,
        now=now,
        person=person,
        body=body,
        idempotency_key=idempotency_key,
        replaces=replaces,
    )
    labels = ", ".join(entry["label"] for entry in doc.snapshot["items"])
    with book_language():
        mutasi_append(
            unit=unit,
            shift=doc.shift,
            head=doc.book_head,
            categories=categories,
            actor=actor,
            category=MutasiCategory.LAPORAN_MASYARAKAT,
            text=f"Menerbitkan {doc.number} a.n. {person.name.upper()} (kehilangan: {labels}).",
        )
    audit_log(
        action="document.sktlk.issued",
        actor=actor,
        unit=unit,
        target=doc,
        data={"number": doc.number},
    )
    if prereg_code:
        PreRegistration.objects.filter(unit=unit, code=prereg_code.upper(), used_at=None).update(
            used_at=now, document=doc
        )
    source_issued(actor=actor, document=doc, value=source)
    return doc


def _sktlk_body(
    person: Citizen, items: list[LostItem], lost_on: date, lost_place: str, chronology: str
) -> dict[str, Any]:
    return {
        "title": "SURAT KETERANGAN TANDA LAPOR KEHILANGAN",
        "reporter": reporter_block(person),
        "items": [
            {
                "kind": i.kind,
                "label": str(SKTLK_ITEM_LABELS[i.kind]),
                "details": i.details.strip(),
                "papers": str(SKTLK_PAPERS[i.kind]),
            }
            for i in items
        ],
        "lost_on": f"{hari(lost_on)}, {tanggal(lost_on)}",
        "lost_place": lost_place.strip(),
        "chronology": chronology.strip(),
    }


def _issue_sktlk(
    *,
    actor: User,
    unit: Unit,
    shift: Shift,
    chain: list[Unit],
    now: datetime,
    person: Citizen | None,
    body: dict[str, Any],
    idempotency_key: str,
    replaces: Document | None = None,
) -> Document:
    valid_until = local(now).date() + timedelta(days=unit.sktlk_validity_days)

    def build(issue: Issue) -> dict[str, Any]:
        extra = {"replaces": replaces.number} if replaces is not None else {}
        return {
            **_without_full_nik(body),
            **extra,
            "validity_days": unit.sktlk_validity_days,
            "valid_until": tanggal(valid_until),
        }

    return issue_document(
        actor=actor,
        unit=unit,
        doc_type=DocType.SKTLK,
        shift=shift,
        chain=chain,
        now=now,
        citizen=person,
        subject_name=person.name if person else body["reporter"]["name"],
        valid_until=valid_until,
        idempotency_key=idempotency_key,
        build=build,
        replaces=replaces,
    )


def _without_full_nik(body: dict[str, Any]) -> dict[str, Any]:
    """ADR 0009 for the free text too: a NIK typed into an item line (the number of the lost KTP)
    or the chronology prints masked like the reporter's, here and on every extension."""
    redacted = {
        **body,
        "items": [{**item, "details": nik_redact(item["details"])} for item in body["items"]],
    }
    for key in ("lost_place", "chronology"):
        if key in body:
            redacted[key] = nik_redact(body[key])
    return redacted


_CARRIED = ("title", "reporter", "items", "lost_on", "lost_place", "chronology")


def sktlk_extend(*, actor: User, old: Document, idempotency_key: str) -> Document:
    """Extension: a new certificate, valid from today, that refers to the old one."""
    return idempotent(
        unit=old.unit,
        key=idempotency_key,
        issue=lambda: _sktlk_extend(actor=actor, old=old, key=idempotency_key),
    )


@transaction.atomic
def _sktlk_extend(*, actor: User, old: Document, key: str) -> Document:
    old = Document.objects.select_for_update().get(pk=old.pk)
    if old.doc_type != DocType.SKTLK:
        raise ValidationError(_("Hanya SKTLK yang dapat diperpanjang."))
    if hasattr(old, "void") or old.replaced_by.exists():
        raise ValidationError(_("SKTLK ini sudah dibatalkan atau diganti."))
    now = clock.now()
    shift, chain = desk_context(old.unit, now)
    body = {k: old.snapshot[k] for k in _CARRIED if k in old.snapshot}
    doc = _issue_sktlk(
        actor=actor,
        unit=old.unit,
        shift=shift,
        chain=chain,
        now=now,
        person=old.citizen,
        body=body,
        idempotency_key=key,
        replaces=old,
    )
    with book_language():
        mutasi_append(
            unit=old.unit,
            shift=doc.shift,
            head=doc.book_head,
            actor=actor,
            category=MutasiCategory.LAPORAN_MASYARAKAT,
            text=f"Memperpanjang {old.number} dengan {doc.number} a.n. {doc.subject_name.upper()}.",
        )
    audit_log(
        action="document.sktlk.extended",
        actor=actor,
        unit=old.unit,
        target=doc,
        data={"replaces": old.number},
    )
    return doc


# --- Rendering --------------------------------------------------------------------------------
def _enqueue_render(document_id: int) -> None:
    from spkt.documents.tasks import document_render_task

    document_render_task(document_id)


TEMPLATES: dict[str, str] = {
    DocType.SKTLK: "sktlk.typ",
    DocType.LP_A: "lp.typ",
    DocType.LP_B: "lp.typ",
    DocType.STTLP: "sttlp.typ",
}


def document_render_data(doc: Document) -> dict[str, Any]:
    survey = doc.snapshot.get("survey_url")
    extra = {"survey_qr_svg": qr_svg(survey)} if survey else {}
    return {**doc.snapshot, "qr_svg": qr_svg(doc.snapshot["verify_url"]), **extra}


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


# --- Void -------------------------------------------------------------------------------------
@transaction.atomic
def document_void(*, actor: User, document: Document, reason: str) -> DocumentVoid:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Alasan pembatalan wajib diisi."))
    Document.objects.select_for_update().get(pk=document.pk)
    if DocumentVoid.objects.filter(document=document).exists():
        raise ValidationError(_("Dokumen ini sudah dibatalkan."))
    void = DocumentVoid(document=document, reason=reason, at=clock.now(), by=actor)
    void.ledger_entry = ledger_append(unit=document.unit, kind=VOIDED, payload=void_payload(void))
    void.save()
    with book_language():
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


def sktlk_reissue(
    *,
    actor: User,
    old: Document,
    reason: str,
    citizen: CitizenData,
    items: list[LostItem],
    lost_on: date,
    lost_place: str,
    chronology: str = "",
    idempotency_key: str,
) -> Document:
    """Correct an SKTLK: void the old one with the reason and issue a new number referring to it,
    in one transaction."""

    @transaction.atomic
    def run() -> Document:
        document_void(actor=actor, document=old, reason=reason)
        doc = _sktlk_issue(
            actor=actor,
            unit=old.unit,
            citizen=citizen,
            items=items,
            lost_on=lost_on,
            lost_place=lost_place,
            chronology=chronology,
            idempotency_key=idempotency_key,
            replaces=old,
        )
        return doc

    if old.doc_type != DocType.SKTLK:
        raise ValidationError(_("Hanya SKTLK yang dapat diterbitkan ulang di sini."))
    return idempotent(unit=old.unit, key=idempotency_key, issue=run)
