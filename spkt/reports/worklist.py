"""The desk's work list (issue 12, item 3): what the Anggota Jaga and the Ka SPKT still have to do,
gathered from the selectors of the apps that own it. One unit only: another station's drafts,
contacts and tasks never show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from spkt.core import clock
from spkt.documents.selectors import documents_to_hand_over, lp_drafts_open, lp_drafts_reviewed
from spkt.dutylog.selectors import shift_on_duty
from spkt.org.models import Unit

LIMIT = 50  # rows per section; the counts are the whole
HAND_OVER_WINDOW = timedelta(hours=24)  # when no shift is open: the documents of the last day


@dataclass
class Section:
    rows: list
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


@dataclass
class WorkList:
    drafts: Section  # LP drafts not reviewed yet (model B waits for Reskrim)
    reviewed: Section  # reviewed by Reskrim, to issue
    to_hand_over: Section  # issued this shift: print, sign, hand over
    contacts_overdue: Section  # past the 5-minute standard without a first response
    reports_overdue: Section  # field help whose situation report is late
    now: datetime

    @property
    def overdue(self) -> int:
        return self.contacts_overdue.total + self.reports_overdue.total

    @property
    def total(self) -> int:
        return self.drafts.total + self.reviewed.total + self.to_hand_over.total + self.overdue


def _section(qs: QuerySet) -> Section:
    rows = list(qs[:LIMIT])
    return Section(rows=rows, total=len(rows) if len(rows) < LIMIT else qs.count())


def desk_worklist(*, unit: Unit, now: datetime | None = None) -> WorkList:
    from spkt.fieldhelp.selectors import tasks_report_overdue
    from spkt.intake.selectors import contacts_overdue

    now = now or clock.now()
    shift = shift_on_duty(unit=unit, at=now)
    return WorkList(
        drafts=_section(lp_drafts_open(unit=unit)),
        reviewed=_section(lp_drafts_reviewed(unit=unit)),
        to_hand_over=_section(
            documents_to_hand_over(unit=unit, shift=shift, since=now - HAND_OVER_WINDOW)
        ),
        contacts_overdue=_section(contacts_overdue(unit=unit, now=now)),
        reports_overdue=_section(tasks_report_overdue(unit=unit, now=now)),
        now=now,
    )
