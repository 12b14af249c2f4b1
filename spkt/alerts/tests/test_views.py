"""The "Notifikasi di ponsel" page: subscribing a browser, removing a device, the test push, and
the desk's service worker and manifest. Bad subscriptions are a 400 in Indonesian with nothing
stored; another user's device is a 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from spkt.alerts.models import PushSubscription
from spkt.alerts.tests.pushserver import Browser

SUBSCRIBE = reverse("alerts:subscribe")
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
)


def _post(client: Client, body: object, **extra) -> Any:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(SUBSCRIBE, data=data, content_type="application/json", **extra)


def test_a_browser_subscribes_and_is_listed(client: Client, ka_spkt, push_service) -> None:
    browser = push_service.browser("hp")
    client.force_login(ka_spkt)
    answer = _post(client, browser.subscription(), HTTP_USER_AGENT=ANDROID)
    assert answer.status_code == 201
    device = PushSubscription.objects.get()
    assert (device.user, device.endpoint, device.label) == (
        ka_spkt,
        browser.endpoint,
        "Chrome · Android",
    )
    page = client.get(reverse("alerts:devices")).content.decode()
    assert f'data-device="{device.pk}"' in page
    assert "Chrome · Android" in page
    # The same browser again updates its keys, and is still one device.
    browser.key = Browser(endpoint="x").key
    assert _post(client, browser.subscription()).status_code == 201
    assert PushSubscription.objects.get().p256dh == browser.subscription()["keys"]["p256dh"]


def test_a_browser_signed_in_as_another_user_moves_to_them(
    client: Client, ka_spkt, kapolsek, push_service
) -> None:
    browser = push_service.browser("meja")
    client.force_login(ka_spkt)
    _post(client, browser.subscription())
    client.force_login(kapolsek)
    _post(client, browser.subscription())
    assert PushSubscription.objects.get().user == kapolsek


def _sub(**changes) -> dict:
    data = Browser(endpoint="https://push.example.com/abc").subscription()
    keys = changes.pop("keys", {})
    data["keys"].update(keys)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{bukan json", "JSON tidak sah"),
        (b"\xff\xfe", "UTF-8"),
        ([1, 2], "Data langganan notifikasi tidak sah"),
        ({"endpoint": "https://push.example.com/x"}, "Kunci langganan notifikasi tidak ada"),
        (_sub(endpoint=None), "Alamat layanan push tidak ada"),
        (_sub(endpoint=123), "Alamat layanan push tidak ada"),
        (_sub(endpoint="https://push.example.com/" + "a" * 1000), "terlalu panjang"),
        (_sub(endpoint="http://push.example.com/x"), "harus memakai https"),
        (_sub(endpoint="ftp://push.example.com/x"), "harus memakai https"),
        (_sub(endpoint="https://user:pw@push.example.com/x"), "tidak sah"),
        (_sub(endpoint="https://push.example.com:99999/x"), "tidak sah"),
        (_sub(endpoint="javascript:alert(1)"), "tidak sah"),
        (_sub(keys={"p256dh": None}), "Kunci p256dh tidak ada"),
        (_sub(keys={"p256dh": "!!!"}), "Kunci p256dh tidak sah"),
        (_sub(keys={"p256dh": "BA" + "A" * 85}), "Kunci p256dh tidak sah"),  # not on the curve
        (_sub(keys={"auth": "AAAA"}), "Kunci auth tidak sah"),
        (_sub(keys={"auth": ["x"]}), "Kunci auth tidak ada"),
        (b"[" * 5000, "terlalu dalam"),
        (b'{"x": "' + b"a" * 20000 + b'"}', "terlalu besar"),
    ],
)
def test_a_bad_subscription_is_refused_in_indonesian_and_nothing_is_stored(
    client: Client, ka_spkt, body, error
) -> None:
    client.force_login(ka_spkt)
    answer = _post(client, body)
    assert answer.status_code == 400
    assert error in answer.json()["error"]
    assert not PushSubscription.objects.exists()


def test_subscribing_needs_a_signed_in_user_and_a_post(client: Client, ka_spkt) -> None:
    data = _sub()
    assert _post(client, data).status_code == 302  # to the sign-in page
    client.force_login(ka_spkt)
    assert client.get(SUBSCRIBE).status_code == 405
    assert not PushSubscription.objects.exists()


def test_a_user_removes_their_own_device_but_not_another_users(
    client: Client, ka_spkt, kapolsek, phone
) -> None:
    _, mine = phone(ka_spkt, "saya")
    _, theirs = phone(kapolsek, "kapolsek")
    client.force_login(ka_spkt)
    page = client.get(reverse("alerts:devices")).content.decode()
    assert f'data-device="{theirs.pk}"' not in page
    assert client.post(reverse("alerts:device-delete", args=[theirs.pk])).status_code == 404
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()
    answer = client.post(reverse("alerts:device-delete", args=[mine.pk]))
    assert answer.status_code == 302
    assert not PushSubscription.objects.filter(pk=mine.pk).exists()


def test_the_test_push_reaches_every_device_of_the_user(
    client: Client, kapolsek, ka_spkt, phone, push_service, django_capture_on_commit_callbacks
) -> None:
    client.force_login(kapolsek)
    answer = client.post(reverse("alerts:test"), follow=True)
    assert "Belum ada perangkat" in answer.content.decode()
    one, _ = phone(kapolsek, "hp")
    two, _ = phone(kapolsek, "tablet")
    other, _ = phone(ka_spkt, "lain")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("alerts:test"), follow=True)
    assert "dikirim ke 2 perangkat" in answer.content.decode()
    assert [m["title"] for m in push_service.messages(one)] == ["Uji notifikasi SPKT"]
    assert len(push_service.messages(two)) == 1
    assert push_service.messages(other) == []


def test_the_page_carries_the_vapid_key_and_the_messages_for_the_script(
    client: Client, penilai
) -> None:
    from spkt.alerts.vapid import vapid_public_key

    client.force_login(penilai)
    page = client.get(reverse("alerts:devices")).content.decode()
    assert f'data-vapid-key="{vapid_public_key()}"' in page
    assert "tidak mendukung notifikasi push" in page
    assert "Izin notifikasi untuk situs ini ditolak" in page
    assert 'rel="manifest"' in page


def test_the_desk_service_worker_covers_the_whole_site(client: Client) -> None:
    answer = client.get(reverse("alerts:service-worker"))
    assert answer.status_code == 200
    assert answer["Service-Worker-Allowed"] == "/"
    assert answer["Content-Type"].startswith("text/javascript")
    body = answer.content.decode()
    assert 'addEventListener("push"' in body
    assert 'addEventListener("notificationclick"' in body
    manifest = json.loads(client.get(reverse("alerts:manifest")).content)
    assert (manifest["scope"], manifest["start_url"], manifest["lang"]) == ("/", "/", "id")
    # The field-help worker keeps its own, narrower scope.
    assert client.get("/bantuan/sw.js")["Service-Worker-Allowed"] == "/bantuan/"


@pytest.mark.parametrize(
    ("endpoint", "error"),
    [
        ("http://127.0.0.1:8000/push/x", "harus memakai https"),
        ("https://10.1.2.3/push/x", "tidak sah"),
        ("https://127.0.0.1/push/x", "tidak sah"),
        ("https://[::1]/push/x", "tidak sah"),
    ],
)
def test_production_takes_only_https_push_services_on_public_addresses(
    client: Client, ka_spkt, endpoint, error
) -> None:
    client.force_login(ka_spkt)
    with override_settings(PROD=True):
        answer = _post(client, _sub(endpoint=endpoint))
        assert answer.status_code == 400
        assert error in answer.json()["error"]
        assert (
            _post(client, _sub(endpoint="https://fcm.googleapis.com/fcm/send/a")).status_code == 201
        )
    assert [d.endpoint for d in PushSubscription.objects.all()] == [
        "https://fcm.googleapis.com/fcm/send/a"
    ]
