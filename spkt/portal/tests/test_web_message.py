import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from spkt.intake.models import Contact


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


GOOD = {"name": "Warga", "reply_to": "0812 3456 7890", "message": "Ada pohon tumbang di jalan"}


def test_a_web_message_opens_a_contact_and_returns_its_code(client: Client, selatan) -> None:
    response = client.post(reverse("portal:web-message", args=[selatan.code]), GOOD)
    contact = Contact.objects.get()
    assert contact.channel == "web"
    assert contact.tracking_code in response.content.decode()


@pytest.mark.parametrize(
    "bad", [{"message": ""}, {"reply_to": "abc"}, {"reply_to": "a@b"}, {"message": "x" * 2001}]
)
def test_bad_web_messages_store_nothing(client: Client, selatan, bad) -> None:
    response = client.post(reverse("portal:web-message", args=[selatan.code]), {**GOOD, **bad})
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_the_web_form_is_rate_limited_without_a_captcha(client: Client, selatan) -> None:
    url = reverse("portal:web-message", args=[selatan.code])
    codes = [client.post(url, GOOD, REMOTE_ADDR="10.9.9.9").status_code for _ in range(6)]
    assert codes[-1] == 429
    assert Contact.objects.count() == 5


def test_an_unknown_unit_is_not_found(client: Client, db) -> None:
    assert client.get(reverse("portal:web-message", args=["tidak-ada"])).status_code == 404
