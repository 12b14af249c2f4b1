"""The squads and open shift of the duty log, and a ready TPTKP task at Polsek Kota Selatan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine

from spkt.dutylog.models import Shift
from spkt.dutylog.tests.conftest import open_shift, squads  # noqa: F401 (fixtures)
from spkt.fieldhelp.defaults import task_types_ensure
from spkt.fieldhelp.models import Source, Task, TaskType
from spkt.fieldhelp.services import task_create
from spkt.org.models import Equipment, EquipmentKind, Pangkat, Personnel, Unit

# The field-help tests count minutes from this instant (T0 in the test modules), whatever instant
# the suite runs at (SPKT_TEST_NOW): the hour-dependent paths are the duty log's, tested there.
T0 = datetime.fromisoformat("2026-12-01T10:00:00+08:00")


@pytest.fixture(autouse=True)
def _at_t0(request: pytest.FixtureRequest) -> Iterator[None]:
    from spkt.conftest import _clock_must_tick

    with time_machine.travel(T0, tick=_clock_must_tick(request.node)):
        yield


@pytest.fixture
def tptkp(db) -> TaskType:
    task_types_ensure()  # a transactional test before this one flushed the migration's rows
    return TaskType.objects.get(unit=None, code="tptkp")


@pytest.fixture
def patroli(tptkp) -> TaskType:
    return TaskType.objects.get(unit=None, code="patroli")


@pytest.fixture
def on_duty(open_shift: Shift) -> list[Personnel]:  # noqa: F811
    return list(Personnel.objects.filter(pk__in=open_shift.lineup()).order_by("pk"))


@pytest.fixture
def off_duty(open_shift: Shift, selatan: Unit) -> Personnel:  # noqa: F811
    return Personnel.objects.create(
        unit=selatan, name="Andi Pakaya", pangkat=Pangkat.BRIPTU, nrp="99010101"
    )


@pytest.fixture
def vehicle(selatan: Unit) -> Equipment:
    return Equipment.objects.create(
        unit=selatan, kind=EquipmentKind.VEHICLE, name="Mobil patroli", serial="DM 1234 A"
    )


@pytest.fixture
def task(ka_spkt, selatan: Unit, tptkp: TaskType) -> Task:
    return task_create(
        actor=ka_spkt,
        unit=selatan,
        task_type=tptkp,
        source=Source.PHONE,
        address="Jl. Nani Wartabone 5",
        known="Perkelahian, satu orang luka",
        requested_by="Warga, 0812",
    )
