"""/api/field-tasks/: list, one task, create, status update and situation report, with the desk's
permissions; bad input is a 400 with an Indonesian message and changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from spkt.fieldhelp.models import ReportPhoto, SituationReport, StatusEvent, Task, TaskStatus
from spkt.fieldhelp.services import task_dispatch
from spkt.intake.models import Outcome, Status
from spkt.intake.services import phone_log

LIST = "/api/field-tasks/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def dispatched(task, ka_spkt, on_duty) -> Task:
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    return task


def test_the_list_pages_and_filters(task, patroli, petugas, kapolsek) -> None:
    api(petugas).post(LIST, {"type": "patroli", "address": "Rute A"}, format="json")
    page = api(kapolsek).get(LIST, {"limit": 1}).json()
    assert page["count"] == 2
    assert len(page["results"]) == 1
    assert page["next"]
    only = api(kapolsek).get(LIST, {"type": "tptkp"}).json()
    assert [t["id"] for t in only["results"]] == [task.pk]
    assert api(kapolsek).get(LIST, {"status": "cleared"}).json()["count"] == 0
    assert api(kapolsek).get(LIST, {"open": "true"}).json()["count"] == 2


@pytest.mark.parametrize(
    "params", [{"status": "hilang"}, {"type": "bukan jenis!"}, {"open": "mungkin"}]
)
def test_bad_list_filters_are_400(task, kapolsek, params) -> None:
    answer = api(kapolsek).get(LIST, params)
    assert answer.status_code == 400


def test_another_station_sees_nothing_and_gets_404(task, outsider, utara, selatan) -> None:
    client = api(outsider)
    assert client.get(LIST).json()["count"] == 0
    assert client.get(LIST, {"unit": selatan.pk}).status_code == 404
    assert client.get(f"{LIST}{task.pk}/").status_code == 404
    body = {"status": "en_route", "idempotency_key": "x"}
    assert client.post(f"{LIST}{task.pk}/status/", body, format="json").status_code == 404
    body = {"text": "a", "idempotency_key": "x"}
    assert client.post(f"{LIST}{task.pk}/reports/", body, format="json").status_code == 404


def test_the_detail_has_the_timeline(dispatched, kapolsek) -> None:
    data = api(kapolsek).get(f"{LIST}{dispatched.pk}/").json()
    assert data["type"] == "tptkp"
    assert data["status"] == "dispatched"
    assert [e["status"] for e in data["events"]] == ["requested", "dispatched"]
    assert len(data["assignments"]) == 1
    assert data["lp_number"] is None


def test_create_and_its_bad_input(petugas, tptkp, selatan, kapolsek) -> None:
    client = api(petugas)
    answer = client.post(
        LIST,
        {"type": "tptkp", "address": "Jl. Pertiwi", "lat": 0.54, "lon": 123.06, "priority": "high"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    task = Task.objects.get(pk=answer.json()["id"])
    assert (task.unit, task.priority, str(task.lat)) == (selatan, "high", "0.540000")
    for body, field in [
        ({"address": "A"}, "type"),
        ({"type": "tptkp"}, "address"),
        ({"type": "tidak-ada", "address": "A"}, "type"),
        ({"type": "tptkp", "address": "A", "lat": 91, "lon": 1}, "lat"),
        ({"type": "tptkp", "address": "A", "lat": 1, "lon": -181}, "lon"),
        ({"type": "tptkp", "address": "A", "lat": "x", "lon": 1}, "lat"),
        ({"type": "tptkp", "address": "A", "priority": "segera"}, "priority"),
        ({"type": "tptkp", "address": "A", "source": "contact"}, "source"),
        ({"type": "tptkp", "address": "A", "kelurahan": 999999}, "kelurahan"),
        ({"type": "tptkp", "address": "A", "contact": 999999}, "contact"),
        ({"type": "tptkp", "address": "A" * 300}, "address"),
        ({"type": ["tptkp"], "address": "A"}, "type"),
    ]:
        answer = client.post(LIST, body, format="json")
        assert answer.status_code == 400, (body, answer.content)
        assert field in answer.json(), (body, answer.json())
    answer = client.post(LIST, {"type": "tptkp", "address": "A", "lat": 1}, format="json")
    assert answer.status_code == 400
    assert "bersama-sama" in answer.content.decode()
    assert Task.objects.count() == 1
    assert (
        api(kapolsek).post(LIST, {"type": "tptkp", "address": "A"}, format="json").status_code
        == 403
    )


def test_create_from_a_contact_closes_it(petugas, tptkp, selatan, outsider, utara) -> None:
    contact = phone_log(actor=petugas, unit=selatan, caller="0812", summary="Tolong")
    answer = api(petugas).post(
        LIST, {"type": "tptkp", "address": "A", "contact": contact.pk}, format="json"
    )
    assert answer.status_code == 201
    assert answer.json()["source"] == "contact"
    contact.refresh_from_db()
    assert (contact.status, contact.outcome) == (Status.CLOSED, Outcome.FIELD_HELP)
    again = api(petugas).post(
        LIST, {"type": "tptkp", "address": "A", "contact": contact.pk}, format="json"
    )
    assert again.status_code == 400
    theirs = phone_log(actor=outsider, unit=utara, caller="0813", summary="Tolong")
    answer = api(petugas).post(
        LIST, {"type": "tptkp", "address": "A", "contact": theirs.pk}, format="json"
    )
    assert answer.status_code == 400
    assert Task.objects.count() == 1


def test_status_forward_replay_and_backwards(dispatched, ka_spkt) -> None:
    url = f"{LIST}{dispatched.pk}/status/"
    client = api(ka_spkt)
    body = {"status": "on_scene", "idempotency_key": "k1", "lat": 0.5, "lon": 123.1}
    first = client.post(url, body, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "on_scene"
    replay = client.post(url, body, format="json")
    assert replay.status_code == 200
    assert replay.json()["status"] == "on_scene"
    assert StatusEvent.objects.filter(task=dispatched, status="on_scene").count() == 1
    back = client.post(url, {"status": "en_route", "idempotency_key": "k2"}, format="json")
    assert back.status_code == 400
    assert "tidak dapat mundur" in back.content.decode()
    dispatched.refresh_from_db()
    assert dispatched.status == TaskStatus.ON_SCENE


@pytest.mark.parametrize(
    "body",
    [
        {"status": "en_route"},
        {"status": "cleared", "idempotency_key": "k"},
        {"status": "requested", "idempotency_key": "k"},
        {"idempotency_key": "k"},
        {"status": "en_route", "idempotency_key": "k", "lat": 95, "lon": 1},
        {"status": "en_route", "idempotency_key": "k", "lat": 1, "lon": 200},
        {"status": "en_route", "idempotency_key": "k", "lat": "NaN", "lon": 1},
        {"status": "en_route", "idempotency_key": "k", "accuracy_m": -1, "lat": 1, "lon": 1},
        {"status": "en_route", "idempotency_key": "k" * 65},
        {"status": {"a": 1}, "idempotency_key": "k"},
    ],
)
def test_bad_status_updates_change_nothing(dispatched, ka_spkt, body) -> None:
    answer = api(ka_spkt).post(f"{LIST}{dispatched.pk}/status/", body, format="json")
    assert answer.status_code == 400, answer.content
    dispatched.refresh_from_db()
    assert dispatched.status == TaskStatus.DISPATCHED
    assert StatusEvent.objects.filter(task=dispatched).count() == 2


def test_the_assigned_officer_may_update_and_a_reader_may_not(
    dispatched, on_duty, kapolsek
) -> None:
    from spkt.org.models import Role
    from spkt.org.services import user_create

    officer = user_create(
        username="anggota", password="x-Secret-2026!", unit=dispatched.unit, roles=[Role.PENILAI]
    )
    on_duty[0].user = officer
    on_duty[0].save(update_fields=["user"])
    body = {"status": "en_route", "idempotency_key": "k"}
    assert (
        api(kapolsek).post(f"{LIST}{dispatched.pk}/status/", body, format="json").status_code == 403
    )
    answer = api(officer).post(f"{LIST}{dispatched.pk}/status/", body, format="json")
    assert answer.status_code == 200, answer.content


def test_reports_with_replay_and_photos(dispatched, ka_spkt, settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    url = f"{LIST}{dispatched.pk}/reports/"
    client = api(ka_spkt)
    body = {"text": "TKP aman", "idempotency_key": "r1", "evidence": "Pisau"}
    first = client.post(url, body, format="json")
    assert first.status_code == 201
    assert client.post(url, body, format="json").status_code == 200
    assert SituationReport.objects.count() == 1
    jpeg = SimpleUploadedFile(
        "a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, content_type="image/jpeg"
    )
    answer = client.post(
        url, {"text": "Foto TKP", "idempotency_key": "r2", "photos": [jpeg]}, format="multipart"
    )
    assert answer.status_code == 201, answer.content
    assert len(answer.json()["photos"]) == 1
    fake = SimpleUploadedFile("a.jpg", b"<html></html>", content_type="image/jpeg")
    answer = client.post(
        url, {"text": "Foto", "idempotency_key": "r3", "photos": [fake]}, format="multipart"
    )
    assert answer.status_code == 400
    assert "bukan foto" in answer.content.decode()
    for bad in [{"idempotency_key": "r4"}, {"text": "", "idempotency_key": "r4"}, {"text": "a"}]:
        assert client.post(url, bad, format="json").status_code == 400
    assert SituationReport.objects.count() == 2
    assert ReportPhoto.objects.count() == 1


def test_a_report_before_dispatch_is_refused(task, ka_spkt) -> None:
    answer = api(ka_spkt).post(
        f"{LIST}{task.pk}/reports/", {"text": "a", "idempotency_key": "r"}, format="json"
    )
    assert answer.status_code == 400
    assert "belum diberangkatkan" in answer.content.decode()
