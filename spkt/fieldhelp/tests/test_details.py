"""Each kind of task carries what it needs: an event's permit and crowd, a patrol's check-in
points, a vehicle matter and its plate; checked on the page, the service and the API alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from spkt.fieldhelp.details import details_clean
from spkt.fieldhelp.models import Source, Task, TaskType
from spkt.fieldhelp.services import task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_type(tptkp) -> TaskType:
    return TaskType.objects.get(unit=None, code="pengamanan")


def test_an_event_keeps_its_permit_crowd_and_posts(ka_spkt, selatan, event_type) -> None:
    task = task_create(
        actor=ka_spkt,
        unit=selatan,
        task_type=event_type,
        source=Source.ORDER,
        address="Lapangan Taruna Remaja",
        details={
            "event": "Konser amal",
            "permit": "SIK/12/XI/2026",
            "crowd": "1500",
            "posts": "Gerbang utama\n\nPanggung\n",
        },
    )
    task.refresh_from_db()
    assert task.details == {
        "event": "Konser amal",
        "permit": "SIK/12/XI/2026",
        "crowd": 1500,
        "posts": ["Gerbang utama", "Panggung"],
    }


@pytest.mark.parametrize(
    ("family", "raw", "message"),
    [
        ("pengamanan", {"crowd": "banyak"}, "bilangan bulat"),
        ("pengamanan", {"crowd": -5}, "rentang"),
        ("pengamanan", {"crowd": True}, "bilangan bulat"),
        ("pengamanan", {"route": "Jl. A"}, "tidak dikenal"),
        ("ranmor", {"matter": "terbang"}, "tidak dikenal"),
        ("turjawali", {"checkpoints": "\n".join(f"Titik {i}" for i in range(40))}, "baris"),
        ("turjawali", {"route": "x" * 600}, "terlalu panjang"),
        ("turjawali", {"route": ["bukan", "teks"]}, "teks"),
        ("turjawali", {"checkpoints": ["Pasar", 7]}, "teks"),
        ("tptkp", "bukan-objek", "pasangan"),
    ],
)
def test_bad_details_are_refused(family, raw, message) -> None:
    with pytest.raises(ValidationError, match=message):
        details_clean(family, raw)


def test_the_form_reads_only_the_chosen_kinds_details(client, ka_spkt, event_type) -> None:
    client.force_login(ka_spkt)
    response = client.post(
        reverse("fieldhelp:task-new"),
        {
            "task_type": str(event_type.pk),
            "source": Source.ORDER,
            "priority": "normal",
            "address": "Lapangan Taruna Remaja",
            "d_pengamanan_event": "Konser amal",
            "d_pengamanan_crowd": "800",
            "d_turjawali_route": "ignored: another kind",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302
    assert task.details == {"event": "Konser amal", "crowd": 800}
    page = client.get(reverse("fieldhelp:detail", args=[task.pk])).content.decode()
    assert "Perkiraan jumlah massa" in page
    assert "800" in page


def test_a_bad_crowd_on_the_form_changes_nothing(client, ka_spkt, event_type) -> None:
    client.force_login(ka_spkt)
    response = client.post(
        reverse("fieldhelp:task-new"),
        {
            "task_type": str(event_type.pk),
            "source": Source.ORDER,
            "priority": "normal",
            "address": "Lapangan Taruna Remaja",
            "d_pengamanan_crowd": "-3",
        },
    )
    assert response.status_code == 400
    assert not Task.objects.exists()


def test_the_api_takes_and_gives_the_details(petugas, selatan, tptkp) -> None:
    api = APIClient()
    api.force_authenticate(petugas)
    body = {
        "type": "ranmor",
        "address": "Jl. Agus Salim",
        "details": {"matter": "laka", "plate": "DM 1234 AB"},
    }
    created = api.post("/api/field-tasks/", body, format="json")
    assert created.status_code == 201
    assert created.json()["details"] == {"matter": "laka", "plate": "DM 1234 AB"}
    bad = api.post(
        "/api/field-tasks/",
        {**body, "details": {"matter": "laka", "crowd": 5}},
        format="json",
    )
    assert bad.status_code == 400
    assert Task.objects.count() == 1


def test_a_planned_task_says_when(client, ka_spkt, selatan, patroli) -> None:
    from datetime import timedelta

    from spkt.core import clock

    with pytest.raises(ValidationError, match="satu tahun"):
        task_create(
            actor=ka_spkt,
            unit=selatan,
            task_type=patroli,
            source=Source.PLANNED,
            address="Rute A",
            planned_for=clock.now() + timedelta(days=400),
        )
    assert not Task.objects.exists()
    client.force_login(ka_spkt)
    response = client.post(
        reverse("fieldhelp:task-new"),
        {
            "task_type": str(patroli.pk),
            "source": Source.PLANNED,
            "priority": "normal",
            "address": "Rute Biawu - Limba B",
            "planned_for": "2026-12-05T19:00",
            "d_turjawali_checkpoints": "Pasar Sentral\nTerminal",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.planned_for.isoformat() == "2026-12-05T11:00:00+00:00"  # 19:00 WITA
    assert task.details == {"checkpoints": ["Pasar Sentral", "Terminal"]}
    page = client.get(reverse("fieldhelp:detail", args=[task.pk])).content.decode()
    assert "05-12-2026 19:00 WITA" in page
    api = APIClient()
    api.force_authenticate(ka_spkt)
    bad = api.post(
        "/api/field-tasks/",
        {
            "type": "patroli",
            "source": "planned",
            "address": "Rute B",
            "planned_for": "2029-01-01T08:00:00+08:00",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert Task.objects.count() == 1
