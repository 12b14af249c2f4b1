"""A constructed duty day at Polsek Kota Selatan: yesterday's shift with contacts, red entries,
field help, and this morning's handover with a detainee and a missing HT radio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from spkt.core import clock
from spkt.core.booktext import book_language
from spkt.core.timeutil import duty_day_bounds, duty_day_of
from spkt.dutylog.handover import (
    Count,
    handover_add_item,
    handover_confirm,
    handover_count,
    handover_start,
)
from spkt.dutylog.models import ItemKind, Shift
from spkt.dutylog.services import mutasi_append, mutasi_write, shift_current, shift_open
from spkt.dutylog.tests.conftest import all_present, squads  # noqa: F401 (fixture)
from spkt.fieldhelp.models import Task
from spkt.fieldhelp.services import task_types_for
from spkt.intake.services import Incoming, contact_acknowledge, contact_receive
from spkt.org.models import Unit, User


@dataclass
class LivedDay:
    day: date
    start: datetime
    end: datetime
    shift: Shift
    sealed_at: datetime


def _head(shift: Shift) -> User:
    return User.objects.get(personnel=shift.ka_spkt)


def _contact(unit: Unit, channel: str, at: datetime, answer_after: timedelta | None, actor):
    with clock.travel(at):
        contact = contact_receive(
            unit=unit, incoming=Incoming(channel=channel, body="x", sender_address=f"08{at:%H%M%S}")
        )
    if answer_after is not None:
        with clock.travel(at + answer_after):
            contact_acknowledge(actor=actor, contact=contact)
    return contact


@pytest.fixture
def lived_day(selatan: Unit, squads, petugas, ka_spkt) -> LivedDay:  # noqa: F811
    today = duty_day_of(clock.now(), selatan.shift_start_hour)
    day = today - timedelta(days=1)
    start, end = duty_day_bounds(day, selatan.shift_start_hour)
    with clock.travel(start + timedelta(minutes=5)):
        shift = shift_current(unit=selatan)
        shift_open(shift=shift, actor=_head(shift), roll_call=all_present(shift))
    base = start + timedelta(hours=2)
    _contact(selatan, "sms", base, timedelta(minutes=2), petugas)  # met
    _contact(selatan, "sms", base + timedelta(minutes=1), timedelta(minutes=7), petugas)  # late
    _contact(selatan, "whatsapp", base + timedelta(minutes=2), None, petugas)  # late: never
    with clock.travel(base + timedelta(hours=1)):
        mutasi_write(
            actor=petugas,
            unit=selatan,
            text="Kecelakaan lalu lintas di Jl. Sudirman.",
            category="kejadian",
        )
        mutasi_write(actor=petugas, unit=selatan, text="Patroli pasar; aman.", category="patroli")
        with book_language():
            mutasi_append(
                unit=selatan,
                shift=shift,
                actor=ka_spkt,
                category="perintah_pimpinan",
                text="Perintah Kapolres: tingkatkan patroli malam.",
            )
    types = {t.code: t for t in task_types_for(selatan)}
    for minutes in (6, 10, 30):
        Task.objects.create(
            unit=selatan,
            type=types["tptkp"],
            source="phone",
            address="Jl. A",
            requested_at=base + timedelta(hours=2),
            response_seconds=minutes * 60,
            created_by=ka_spkt,
        )
    Task.objects.create(
        unit=selatan,
        type=types["pengaturan"],
        source="phone",
        address="Jl. B",
        requested_at=base + timedelta(hours=3),
        created_by=ka_spkt,
    )
    sealed_at = end + timedelta(minutes=5)
    with clock.travel(sealed_at):
        ho = handover_start(outgoing=shift, actor=_head(shift))
        detainee = handover_add_item(
            handover=ho, kind=ItemKind.DETAINEE, label="RUDI H.", actor=_head(shift)
        )
        counts = {
            i.pk: Count(counted=0, discrepancy_reason="Dibawa patroli")
            if i.serial == "MT-3"
            else Count(counted=i.expected)
            for i in ho.items.all()
        }
        counts[detainee.pk] = Count(counted=1)
        handover_count(handover=ho, counts=counts, notes="", actor=_head(shift))
        handover_confirm(
            handover=ho,
            outgoing_user=_head(shift),
            incoming_user=_head(ho.incoming),
            roll_call=all_present(ho.incoming),
            actor=_head(shift),
        )
    return LivedDay(day=day, start=start, end=end, shift=shift, sealed_at=sealed_at)
