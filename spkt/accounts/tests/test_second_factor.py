"""Staff sign-in with a second factor: who must, enrolment, codes, recovery, reset, sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from spkt.accounts import secondfactor
from spkt.conftest import PASSWORD
from spkt.core import clock
from spkt.core.models import AuditEvent
from spkt.dutylog.tests.conftest import open_shift, squads  # noqa: F401 (fixtures)
from spkt.org.models import User

pytestmark = pytest.mark.django_db
enforced = override_settings(SPKT_SECOND_FACTOR=True)


def code_now(device: TOTPDevice, *, drift: int = 0) -> str:
    """The code the authenticator app shows now (or ``drift`` steps away)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def sign_in(client, user: User):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def enrolled(user: User) -> TOTPDevice:
    device = secondfactor.totp_pending(user)
    secondfactor.totp_confirm(user=user, device=device, token=code_now(device))
    device.refresh_from_db()
    return device


def next_step():
    """A code is accepted once: the next sign-in waits for the app's next code (30 s on)."""
    return time_machine.travel(clock.now() + timedelta(seconds=31), tick=False)


def test_who_must_use_it(ka_spkt, kapolsek, reskrim, petugas, penilai, selatan) -> None:
    assert secondfactor.required_for(ka_spkt)
    assert secondfactor.required_for(kapolsek)
    assert secondfactor.required_for(reskrim)
    assert not secondfactor.required_for(petugas)
    assert not secondfactor.required_for(penilai)
    selatan.second_factor_for_desk = True
    selatan.save(update_fields=["second_factor_for_desk"])
    petugas.refresh_from_db()
    assert secondfactor.required_for(petugas)
    admin = User.objects.create_superuser("root", password=PASSWORD)
    assert secondfactor.required_for(admin)


@enforced
def test_first_sign_in_enrols_then_shows_recovery_codes_once(client, kapolsek) -> None:
    response = sign_in(client, kapolsek)
    assert response.status_code == 302
    # Every page leads to enrolment until it is done.
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second-factor-enrol"))
    page = client.get(reverse("second-factor-enrol"))
    assert page.status_code == 200
    assert b"<svg" in page.content
    assert "data-nav=" not in page.content.decode()  # no menu before the code
    device = TOTPDevice.objects.get(user=kapolsek, confirmed=False)
    # Reloading keeps the same key (the QR already scanned stays valid).
    client.get(reverse("second-factor-enrol"))
    assert TOTPDevice.objects.filter(user=kapolsek).count() == 1

    wrong = client.post(reverse("second-factor-enrol"), {"kode": "000000"})
    assert wrong.status_code == 400
    assert "Kode tidak cocok" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    # The throttle of the failed try lapses; the right code enrols.
    with time_machine.travel(clock.now() + timedelta(seconds=2), tick=False):
        done = client.post(reverse("second-factor-enrol"), {"kode": code_now(device)})
    assert done.status_code == 302
    assert done["Location"] == reverse("second-factor-recovery")
    codes = re.findall(r"<code>([a-z0-9]+)</code>", client.get(done["Location"]).content.decode())
    assert len(codes) == secondfactor.RECOVERY_CODES
    # Shown once only.
    assert "<code>" not in client.get(reverse("second-factor-recovery")).content.decode()
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="org.second_factor.enrolled").count() == 1


@enforced
def test_next_sign_in_asks_for_a_code(client, ka_spkt) -> None:
    device = enrolled(ka_spkt)
    sign_in(client, ka_spkt)
    response = client.get("/mutasi/")
    assert response.status_code == 302
    assert response["Location"] == reverse("second-factor-verify") + "?next=%2Fmutasi%2F"
    # The API refuses in JSON, the admin site is behind the factor too.
    api = client.get("/api/contacts/")
    assert api.status_code == 403
    assert "faktor kedua" in api.json()["detail"]
    bad = client.post(reverse("second-factor-verify"), {"kode": "12"})
    assert bad.status_code == 400
    # The code just used at enrolment is refused (no replay within its 30 s).
    assert (
        client.post(reverse("second-factor-verify"), {"kode": code_now(device)}).status_code == 400
    )
    with next_step():
        ok = client.post(
            reverse("second-factor-verify"), {"kode": code_now(device), "next": "/mutasi/"}
        )
    assert ok.status_code == 302
    assert ok["Location"] == "/mutasi/"
    assert client.get("/mutasi/").status_code == 200


@enforced
def test_verify_refuses_an_offsite_next(client, ka_spkt) -> None:
    device = enrolled(ka_spkt)
    sign_in(client, ka_spkt)
    with next_step():
        ok = client.post(
            reverse("second-factor-verify"),
            {"kode": code_now(device), "next": "https://evil.example/"},
        )
    assert ok.status_code == 302
    assert ok["Location"] == reverse("dashboard")


