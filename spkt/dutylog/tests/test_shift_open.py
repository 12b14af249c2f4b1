import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from spkt.dutylog.models import Mutasi, Shift, ShiftStatus
from spkt.dutylog.services import shift_current, shift_open
from spkt.dutylog.tests.conftest import all_present


def test_the_roll_call_opens_the_shift_and_writes_the_apel(selatan, squads, ka_spkt) -> None:
    shift = shift_current(unit=selatan)
    absent = sorted(shift.lineup())[0]
    roll = [
        (pid, pid != absent, "Sakit" if pid == absent else "") for pid in sorted(shift.lineup())
    ]
    shift_open(shift=shift, actor=ka_spkt, roll_call=roll)
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.OPEN
    apel = Mutasi.objects.get(category="apel")
    assert "tidak hadir" in apel.text
    assert "Sakit" in apel.text


@pytest.mark.parametrize("case", ["absent_without_reason", "missing_person", "nobody"])
def test_a_bad_roll_call_is_refused(selatan, squads, ka_spkt, case) -> None:
    shift = shift_current(unit=selatan)
    ids = sorted(shift.lineup())
    roll = all_present(shift)
    if case == "absent_without_reason":
        roll[0] = (ids[0], False, " ")
    elif case == "missing_person":
        roll = roll[1:]
    else:
        roll = [(pid, False, "Cuti") for pid in ids]
    with pytest.raises(ValidationError):
        shift_open(shift=shift, actor=ka_spkt, roll_call=roll)
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.PLANNED
    assert not Mutasi.objects.exists()


def test_a_second_open_shift_is_refused(open_shift, selatan, ka_spkt) -> None:
    other = Shift.objects.create(
        unit=selatan,
        starts_at=open_shift.ends_at,
        ends_at=open_shift.ends_at + (open_shift.ends_at - open_shift.starts_at),
    )
    with pytest.raises(ValidationError, match="sedang berjalan"):
        shift_open(shift=other, actor=ka_spkt, roll_call=[])
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=other.pk).update(status=ShiftStatus.OPEN)


def test_the_page_opens_a_shift(client: Client, selatan, squads, ka_spkt) -> None:
    shift = shift_current(unit=selatan)
    client.force_login(ka_spkt)
    data = {f"present_{pid}": "on" for pid in shift.lineup()}
    assert client.post(reverse("dutylog:open", args=[shift.pk]), data).status_code == 302
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.OPEN


def test_opening_is_refused_for_assessors_and_other_stations(
    client: Client, selatan, squads, penilai, outsider
) -> None:
    shift = shift_current(unit=selatan)
    client.force_login(penilai)
    assert client.post(reverse("dutylog:open", args=[shift.pk]), {}).status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("dutylog:open", args=[shift.pk]), {}).status_code == 404
