"""Hand-off of a TPTKP task to a Laporan Polisi model A: the draft is written by the documents
app's own service (documents.lp.lp_draft_save) with what the task knows, and issuing it closes the
contact the task came from, in the issuing transaction (documents.services.ISSUED_HOOKS)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spkt.core.audit import audit_log
from spkt.core.booktext import book_language
from spkt.core.timeutil import local
from spkt.documents.lp import LpContent, lp_draft_save
from spkt.documents.models import Classification, DocType, Document, LaporanDraft, LpModel
from spkt.fieldhelp.models import AssetKind, Family, Task, TaskStatus
from spkt.org.models import Personnel, User

WITNESS_SEPARATORS = (" - ", " — ", ", ", "; ")


def _reporting_officer(task: Task, actor: User) -> Personnel | None:
    """The LP model A is reported by an officer who went to the scene: the first one dispatched,
    else the desk officer writing it."""
    first = (
        task.assignments.filter(kind=AssetKind.PERSONNEL, personnel__unit=task.unit)
        .select_related("personnel")
        .order_by("assigned_at", "pk")
        .first()
    )
    if first is not None:
        return first.personnel
    person = getattr(actor, "personnel", None)
    return person if person is not None and person.unit_id == task.unit_id else None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _witness(line: str) -> dict:
    """ "Name - contact" (or "Name, contact") as the LP's person row."""
    for sep in WITNESS_SEPARATORS:
        if sep in line:
            name, contact = line.split(sep, 1)
            return {"name": name.strip(), "contact": contact.strip()}
    return {"name": line}


@book_language()  # the LP is an Indonesian document whatever the screen says
def lp_content(task: Task, actor: User) -> LpContent:
    """What the task carries over: place and time, what is known with the situation reports as
    the account, the ticked steps as actions, evidence and witnesses from the reports."""
    reports = list(task.reports.order_by("at", "pk"))
    steps = task.type.steps or []
    ticks = list(task.ticks.order_by("step"))
    account = [task.known.strip()] if task.known.strip() else []
    account += [f"Laporan situasi pukul {local(r.at):%H.%M}: {r.text.strip()}" for r in reports]
    where = task.address + (f", Kelurahan {task.kelurahan}" if task.kelurahan_id else "")
    evidence = list(dict.fromkeys(e for r in reports for e in _lines(r.evidence)))
    witnesses = [_witness(w) for r in reports for w in _lines(r.witnesses)]
    actions = ["Mendatangi tempat kejadian perkara"]
    actions += [steps[t.step - 1] for t in ticks if 1 <= t.step <= len(steps)]
    what = task.known.strip().splitlines()[0][:200] if task.known.strip() else task.type.label
    return LpContent(
        model=LpModel.A,
        classification=Classification.KEJAHATAN,
        event_when=task.requested_at,
        event_where=where,
        event_what=what,
        account="\n".join(account) or str(task.type.label),
        officer=_reporting_officer(task, actor),
        witnesses=witnesses,
        evidence=evidence,
        actions=list(dict.fromkeys(actions)),
    )


@transaction.atomic
def task_lp_handoff(*, actor: User, task: Task) -> tuple[LaporanDraft, bool]:
    """Draft the LP model A of a TPTKP task, once: a second call returns the first draft.
    Returns (draft, created)."""
    task = Task.objects.select_for_update().select_related("type", "unit").get(pk=task.pk)
    if task.lp_draft_id is not None:
        return LaporanDraft.objects.get(pk=task.lp_draft_id), False
    if task.type.family != Family.TPTKP:
        raise ValidationError(_("Hanya tugas TPTKP yang diserahkan menjadi LP model A."))
    if task.status == TaskStatus.REQUESTED:
        raise ValidationError(_("Tugas belum diberangkatkan."))
    if actor.unit_id != task.unit_id:
        raise ValidationError(_("LP dibuat oleh petugas satuan tugas ini."))
    draft = lp_draft_save(actor=actor, unit=task.unit, content=lp_content(task, actor))
    Task.objects.filter(pk=task.pk).update(lp_draft=draft)
    audit_log(
        action="fieldhelp.task.lp_drafted",
        actor=actor,
        unit=task.unit,
        target=task,
        data={"draft": draft.pk},
    )
    return draft, True


def lp_issued(document: object) -> None:
    """ISSUED_HOOKS: an LP model A drafted from a task is issued. The contact the task came from
    ends in it: closed with outcome LP and the document when still open, or, when the desk's
    "Bantuan lapangan" closed it as the task was made, given the LP as its outcome and document.
    A reissued LP moves the task to the new draft."""
    if not isinstance(document, Document) or document.doc_type != DocType.LP_A:
        return
    from spkt.intake.models import Outcome, Status
    from spkt.intake.services import contact_close, contact_document_follows

    draft = LaporanDraft.objects.filter(document=document).first()
    if draft is None:
        return
    if document.replaces_id:
        Task.objects.filter(lp_draft__document=document.replaces_id).update(lp_draft=draft)
    for task in Task.objects.filter(lp_draft=draft).select_related("contact", "unit"):
        audit_log(
            action="fieldhelp.task.lp_issued",
            actor=document.issued_by,
            unit=task.unit,
            target=task,
            data={"number": document.number},
        )
        contact = task.contact
        if contact is None:
            continue
        if contact.status != Status.CLOSED:
            contact_close(
                actor=document.issued_by, contact=contact, outcome=Outcome.LP, document=document
            )
        elif contact.outcome == Outcome.FIELD_HELP and contact.outcome_document_id is None:
            # Closed by the desk's "Bantuan lapangan" when the task was made: it now ends in the LP.
            contact_document_follows(actor=document.issued_by, contact=contact, document=document)
