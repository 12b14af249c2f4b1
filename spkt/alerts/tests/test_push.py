"""Alerts reach phones: each alert of the clocks and of the daily report is pushed, encrypted and
VAPID-signed, to the devices of the user it is for; the local push service decrypts what it got."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from spkt.alerts import services
from spkt.alerts.models import PushDelivery, PushStatus, PushSubscription, VapidKey
from spkt.alerts.services import alert_push, push_deliver, push_sweep
from spkt.alerts.vapid import vapid_public_key
from spkt.core import clock
from spkt.dutylog.services import shift_current
from spkt.dutylog.tests.conftest import squads  # noqa: F401 (fixture)
from spkt.intake.clock import sla_sweep
from spkt.intake.models import Contact
from spkt.intake.services import Incoming, contact_receive
from spkt.org.models import User
from spkt.reports.tests.conftest import lived_day  # noqa: F401 (fixture)


def _contact(unit) -> Contact:
    return contact_receive(
        unit=unit,
        incoming=Incoming(channel="whatsapp", body="Tolong", sender_address="6281234567890"),
    )


def test_a_breach_reaches_the_phone_of_the_ka_spkt_on_duty_only(
    selatan,
    squads,  # noqa: F811
    ka_spkt,
    phone,
    push_service,
    django_capture_on_commit_callbacks,
) -> None:
    head = User.objects.get(personnel=shift_current(unit=selatan).ka_spkt)
    on_duty, _ = phone(head, "kepala")
    off_duty, _ = phone(ka_spkt, "lain")
    contact = _contact(selatan)
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(now=contact.first_response_due_at + timedelta(seconds=1)) == (1, 0)
    [message] = push_service.messages(on_duty)
    assert message == {
        "title": "Kontak belum ditanggapi",
        "body": f"WhatsApp {contact.tracking_code} belum ditanggapi dalam 5 menit.",
        "url": f"/kontak/{contact.pk}/",
        "tag": f"contact-{contact.pk}",
    }
    assert "6281234567890" not in str(message)  # a lock screen shows no sender
    assert push_service.messages(off_duty) == []
    [received] = push_service.received
    assert received.vapid_key == vapid_public_key()
    assert received.claims["aud"] == push_service.origin
    assert received.claims["sub"].startswith("mailto:")
    assert received.headers["urgency"] == "high"
    assert PushDelivery.objects.get().status == PushStatus.SENT
    # The next round of the clock tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=contact.first_response_due_at + timedelta(seconds=20))
    assert len(push_service.received) == 1


def test_an_escalation_reaches_the_kapolsek(
    selatan, ka_spkt, kapolsek, phone, push_service, django_capture_on_commit_callbacks
) -> None:
    chief, _ = phone(kapolsek, "kapolsek")
    contact = _contact(selatan)
    breach = contact.first_response_due_at + timedelta(seconds=1)
    sla_sweep(now=breach)
    assert push_service.messages(chief) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(now=breach + timedelta(minutes=5)) == (0, 1)
    [message] = push_service.messages(chief)
    assert message["title"] == "Eskalasi: kontak belum ditanggapi"
    assert message["url"] == reverse("intake:detail", args=[contact.pk])


def test_a_submitted_daily_report_reaches_the_kapolsek(
    lived_day,  # noqa: F811
    selatan,
    ka_spkt,
    kapolsek,
    phone,
    push_service,
    django_capture_on_commit_callbacks,
) -> None:
    from spkt.reports.services import report_submit

    chief, _ = phone(kapolsek, "kapolsek")
    desk, _ = phone(ka_spkt, "ka-spkt")
    with (
        clock.travel(lived_day.sealed_at + timedelta(minutes=4)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = report_submit(actor=ka_spkt, unit=selatan, day=lived_day.day, situation="Aman")
    [message] = push_service.messages(chief)
    assert message["title"] == "Laporan harian dikirim"
    assert message["url"] == reverse("reports:detail", args=[report.pk])
    assert message["tag"] == f"report-{report.pk}"
    assert push_service.messages(desk) == []


def test_a_push_service_that_is_down_gets_the_alert_later_and_once(
    kapolsek, phone, push_service, django_capture_on_commit_callbacks
) -> None:
    browser, device = phone(kapolsek, "kapolsek")
    push_service.answers = [503]
    with django_capture_on_commit_callbacks(execute=True):
        [pk] = alert_push(user=kapolsek, title="Uji", body="Isi", url="/kontak/1/", tag="t")
    delivery = PushDelivery.objects.get(pk=pk)
    assert delivery.status == PushStatus.PENDING
    assert delivery.attempts == 1
    assert "503" in delivery.last_error
    assert push_sweep() == 0  # not before its backoff
    with clock.travel(delivery.next_attempt_at):
        assert push_sweep() == 1
        assert push_sweep() == 0
        assert push_deliver(pk) == PushStatus.SENT  # a late task for it sends nothing
    assert push_service.messages(browser) == [
        {"title": "Uji", "body": "Isi", "url": "/kontak/1/", "tag": "t"}
    ]
    device.refresh_from_db()
    assert device.failures == 0
    assert device.last_success_at is not None
    # A month on, the sent push is cleared away.
    with clock.travel(delivery.created_at + timedelta(days=31)):
        push_sweep()
    assert not PushDelivery.objects.exists()


def test_no_answer_at_all_is_retried_too(kapolsek, phone, push_service) -> None:
    _, device = phone(kapolsek, "kapolsek")
    PushSubscription.objects.filter(pk=device.pk).update(endpoint="http://127.0.0.1:9/push/x")
    [pk] = alert_push(user=kapolsek, title="Uji", body="Isi", url="/", tag="t")
    assert push_deliver(pk) == PushStatus.PENDING
    assert "no answer" in PushDelivery.objects.get(pk=pk).last_error


def test_a_push_the_service_refuses_for_good_is_failed_not_retried(
    kapolsek, phone, push_service
) -> None:
    phone(kapolsek, "kapolsek")
    push_service.answers = [400]
    [pk] = alert_push(user=kapolsek, title="Uji", body="Isi", url="/", tag="t")
    assert push_deliver(pk) == PushStatus.FAILED
    with clock.travel(clock.now() + timedelta(days=1)):
        assert push_sweep() == 0


@pytest.mark.parametrize("status", [404, 410])
def test_a_browser_that_unsubscribed_is_forgotten(kapolsek, phone, push_service, status) -> None:
    _, device = phone(kapolsek, "kapolsek")
    push_service.answers = [status]
    [pk] = alert_push(user=kapolsek, title="Uji", body="Isi", url="/", tag="t")
    assert push_deliver(pk) == ""
    assert not PushSubscription.objects.filter(pk=device.pk).exists()
    assert not PushDelivery.objects.exists()


def test_a_user_without_devices_gets_no_push(kapolsek, push_service) -> None:
    assert alert_push(user=kapolsek, title="Uji", body="Isi", url="/", tag="t") == []
    assert not PushDelivery.objects.exists()


def test_the_vapid_key_is_made_once_and_kept_encrypted(db) -> None:
    first = vapid_public_key()
    assert vapid_public_key() == first
    row = VapidKey.objects.get()
    assert row.public_key == first
    assert services.settings.NIK_ENCRYPTION_KEYS  # encrypted with the data keys
    assert row.private_key_encrypted.startswith("gAAAA")  # a Fernet token, not the raw key


def test_a_vapid_key_from_settings_wins(db) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from spkt.alerts.vapid import _raw_private, public_of

    key = ec.generate_private_key(ec.SECP256R1())
    with override_settings(SPKT_VAPID_PRIVATE_KEY=_raw_private(key)):
        assert vapid_public_key() == public_of(key)
    assert not VapidKey.objects.exists()


def test_the_intake_clock_runs_the_push_retries() -> None:
    from spkt.core.pollers import POLLERS

    assert push_sweep in POLLERS
