"""Laporan Polisi (models A and B) and the STTLP: draft → (model B) case review with Reskrim →
issue, then Reskrim's progress notes that the reporter follows with a tracking code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.core.booktext import book_language
from spkt.core.codes import tracking_code
from spkt.core.ledger import ledger_append
from spkt.core.publicurl import public_url
from spkt.core.timeutil import hari, local, tanggal
from spkt.documents.models import (
    CaseProgress,
    Classification,
    DocType,
    Document,
    DraftStatus,
    Gender,
    LaporanDraft,
    LpModel,
    Pasal,
    ProgressStage,
)
from spkt.documents.prereg import prereg_mark_used
from spkt.documents.services import (
    PROGRESS,
    CitizenData,
    Issue,
    citizen_upsert,
    desk_context,
    idempotent,
    issue_document,
    progress_payload,
    reporter_block,
)
from spkt.documents.sources import source_issued, source_prefill
from spkt.dutylog.models import MutasiCategory, Shift
from spkt.dutylog.services import mutasi_append
from spkt.org.models import Personnel, Role, Unit, User

PERSON_KEYS = ("name", "birth", "gender", "occupation", "address", "contact")
PEOPLE_LISTS = ("reported", "victims", "witnesses")  # terlapor, korban, saksi in the draft's data


@dataclass
class LpContent:
    """What an officer writes in a Laporan Polisi before it is issued."""

    model: str
    classification: str
    event_when: datetime
    event_where: str
    event_what: str
    account: str
    citizen: CitizenData | None = None
    officer: Personnel | None = None
    reported: list[dict[str, Any]] = field(default_factory=list)
    victims: list[dict[str, Any]] = field(default_factory=list)
    witnesses: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    offences: list[Pasal] = field(default_factory=list)
    source: str = ""  # where the desk started it (spkt.documents.sources): issuing follows it
    reporter_is_victim: bool = False  # model B: the reporter is the (first) victim
    prereg: str = ""  # the citizen's pre-registration code, used up by this draft


def reporter_person(citizen: CitizenData) -> dict[str, Any]:
    """The model-B reporter as a row of the people lists (terlapor/korban/saksi)."""
    birth = ", ".join(
        part
        for part in (
            citizen.birth_place.strip(),
            tanggal(citizen.birth_date) if citizen.birth_date else "",
        )
        if part
    )
    with book_language():
        gender = str(Gender(citizen.gender).label) if citizen.gender in Gender.values else ""
    return {
        "name": citizen.name,
        "birth": birth,
        "gender": gender,
        "occupation": citizen.occupation or "",
        "address": citizen.address,
        "contact": citizen.phone or "",
    }


def _victims(content: LpContent) -> list[dict[str, Any]]:
    """The victims as written; "pelapor adalah korban" puts the reporter first (and once: a row
    the page's script already filled from the reporter is the same person)."""
    victims = _people(content.victims)
    if content.model != LpModel.B or not content.reporter_is_victim or content.citizen is None:
        return victims
    reporter = _people([reporter_person(content.citizen)])
    if not reporter:
        return victims
    name = reporter[0]["name"].casefold()
    return reporter + [v for v in victims if v["name"].casefold() != name]


def _people(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for row in rows:
        person = {k: str(row.get(k, "") or "").strip()[:200] for k in PERSON_KEYS}
        if person["name"]:
            cleaned.append(person)
    return cleaned


def _validate(content: LpContent, unit: Unit) -> None:
    errors = []
    if content.model not in LpModel.values:
        errors.append(_("Model LP tidak dikenal."))
    if content.classification not in Classification.values:
        errors.append(_("Klasifikasi tidak dikenal."))
    if content.model == LpModel.B and content.citizen is None:
        errors.append(_("LP model B wajib memuat identitas pelapor."))
    if content.model == LpModel.A and (
        content.officer is None or content.officer.unit_id != unit.pk
    ):
        errors.append(_("LP model A wajib memuat anggota Polri pelapor dari satuan ini."))
    if not content.event_where.strip() or not content.event_what.strip():
        errors.append(_("Tempat dan peristiwa yang dilaporkan wajib diisi."))
    if content.event_when > clock.now():
        errors.append(_("Waktu kejadian tidak boleh di masa depan."))
    if not content.account.strip():
        errors.append(_("Uraian singkat kejadian wajib diisi."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def lp_draft_save(
    *, actor: User, unit: Unit, content: LpContent, draft: LaporanDraft | None = None
) -> LaporanDraft:
    """Create or update a draft. Changing a reviewed model-B draft asks for the review again."""
    _validate(content, unit)
    if draft is not None:
        draft = LaporanDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.status == DraftStatus.ISSUED:
            raise ValidationError(_("LP ini sudah diterbitkan dan tidak dapat diubah."))
    person = citizen_upsert(unit=unit, data=content.citizen) if content.citizen else None
    data: dict[str, Any] = {
        "event": {
            "when": local(content.event_when).isoformat(),
            "where": content.event_where.strip(),
            "what": content.event_what.strip(),
        },
        "reported": _people(content.reported),
        "victims": _victims(content),
        "witnesses": _people(content.witnesses),
        "account": content.account.strip(),
        "evidence": [e.strip() for e in content.evidence if e.strip()],
        "actions": [a.strip() for a in content.actions if a.strip()],
    }
    if content.model == LpModel.B and content.reporter_is_victim:
        data["reporter_is_victim"] = True
    if draft is not None and draft.data.get("replaces"):
        data["replaces"] = draft.data["replaces"]
    source = content.source or (draft.data.get("source", "") if draft is not None else "")
    if source:
        source_prefill(user=actor, unit=unit, value=source)  # another station's: refused
        data["source"] = source
    if draft is None:
        draft = LaporanDraft(unit=unit, created_by=actor, created_at=clock.now())
    draft.model = content.model
    draft.classification = content.classification
    draft.citizen = person
    draft.officer = content.officer if content.model == LpModel.A else None
    draft.data = data
    draft.status = DraftStatus.DRAFT
    draft.reviewed_by, draft.reviewed_at, draft.recommendation = None, None, ""
    draft.save()
    draft.offences.set(content.offences)
    if content.prereg:  # in this transaction: a draft that is not saved leaves the code usable
        prereg_mark_used(unit=unit, code=content.prereg, document=None)
    audit_log(action="document.lp.draft_saved", actor=actor, unit=unit, target=draft)
    return draft


@transaction.atomic
def lp_review(
    *, actor: User, draft: LaporanDraft, recommendation: str, offences: list[Pasal]
) -> LaporanDraft:
    """The short case review (gelar awal): a Reskrim officer of the unit recommends the article."""
    draft = LaporanDraft.objects.select_for_update().get(pk=draft.pk)
    if not actor.has_role(Role.RESKRIM) or actor.unit_id != draft.unit_id:
        raise ValidationError(_("Gelar awal dilakukan oleh anggota Reskrim satuan ini."))
    if draft.status == DraftStatus.ISSUED:
        raise ValidationError(_("LP ini sudah diterbitkan."))
    if not recommendation.strip():
        raise ValidationError(_("Rekomendasi Reskrim wajib diisi."))
    if not offences:
        raise ValidationError(_("Pilih sedikitnya satu pasal yang direkomendasikan."))
    draft.recommendation = recommendation.strip()
    draft.reviewed_by, draft.reviewed_at = actor, clock.now()
    draft.status = DraftStatus.REVIEWED
    draft.save(update_fields=["recommendation", "reviewed_by", "reviewed_at", "status"])
    draft.offences.set(offences)
    audit_log(action="document.lp.reviewed", actor=actor, unit=draft.unit, target=draft)
    return draft


@book_language()  # printed on the LP and quoted in the book
def _offence_rows(draft: LaporanDraft) -> list[dict[str, Any]]:
    return [
        {"book": p.get_book_display(), "article": p.article, "title": p.title}
        for p in draft.offences.order_by("book", "article")
    ]


def _event_when(draft: LaporanDraft) -> str:
    when = datetime.fromisoformat(draft.data["event"]["when"])
    return f"{hari(when.date())}, {tanggal(when.date())} sekitar pukul {when:%H.%M} WITA"


@book_language()  # printed on the LP
def _reporter(draft: LaporanDraft) -> tuple[str, dict[str, Any], str]:
    if draft.model == LpModel.B:
        if draft.citizen is None:  # lp_draft_save keeps a model B draft's reporter
            raise ValueError("an LP model B draft without its reporter")
        block = reporter_block(draft.citizen)
        return "citizen", block, block["name"]
    officer = draft.officer
    if officer is None:  # lp_draft_save keeps a model A draft's officer
        raise ValueError("an LP model A draft without its officer")
    return (
        "officer",
        {
            "name": officer.name.upper(),
            "pangkat": officer.pangkat,
            "nrp": officer.nrp,
            "jabatan": officer.jabatan,
        },
        officer.name.upper(),
    )


def lp_issue(*, actor: User, draft: LaporanDraft, idempotency_key: str) -> Document:
    """Issue the LP (and, for model B, the STTLP to the reporter). Returns the LP."""
    return idempotent(
        unit=draft.unit,
        key=idempotency_key,
        issue=lambda: _lp_issue(actor=actor, draft=draft, key=idempotency_key),
    )


@transaction.atomic
def _lp_issue(*, actor: User, draft: LaporanDraft, key: str) -> Document:
    draft = (
        LaporanDraft.objects.select_for_update(of=("self",))
        .select_related("citizen", "officer", "reviewed_by", "unit")
        .get(pk=draft.pk)
    )
    unit = draft.unit
    if draft.status == DraftStatus.ISSUED:
        raise ValidationError(_("LP ini sudah diterbitkan."))
    if draft.model == LpModel.B and draft.status != DraftStatus.REVIEWED:
        raise ValidationError(
            _("LP model B baru dapat diterbitkan setelah gelar awal dengan Reskrim.")
        )
    offences = _offence_rows(draft)
    if not offences:
        raise ValidationError(_("Pilih sedikitnya satu pasal tindak pidana."))
    now = clock.now()
    shift, chain = desk_context(unit, now)
    kind, reporter, sign_name = _reporter(draft)
    doc_type = DocType.LP_B if draft.model == LpModel.B else DocType.LP_A
    code = tracking_code() if draft.model == LpModel.B else ""
    with book_language():
        review = None
        if draft.model == LpModel.B:
            reviewer = draft.reviewed_by
            if reviewer is None or draft.reviewed_at is None:  # checked above: REVIEWED
                raise ValueError("a reviewed LP draft without its review")
            name = (
                reviewer.personnel.__str__()
                if hasattr(reviewer, "personnel")
                else reviewer.get_full_name() or reviewer.username
            )
            review = {
                "by": name,
                "at": f"{local(draft.reviewed_at):%d-%m-%Y %H.%M} WITA",
                "recommendation": draft.recommendation,
            }

        def build_lp(issue: Issue) -> dict[str, Any]:
            return {
                "title": "LAPORAN POLISI",
                "model": draft.model,
                "classification": draft.classification,
                "reporter_kind": kind,
                "reporter": reporter,
                "reporter_sign_name": sign_name,
                "event": {
                    "when": _event_when(draft),
                    "where": draft.data["event"]["where"],
                    "what": draft.data["event"]["what"],
                },
                "reported": draft.data["reported"],
                "victims": draft.data["victims"],
                "witnesses": draft.data["witnesses"],
                "account": draft.data["account"],
                "offence": offences,
                "evidence": draft.data["evidence"],
                "actions": draft.data["actions"] or _default_actions(draft),
                "review": review,
                "replaces": replaces.number if replaces else "",
                "tracking_code": code,
            }

    replaces = (
        Document.objects.filter(pk=draft.data.get("replaces"), unit=unit).first()
        if draft.data.get("replaces")
        else None
    )
    lp = issue_document(
        replaces=replaces,
        actor=actor,
        unit=unit,
        doc_type=doc_type,
        shift=shift,
        chain=chain,
        now=now,
        citizen=draft.citizen,
        subject_name=sign_name,
        idempotency_key=key,
        build=build_lp,
        tracking_code=code,
    )
    sttlp = None
    if draft.model == LpModel.B:
        sttlp = _issue_sttlp(
            actor=actor, lp=lp, draft=draft, shift=lp.shift, chain=chain, now=now, key=key
        )
    LaporanDraft.objects.filter(pk=draft.pk).update(status=DraftStatus.ISSUED, document=lp)
    with book_language():
        text = _("Menerbitkan %(number)s a.n. %(name)s (%(pasal)s)") % {
            "number": lp.number,
            "name": sign_name,
            "pasal": ", ".join(f"Pasal {o['article']} {o['book']}" for o in lp.snapshot["offence"]),
        }
        if sttlp is not None:
            text += _("; STTLP %(number)s diserahkan kepada pelapor") % {"number": sttlp.number}
        mutasi_append(
            unit=unit,
            shift=lp.shift,
            head=(sttlp or lp).book_head,  # the head as the last issue left it
            actor=actor,
            category=MutasiCategory.LAPORAN_MASYARAKAT,
            text=text + ".",
        )
    audit_log(
        action="document.lp.issued", actor=actor, unit=unit, target=lp, data={"number": lp.number}
    )
    # The contact the desk started it from is closed with it, in this transaction (after the
    # LP's own book entry, which is written on the head the issue left locked).
    source_issued(actor=actor, document=lp, value=draft.data.get("source", ""))
    return lp


def _default_actions(draft: LaporanDraft) -> list[str]:
    actions = ["Membuat Laporan Polisi"]
    if draft.model == LpModel.B:
        actions += ["Menerbitkan Surat Tanda Terima Laporan Polisi", "Meneruskan ke Unit Reskrim"]
    return actions


def _sttlp_text_size(account: str, reported: str, draft: LaporanDraft, lp: Document) -> int:
    """The STTLP is one sheet: the longer its free texts, the smaller the type (11 to 10 pt)."""
    length = (
        min(len(account), 400)
        + len(reported)
        + len(draft.data["event"]["what"])
        + sum(len(o["title"]) + 30 for o in lp.snapshot["offence"])
    )
    return 110 if length <= 450 else 105 if length <= 700 else 100


def _issue_sttlp(
    *,
    actor: User,
    lp: Document,
    draft: LaporanDraft,
    shift: Shift,
    chain: list[Unit],
    now: datetime,
    key: str,
) -> Document:
    reported = ", ".join(p["name"] for p in draft.data["reported"]) or "Belum diketahui"
    if len(reported) > 200:
        reported = reported[:197] + "..."
    account = draft.data["account"]

    def build(issue: Issue) -> dict[str, Any]:
        return {
            "title": "SURAT TANDA TERIMA LAPORAN POLISI",
            "reporter": lp.snapshot["reporter"],
            "subject": draft.data["event"]["what"][:200],
            "lp_number": lp.number,
            "lp_date": tanggal(local(lp.issued_at).date()),
            "reported_summary": reported,
            "account_short": account if len(account) <= 400 else account[:397] + "...",
            "offence": lp.snapshot["offence"],
            "tracking_code": lp.tracking_code,
            "tracking_url": public_url(reverse("portal:track", args=[lp.tracking_code])),
            "text_tenths": _sttlp_text_size(account, reported, draft, lp),
        }

    return issue_document(
        actor=actor,
        unit=lp.unit,
        doc_type=DocType.STTLP,
        shift=shift,
        chain=chain,
        now=now,
        citizen=lp.citizen,
        subject_name=lp.subject_name,
        idempotency_key=f"{key}:sttlp"[:64],
        build=build,
        parent=lp,
        tracking_code=lp.tracking_code,
    )


@transaction.atomic
def progress_add(
    *, actor: User, lp: Document, stage: str, public_note: str, internal_note: str = ""
) -> CaseProgress:
    """Reskrim records progress (SP2HP); the public note is what the reporter reads."""
    if lp.doc_type not in (DocType.LP_A, DocType.LP_B):
        raise ValidationError(_("Perkembangan hanya dicatat pada Laporan Polisi."))
    if not actor.has_role(Role.RESKRIM) or actor.unit_id != lp.unit_id:
        raise ValidationError(_("Perkembangan perkara dicatat oleh Reskrim satuan ini."))
    if stage not in ProgressStage.values:
        raise ValidationError(_("Tahap tidak dikenal."))
    if not public_note.strip():
        raise ValidationError(_("Catatan untuk pelapor wajib diisi."))
    note = CaseProgress(
        document=lp,
        at=clock.now(),
        by=actor,
        stage=stage,
        public_note=public_note.strip()[:2000],
        internal_note=internal_note.strip()[:2000],
    )
    note.ledger_entry = ledger_append(unit=lp.unit, kind=PROGRESS, payload=progress_payload(note))
    note.save()
    audit_log(
        action="document.lp.progress", actor=actor, unit=lp.unit, target=lp, data={"stage": stage}
    )
    return note


@transaction.atomic
def lp_reissue_draft(*, actor: User, old: Document, reason: str) -> LaporanDraft:
    """Correcting an issued LP: void it with the reason and open a new draft with its content;
    issuing that draft gives a new number that refers to the old one."""
    from spkt.documents.services import document_void

    if old.doc_type not in (DocType.LP_A, DocType.LP_B):
        raise ValidationError(_("Hanya Laporan Polisi yang diterbitkan ulang di sini."))
    source = LaporanDraft.objects.filter(document=old).first()
    if source is None:
        raise ValidationError(_("Konsep asal LP ini tidak ditemukan."))
    document_void(actor=actor, document=old, reason=reason)
    for child in old.children.filter(void__isnull=True):
        document_void(actor=actor, document=child, reason=reason)
    draft = LaporanDraft.objects.create(
        unit=old.unit,
        model=source.model,
        classification=source.classification,
        citizen=source.citizen,
        officer=source.officer,
        data={**source.data, "replaces": old.pk},
        created_by=actor,
        created_at=clock.now(),
    )
    draft.offences.set(source.offences.all())
    audit_log(
        action="document.lp.reissue_started",
        actor=actor,
        unit=old.unit,
        target=draft,
        data={"replaces": old.number},
    )
    return draft