@enforced
def test_a_recovery_code_works_once(client, reskrim) -> None:
    enrolled(reskrim)
    code = StaticToken.objects.filter(device__user=reskrim).first().token
    sign_in(client, reskrim)
    assert client.post(reverse("second-factor-verify"), {"kode": code}).status_code == 302
    assert not StaticToken.objects.filter(token=code, device__user=reskrim).exists()
    assert AuditEvent.objects.filter(action="org.second_factor.recovery_used").count() == 1
    client.post(reverse("logout"))
    sign_in(client, reskrim)
    with time_machine.travel(clock.now() + timedelta(seconds=2), tick=False):
        again = client.post(reverse("second-factor-verify"), {"kode": code})
    assert again.status_code == 400


@enforced
def test_new_recovery_codes_replace_the_old(client, kapolsek) -> None:
    device = enrolled(kapolsek)
    old = set(StaticToken.objects.filter(device__user=kapolsek).values_list("token", flat=True))
    sign_in(client, kapolsek)
    with next_step():
        client.post(reverse("second-factor-verify"), {"kode": code_now(device)})
    page = client.post(reverse("second-factor-recovery"), follow=True)
    new = set(re.findall(r"<code>([a-z0-9]+)</code>", page.content.decode()))
    assert len(new) == secondfactor.RECOVERY_CODES
    assert not new & old
    assert (
        set(StaticToken.objects.filter(device__user=kapolsek).values_list("token", flat=True))
        == new
    )


@enforced
def test_the_desk_signs_in_without_it_unless_the_unit_asks(client, petugas, selatan) -> None:
    sign_in(client, petugas)
    assert client.get(reverse("dashboard")).status_code == 200
    selatan.second_factor_for_desk = True
    selatan.save(update_fields=["second_factor_for_desk"])
    assert client.get(reverse("dashboard")).status_code == 302


def test_not_enforced_changes_nothing(client, kapolsek) -> None:
    sign_in(client, kapolsek)
    assert client.get(reverse("dashboard")).status_code == 200


@enforced
def test_admin_reset_removes_the_factor_and_is_audit_logged(client, kapolsek) -> None:
    enrolled(kapolsek)
    admin = User.objects.create_superuser("root", password=PASSWORD)
    admin_device = enrolled(admin)
    client.post(reverse("login"), {"username": "root", "password": PASSWORD})
    # The admin site is behind the second factor.
    assert client.get("/admin/").status_code == 302
    with next_step():
        client.post(reverse("second-factor-verify"), {"kode": code_now(admin_device)})
    response = client.post(
        reverse("admin:org_user_changelist"),
        {"action": "second_factor_reset", "_selected_action": [kapolsek.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=kapolsek).exists()
    event = AuditEvent.objects.get(action="org.second_factor.reset")
    assert event.actor == admin
    assert event.data["username"] == kapolsek.username


def test_an_officer_on_duty_signs_out_with_the_shift(client, open_shift) -> None:  # noqa: F811
    head = User.objects.get(username="kepala1")
    assert head.personnel.pk in open_shift.lineup()
    sign_in(client, head)
    grace = timedelta(minutes=60)
    assert client.session.get_expiry_date() == open_shift.ends_at + grace


def test_off_duty_sessions_keep_the_standard_age(client, kapolsek) -> None:
    sign_in(client, kapolsek)
    assert client.session.get_expiry_date() == clock.now() + timedelta(hours=12)


@enforced
def test_an_api_token_is_no_way_around_the_second_factor(kapolsek, petugas) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    device = enrolled(kapolsek)
    api = APIClient()
    url = reverse("api:token")
    bare = api.post(url, {"username": "kapolsek", "password": PASSWORD}, format="json")
    assert bare.status_code == 400
    assert "kode" in bare.json()
    with next_step():
        wrong = api.post(
            url, {"username": "kapolsek", "password": PASSWORD, "kode": "000000"}, format="json"
        )
        assert wrong.status_code == 400
    assert not Token.objects.filter(user=kapolsek).exists()
    with time_machine.travel(clock.now() + timedelta(seconds=62), tick=False):
        good = api.post(
            url,
            {"username": "kapolsek", "password": PASSWORD, "kode": code_now(device)},
            format="json",
        )
    assert good.status_code == 200
    assert Token.objects.get(user=kapolsek).key == good.json()["token"]
    # The desk of a unit that does not ask for it: the password alone, as before.
    desk = api.post(url, {"username": "petugas", "password": PASSWORD}, format="json")
    assert desk.status_code == 200


def test_no_admin_page_shows_anyones_totp_secret(client) -> None:
    User.objects.create_superuser("root", password=PASSWORD)
    client.post(reverse("login"), {"username": "root", "password": PASSWORD})
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
