import pytest
from django.test import Client
from django.urls import reverse

from spkt.conftest import issue


def test_the_desk_officer_sees_the_issue_button_and_the_shift(
    client: Client, petugas, selatan
) -> None:
    doc = issue(petugas, selatan)
    client.force_login(petugas)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("documents:sktlk-new") in page
    assert doc.number in page
    assert "Kepala Regu Kota Selatan" in page


@pytest.mark.parametrize("persona", ["kapolsek", "reskrim", "penilai"])
def test_other_roles_have_no_issue_button(client: Client, persona, request) -> None:
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("documents:sktlk-new") not in page
    assert reverse("reports:daily") in page


def test_the_polres_sees_its_polsek(client: Client, polres_staff, selatan, utara) -> None:
    client.force_login(polres_staff)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Polsek Kota Selatan" in page
    assert "Polsek Kota Utara" in page


def test_an_outsider_does_not_see_other_stations(client: Client, outsider, selatan) -> None:
    client.force_login(outsider)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Polsek Kota Selatan" not in page


def test_anonymous_is_sent_to_login(client: Client, db) -> None:
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_english_switch_keeps_working(client: Client, petugas) -> None:
    client.force_login(petugas)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_indonesian_is_the_default_whatever_the_browser_says(client: Client, petugas) -> None:
    client.force_login(petugas)
    response = client.get(reverse("dashboard"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "id"


def test_opening_pages_does_not_create_shifts(client: Client, kapolsek, polres_staff) -> None:
    from spkt.dutylog.models import Shift

    for user in (kapolsek, polres_staff):
        client.force_login(user)
        client.get(reverse("dashboard"))
        client.get(reverse("dutylog:today"))
        client.get(reverse("reports:daily"))
    assert not Shift.objects.exists()


def test_the_ka_spkt_sees_an_overdue_handover_on_the_dashboard(
    client: Client, ka_spkt, selatan
) -> None:
    from datetime import timedelta

    import time_machine

    from spkt.core import clock
    from spkt.dutylog.services import shift_current, shift_open

    shift = shift_current(unit=selatan)
    with clock.travel(shift.starts_at):
        shift_open(
            shift=shift, actor=ka_spkt, roll_call=[(pid, True, "") for pid in shift.lineup()]
        )
    with time_machine.travel(shift.handover_due_at + timedelta(minutes=5)):
        client.force_login(ka_spkt)  # a fresh session at that hour, not one from the day before
        page = client.get(reverse("dashboard")).content.decode()
    assert 'data-flag="handover-overdue"' in page


def test_the_kapolsek_sees_an_escalated_contact(client: Client, kapolsek, ka_spkt, selatan) -> None:
    from datetime import timedelta

    from spkt.intake.clock import sla_sweep
    from spkt.intake.services import Incoming, contact_receive

    contact = contact_receive(
        unit=selatan, incoming=Incoming(channel="email", body="Tolong", sender_address="a@b.id")
    )
    later = contact.first_response_due_at + timedelta(minutes=6)
    sla_sweep(now=contact.first_response_due_at + timedelta(seconds=1))
    sla_sweep(now=later)
    client.force_login(kapolsek)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-alert="escalation"' in page
    assert contact.tracking_code in page
    client.force_login(ka_spkt)
    assert 'data-alert="breach"' in client.get(reverse("dashboard")).content.decode()


def test_an_alert_is_marked_read_only_by_its_owner(
    client: Client, kapolsek, ka_spkt, selatan
) -> None:
    from spkt.core import clock
    from spkt.intake.models import Notification
    from spkt.intake.services import Incoming, contact_receive

    contact = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="x", sender_address="081")
    )
    alert = Notification.objects.create(
        user=kapolsek, contact=contact, kind="escalation", created_at=clock.now()
    )
    client.force_login(ka_spkt)
    client.post(reverse("reports:alert-read", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.read_at is None
    client.force_login(kapolsek)
    client.post(reverse("reports:alert-read", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.read_at is not None
    assert 'data-alert="escalation"' not in client.get(reverse("dashboard")).content.decode()
