"""A constructed November 2026 at Polsek Kota Selatan with known misses of every standard.

The test clock stands at 2026-12-01 10:00 WITA, so every duty day of November is over.

1. contacts (Nov 10): 9 judged — 6 answered within 5 minutes, 2 answered after 7 minutes, 1 never
   answered; plus one pending contact today (Dec 1), not yet due.
2. shifts: Nov 10 (apel 08:05, handed over 08:10 next day: met) and Nov 20 (apel 09:00: late).
3. field help (Nov 10): task A reports at 11:00 and 12:30 (a 90-minute gap: missed), task B every
   hour (met).
4. documents (Nov 10): an SKTLK issued 70 minutes after its walk-in contact arrived (missed), an
   SKTLK without a recorded start (unmeasured), an LP model B issued 20 minutes after its draft
   with its STTLP (both met). The LP is curanmor (Pasal 363 KUHP, "sepeda motor").
5. daily reports: Nov 10 sent after 5 minutes (met), Nov 20 after 15 minutes (missed), every other
   day of November none (missed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from spkt.conftest import citizen_data, issue
from spkt.core import clock
from spkt.core.ledger import ledger_append
from spkt.documents.lp import LpContent, lp_draft_save, lp_issue, lp_review
from spkt.documents.models import Document, Pasal
from spkt.dutylog.models import Shift, ShiftStatus
from spkt.dutylog.services import shift_current, shift_open
from spkt.dutylog.tests.conftest import all_present, squads  # noqa: F401 (fixture)
from spkt.fieldhelp.models import SituationReport, StatusEvent, Task, TaskStatus
from spkt.fieldhelp.services import task_types_for
from spkt.intake.models import Channel, Contact, Status
from spkt.org.models import Kelurahan, Unit, User
from spkt.reports.models import DailyReport
from spkt.reports.services import SUBMITTED, report_payload

# These tests build fixed days (a constructed November, answers of 1 December) and count from
# this instant, whatever instant the suite runs at (SPKT_TEST_NOW): the hour- and date-dependent
# paths are the duty log's and the clock's, tested there at the awkward instants.
T0 = datetime.fromisoformat("2026-12-01T10:00:00+08:00")


@pytest.fixture(autouse=True)
def _at_t0(request: pytest.FixtureRequest):
    from spkt.conftest import _clock_must_tick

    with time_machine.travel(T0, tick=_clock_must_tick(request.node)):
        yield


WITA = timezone(timedelta(hours=8))
MONTH = date(2026, 11, 1)
DAY = date(2026, 11, 10)
LATE_DAY = date(2026, 11, 20)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WITA)


@dataclass
class Month:
    unit: Unit
    shifts: list[Shift]
    contacts: list[Contact]
    pending: Contact
    tasks: list[Task]
    sktlk_late: Document
    sktlk_unmeasured: Document
    lp: Document
    reports: list[DailyReport] = field(default_factory=list)


def _contact(unit: Unit, n: int, received: datetime, answered_after: int | None, by) -> Contact:
    answered = received + timedelta(minutes=answered_after) if answered_after is not None else None
    return Contact.objects.create(
        unit=unit,
        channel=Channel.WHATSAPP if n % 2 else Channel.WALKIN,
        tracking_code=f"T{unit.pk}X{n:04d}",
        received_at=received,
        first_response_due_at=received + timedelta(minutes=unit.response_minutes),
        first_response_at=answered,
        first_response_by=by if answered else None,
        status=Status.ANSWERED if answered else Status.OPEN,
    )


def _open(unit: Unit, when: datetime, actor) -> Shift:
    with clock.travel(when):
        shift = shift_current(unit=unit)
        return shift_open(shift=shift, actor=actor, roll_call=all_present(shift))


def _close(shift: Shift, when: datetime) -> Shift:
    Shift.objects.filter(pk=shift.pk).update(
        status=ShiftStatus.CLOSED,
        closed_at=when,
        handover_due_at=shift.ends_at + timedelta(minutes=30),
    )
    shift.refresh_from_db()
    return shift


def _task(unit: Unit, actor, requested: datetime, reports: list[datetime], cleared: datetime):
    kind = task_types_for(unit)[0]
    kel = Kelurahan.objects.get_or_create(
        code="75.71.02.1012", defaults={"unit": unit, "name": "Biawu"}
    )[0]
    task = Task.objects.create(
        unit=unit,
        type=kind,
        source="phone",
        address="Jl. Nani Wartabone",
        kelurahan=kel,
        status=TaskStatus.CLEARED,
        requested_at=requested,
        dispatched_at=requested + timedelta(minutes=5),
        on_scene_at=requested + timedelta(minutes=20),
        cleared_at=cleared,
        response_seconds=20 * 60,
        created_by=actor,
    )
    assert task.dispatched_at is not None
    StatusEvent.objects.create(
        task=task, status=TaskStatus.DISPATCHED, at=task.dispatched_at, by=actor
    )
    for moment in reports:
        SituationReport.objects.create(task=task, text="Situasi aman.", at=moment, by=actor)
    return task


def _daily(unit: Unit, day: date, actor, seconds: int) -> DailyReport:
    closed = at(day + timedelta(days=1), 8, 10)
    report = DailyReport(
        unit=unit,
        day=day,
        snapshot={},
        situation="Aman kondusif.",
        submitted_by=actor,
        submitted_at=closed + timedelta(seconds=seconds),
        shift_closed_at=closed,
        submit_seconds=seconds,
    )
    with clock.travel(report.submitted_at):
        report.ledger_entry = ledger_append(
            unit=unit, kind=SUBMITTED, payload=report_payload(report)
        )
    report.save()
    return report


@pytest.fixture
def month(selatan: Unit, squads, petugas, ka_spkt, reskrim) -> Month:  # noqa: F811
    # No night silence can be judged: the night window (7 hours) is shorter than the limit.
    Unit.objects.filter(pk=selatan.pk).update(night_silence_minutes=480)
    selatan.refresh_from_db()
    head = User.objects.get(username="kepala1")
    s1 = _open(selatan, at(DAY, 8, 5), head)
    contacts = [
        _contact(selatan, n, at(DAY, 9, n), after, petugas)
        for n, after in enumerate([1, 2, 3, 4, 5, 2, 7, 7, None])
    ]
    with clock.travel(at(DAY, 12)):
        sktlk_late = issue(petugas, selatan, lost_on=DAY)
    Contact.objects.filter(pk=contacts[0].pk).update(
        received_at=at(DAY, 10, 50),
        first_response_due_at=at(DAY, 10, 55),
        first_response_at=at(DAY, 10, 51),
        outcome_document=sktlk_late,
    )
    with clock.travel(at(DAY, 12, 30)):
        sktlk_unmeasured = issue(
            petugas, selatan, lost_on=DAY, citizen=citizen_data(nik="7571024708990001")
        )
    pasal = Pasal.objects.get(book="KUHP_1946", article="363")
    content = LpContent(
        model="B",
        classification="Kejahatan",
        event_when=at(DAY, 6),
        event_where="Jl. Raja Eyato No. 33, Biawu",
        event_what="Pencurian sepeda motor di halaman rumah",
        account="Motor diparkir pukul 22.00; pagi hari sudah tidak ada.",
        citizen=citizen_data(name="Fitri Usman", nik="7571020101700004"),
        offences=[pasal],
    )
    with clock.travel(at(DAY, 13)):
        draft = lp_draft_save(actor=petugas, unit=selatan, content=content)
    with clock.travel(at(DAY, 13, 10)):
        lp_review(actor=reskrim, draft=draft, offences=[pasal], recommendation="Lanjut.")
    with clock.travel(at(DAY, 13, 20)):
        lp = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    tasks = [
        _task(selatan, petugas, at(DAY, 10), [at(DAY, 11), at(DAY, 12, 30)], at(DAY, 13, 5)),
        _task(
            selatan,
            petugas,
            at(DAY, 10),
            [at(DAY, 11), at(DAY, 12), at(DAY, 13)],
            at(DAY, 13, 30),
        ),
    ]
    s1 = _close(s1, at(DAY + timedelta(days=1), 8, 10))
    s2 = _close(_open(selatan, at(LATE_DAY, 9), head), at(LATE_DAY + timedelta(days=1), 8, 5))
    reports = [_daily(selatan, DAY, ka_spkt, 300), _daily(selatan, LATE_DAY, ka_spkt, 900)]
    # Today: a contact that arrived two minutes ago is not yet due (pending, not late).
    pending = _contact(selatan, 99, clock.now() - timedelta(minutes=2), None, None)
    return Month(
        unit=selatan,
        shifts=[s1, s2],
        contacts=contacts,
        pending=pending,
        tasks=tasks,
        sktlk_late=sktlk_late,
        sktlk_unmeasured=sktlk_unmeasured,
        lp=lp,
        reports=reports,
    )
