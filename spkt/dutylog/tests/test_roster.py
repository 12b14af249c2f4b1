import calendar

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from spkt.dutylog.models import RosterChange, Shift
from spkt.dutylog.services import roster_change


def test_the_month_is_planned_by_rotating_squads(roster, squads) -> None:
    first = roster[0]
    days = calendar.monthrange(first.starts_at.year, first.starts_at.month)[1]
    assert len(roster) == days
    assert [s.regu for s in roster[:4]] in ([squads[0], squads[1]] * 2, [squads[1], squads[0]] * 2)
    assert all((s.ends_at - s.starts_at).total_seconds() == 24 * 3600 for s in roster)
    assert all(s.ka_spkt == s.regu.head for s in roster)
    assert set(roster[0].members.all()) == set(roster[0].regu.members.all())


def test_planning_twice_changes_nothing(roster, selatan, ka_spkt) -> None:
    from spkt.dutylog.services import roster_plan

    again = roster_plan(
        unit=selatan, year=roster[0].starts_at.year, month=roster[0].starts_at.month, actor=ka_spkt
    )
    assert [s.pk for s in again] == [s.pk for s in roster]


def test_an_absence_and_a_swap_are_recorded_with_reasons(roster, squads, ka_spkt) -> None:
    shift = roster[-1]
    member = shift.members.exclude(pk=shift.ka_spkt_id).first()
    roster_change(shift=shift, kind="absent", person=member, reason="Sakit", actor=ka_spkt)
    assert member not in shift.members.all()
    other = squads[1] if shift.regu == squads[0] else squads[0]
    head = shift.ka_spkt
    roster_change(
        shift=shift,
        kind="swap",
        person=head,
        replacement=other.head,
        reason="Tukar dinas",
        actor=ka_spkt,
    )
    shift.refresh_from_db()
    assert shift.ka_spkt == other.head
    assert RosterChange.objects.filter(shift=shift).count() == 2


@pytest.mark.parametrize(
    "case", ["no_reason", "not_on_shift", "swap_without_replacement", "outsider_replacement"]
)
def test_bad_roster_changes_are_refused(roster, squads, ka_spkt, utara, case) -> None:
    from spkt.org.models import Personnel

    shift = roster[-1]
    member = shift.members.first()
    kwargs = {
        "shift": shift,
        "kind": "absent",
        "person": member,
        "reason": "Sakit",
        "actor": ka_spkt,
    }
    if case == "no_reason":
        kwargs["reason"] = " "
    elif case == "not_on_shift":
        other = squads[1] if shift.regu == squads[0] else squads[0]
        kwargs["person"] = other.members.exclude(pk=other.head_id).first()
    elif case == "swap_without_replacement":
        kwargs["kind"] = "swap"
    else:
        kwargs["kind"] = "swap"
        kwargs["replacement"] = Personnel.objects.filter(unit=utara).first()
    with pytest.raises(ValidationError):
        roster_change(**kwargs)
    assert not RosterChange.objects.exists()


def test_the_roster_page_plans_and_prints(client: Client, ka_spkt, squads) -> None:
    client.force_login(ka_spkt)
    assert client.post(reverse("dutylog:roster")).status_code == 302
    page = client.get(reverse("dutylog:roster")).content.decode()
    assert "Regu II" in page
    assert Shift.objects.count() >= 28


@pytest.mark.parametrize("persona", ["petugas", "penilai", "reskrim"])
def test_only_planners_may_plan(client: Client, persona, request, squads) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dutylog:roster")).status_code == 200
    assert client.post(reverse("dutylog:roster")).status_code == 403
    assert not Shift.objects.exists()


def test_another_station_cannot_see_the_roster(client: Client, outsider, selatan) -> None:
    client.force_login(outsider)
    assert client.get(reverse("dutylog:roster"), {"unit": selatan.pk}).status_code == 404
