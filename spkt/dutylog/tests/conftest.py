"""Two squads of Polsek Kota Selatan with heads who can log in, and inventory to hand over."""

from __future__ import annotations

import pytest

from spkt.conftest import PASSWORD
from spkt.dutylog.models import Regu, Shift
from spkt.dutylog.services import roster_plan, shift_open
from spkt.org.models import Equipment, EquipmentKind, Pangkat, Personnel, Role, Unit
from spkt.org.services import user_create


def _member(unit: Unit, name: str, nrp: str, username: str | None = None) -> Personnel:
    person = Personnel.objects.create(unit=unit, name=name, pangkat=Pangkat.BRIPKA, nrp=nrp)
    if username:
        user_create(
            username=username,
            password=PASSWORD,
            unit=unit,
            roles=[Role.KA_SPKT],
            personnel=person,
            first_name=name,
        )
    return person


@pytest.fixture
def squads(selatan: Unit) -> list[Regu]:
    """Regu I (from the station fixture, head 'kepala1') and Regu II (head 'kepala2')."""
    regu1 = Regu.objects.get(unit=selatan, name="Regu I")
    head1 = regu1.head
    user_create(
        username="kepala1",
        password=PASSWORD,
        unit=selatan,
        roles=[Role.KA_SPKT],
        personnel=head1,
        first_name=head1.name,
    )
    regu1.members.add(_member(selatan, "Yusuf Tangahu", "95110342"))
    head2 = _member(selatan, "Hasan Lamato", "80120455", "kepala2")
    regu2 = Regu.objects.create(unit=selatan, name="Regu II", order=2, head=head2)
    regu2.members.add(head2, _member(selatan, "Rizal Kadir", "88050931"))
    Equipment.objects.create(
        unit=selatan, kind=EquipmentKind.WEAPON, name="Pistol HS-9", serial="HS-1"
    )
    Equipment.objects.create(
        unit=selatan, kind=EquipmentKind.RADIO, name="HT Motorola", serial="MT-3"
    )
    return [regu1, regu2]


@pytest.fixture
def roster(squads: list[Regu], selatan: Unit, ka_spkt) -> list[Shift]:
    from spkt.core import clock
    from spkt.core.timeutil import local

    now = local(clock.now())
    return roster_plan(unit=selatan, year=now.year, month=now.month, actor=ka_spkt)


def all_present(shift: Shift) -> list[tuple[int, bool, str]]:
    return [(pid, True, "") for pid in sorted(shift.lineup())]


@pytest.fixture
def open_shift(selatan: Unit, squads, ka_spkt) -> Shift:
    from datetime import timedelta

    from spkt.core import clock
    from spkt.dutylog.services import shift_current

    shift = shift_current(unit=selatan)
    # The apel at its proper time, or now if the test runs in the first minutes of the shift.
    with clock.travel(min(shift.starts_at + timedelta(minutes=5), clock.now())):
        return shift_open(shift=shift, actor=ka_spkt, roll_call=all_present(shift))
