from datetime import UTC, date, datetime, timedelta

import time_machine
from django.test import Client
from django.urls import reverse

from spkt.core import clock
from spkt.core.timeutil import local
from spkt.dutylog.selectors import shift_compliance


def test_a_fresh_shift_meets_the_standard(open_shift) -> None:
    assert shift_compliance(shift=open_shift, now=open_shift.opened_at).ok


def test_a_handover_past_its_due_time_is_flagged(open_shift) -> None:
    late = open_shift.handover_due_at + timedelta(minutes=1)
    result = shift_compliance(shift=open_shift, now=late)
    assert result.handover_overdue
    assert not result.ok


def test_a_long_night_silence_is_flagged_and_entries_end_it(open_shift, petugas, selatan) -> None:
    start = local(open_shift.starts_at).replace(hour=selatan.night_start_hour)  # 22:00 WITA
    at_3am = start + timedelta(hours=5)
    silent = shift_compliance(shift=open_shift, entry_times=[], now=at_3am)
    assert silent.silences
    entries = [start + timedelta(minutes=m) for m in (60, 170, 280)]
    kept = shift_compliance(shift=open_shift, entry_times=entries, now=at_3am)
    assert not kept.silences


def test_the_assessor_sees_failing_shifts(client: Client, open_shift, penilai) -> None:
    month = local(open_shift.starts_at).strftime("%Y-%m")  # an hour later may be the next month
    with time_machine.travel(open_shift.handover_due_at + timedelta(hours=1)):
        client.force_login(penilai)  # a fresh session at that hour, not one from the day before
        page = client.get(reverse("dutylog:compliance"), {"bulan": month}).content.decode()
    assert 'data-flag="handover-overdue"' in page


def test_before_the_shift_change_on_the_first_the_page_shows_the_month_on_duty(
    client: Client, selatan, squads, ka_spkt, penilai
) -> None:
    from spkt.dutylog.services import shift_current, shift_open
    from spkt.dutylog.tests.conftest import all_present

    # 07:30 WITA on 1 December: the shift on duty began on 30 November at 08:00.
    with time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), tick=False):
        shift = shift_current(unit=selatan)
        with clock.travel(shift.starts_at + timedelta(minutes=5)):
            shift_open(shift=shift, actor=ka_spkt, roll_call=all_present(shift))
        client.force_login(penilai)
        response = client.get(reverse("dutylog:compliance"))
    assert response.context["month"] == date(2026, 11, 1)
    assert f'data-shift="{shift.pk}"' in response.content.decode()


def test_desk_officers_do_not_get_the_assessment(client: Client, petugas, open_shift) -> None:
    client.force_login(petugas)
    assert client.get(reverse("dutylog:compliance")).status_code == 403


def test_another_station_gets_not_found(client: Client, outsider, selatan) -> None:
    from spkt.conftest import _user
    from spkt.org.models import Role

    judge = _user("penilai_utara", outsider.unit, Role.PENILAI)
    client.force_login(judge)
    assert client.get(reverse("dutylog:compliance"), {"unit": selatan.pk}).status_code == 404


def test_a_late_apel_is_flagged(selatan, squads, ka_spkt) -> None:
    from spkt.dutylog.services import shift_current, shift_open
    from spkt.dutylog.tests.conftest import all_present

    shift = shift_current(unit=selatan)
    with clock.travel(shift.starts_at + timedelta(hours=2)):
        shift = shift_open(shift=shift, actor=ka_spkt, roll_call=all_present(shift))
    assert (
        shift_compliance(shift=shift, now=shift.starts_at + timedelta(hours=3)).opened_on_time
        is False
    )
