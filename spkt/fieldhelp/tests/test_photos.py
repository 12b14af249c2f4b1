"""Photos on situation reports: images only, at most three of at most 5 MB, nothing stored on a
bad one; shown on the task page to those who may see the task, 404 to another station."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from spkt.fieldhelp.models import ReportPhoto, SituationReport
from spkt.fieldhelp.photos import PHOTO_MAX_BYTES, Photo, photo_type
from spkt.fieldhelp.services import task_dispatch, task_report

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60
WEBP = b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 60


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def dispatched(task, ka_spkt, on_duty):
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    return task


def test_magic_bytes_decide_the_type() -> None:
    assert photo_type(JPEG) == "image/jpeg"
    assert photo_type(PNG) == "image/png"
    assert photo_type(WEBP) == "image/webp"
    assert photo_type(b"GIF89a....") is None
    assert photo_type(b"") is None
    assert photo_type(b"<svg xmlns=...>") is None


def test_three_photos_are_stored_with_the_report(dispatched, ka_spkt) -> None:
    report = task_report(
        actor=ka_spkt,
        task=dispatched,
        text="TKP diamankan.",
        photos=[Photo("a.jpg", JPEG), Photo("b.png", PNG), Photo("c.webp", WEBP)],
    )
    stored = list(report.photos.order_by("pk"))
    assert [p.content_type for p in stored] == ["image/jpeg", "image/png", "image/webp"]
    assert stored[0].file.read() == JPEG
    assert stored[0].file.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ([Photo("a.jpg", JPEG)] * 4, "Paling banyak 3 foto"),
        ([Photo("virus.exe", b"MZ\x90\x00" + b"\x00" * 20)], "bukan foto"),
        ([Photo("big.jpg", JPEG + b"\x00" * PHOTO_MAX_BYTES)], "terlalu besar"),
        ([Photo("ok.jpg", JPEG), Photo("x.txt", b"hello")], "bukan foto"),
    ],
)
def test_a_bad_photo_stores_nothing(dispatched, ka_spkt, photos, message) -> None:
    with pytest.raises(ValidationError, match=message):
        task_report(actor=ka_spkt, task=dispatched, text="Laporan", photos=photos)
    assert not SituationReport.objects.exists()
    assert not ReportPhoto.objects.exists()


def test_the_officer_form_uploads_and_the_page_shows_them(
    client: Client, dispatched, ka_spkt, petugas, outsider
) -> None:
    client.force_login(ka_spkt)
    mine_form = client.get(reverse("fieldhelp:detail", args=[dispatched.pk])).content.decode()
    assert 'accept="image/*" capture="environment"' in mine_form
    assert 'enctype="multipart/form-data"' in mine_form
    answer = client.post(
        reverse("fieldhelp:task-report", args=[dispatched.pk]),
        {
            "text": "Korban dievakuasi.",
            "idempotency_key": "r1",
            "photos": [SimpleUploadedFile("tkp.jpg", JPEG, content_type="image/jpeg")],
        },
    )
    assert answer.status_code == 302
    photo = ReportPhoto.objects.get()
    url = reverse("fieldhelp:photo", args=[photo.pk])
    client.force_login(petugas)
    assert url in client.get(reverse("fieldhelp:detail", args=[dispatched.pk])).content.decode()
    shown = client.get(url)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert shown.getvalue() == JPEG
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_form_refuses_a_non_image_and_changes_nothing(
    client: Client, dispatched, ka_spkt
) -> None:
    client.force_login(ka_spkt)
    answer = client.post(
        reverse("fieldhelp:task-report", args=[dispatched.pk]),
        {
            "text": "Laporan",
            "photos": [SimpleUploadedFile("x.html", b"<html>", content_type="image/jpeg")],
        },
        follow=True,
    )
    assert "bukan foto" in answer.content.decode()
    assert not SituationReport.objects.exists()
    too_many = [SimpleUploadedFile(f"{i}.jpg", JPEG) for i in range(4)]
    answer = client.post(
        reverse("fieldhelp:task-report", args=[dispatched.pk]),
        {"text": "Laporan", "photos": too_many},
        follow=True,
    )
    assert "Paling banyak 3 foto" in answer.content.decode()
    assert not SituationReport.objects.exists()
