from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from spkt.core import clock
from spkt.core.ledger import verify
from spkt.core.models import AuditEvent
from spkt.dutylog.models import EntryCategory, Mutasi
from spkt.dutylog.services import mutasi_correct, mutasi_write


def test_an_officer_writes_into_the_open_shift(petugas, selatan, open_shift) -> None:
    entry = mutasi_write(
        actor=petugas, unit=selatan, text="Patroli ke Biawu; aman.", category="patroli"
    )
    assert entry.shift == open_shift
    assert entry.red is False
    assert verify().ok


def test_incidents_are_red_by_default_and_any_entry_can_be_marked_red(
    petugas, selatan, open_shift
) -> None:
    assert mutasi_write(actor=petugas, unit=selatan, text="Laka lantas.", category="kejadian").red
    assert mutasi_write(
        actor=petugas, unit=selatan, text="Patroli.", category="patroli", red=True
    ).red


def test_a_unit_configures_its_own_red_categories(petugas, selatan, open_shift) -> None:
    EntryCategory.objects.create(unit=selatan, code="patroli", label="Patroli", red_default=True)
    EntryCategory.objects.create(unit=selatan, code="razia", label="Razia", red_default=False)
    assert mutasi_write(actor=petugas, unit=selatan, text="Patroli.", category="patroli").red
    assert not mutasi_write(actor=petugas, unit=selatan, text="Razia.", category="razia").red


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "   "}, "tidak boleh kosong"),
        ({"category": "rahasia"}, "Kategori mutasi tidak dikenal"),
        ({"at": "future"}, "masa depan"),
        ({"at": "before"}, "di luar dinas"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_stored(
    petugas, selatan, open_shift, kwargs, message
) -> None:
    before = Mutasi.objects.count()
    args = {"actor": petugas, "unit": selatan, "text": "Patroli.", "category": "patroli", **kwargs}
    if kwargs.get("at") == "future":
        args["at"] = clock.now() + timedelta(hours=1)
    if kwargs.get("at") == "before":
        args["at"] = open_shift.opened_at - timedelta(hours=2)
    with pytest.raises(ValidationError, match=message):
        mutasi_write(**args)
    assert Mutasi.objects.count() == before


def test_without_an_open_shift_nothing_can_be_written(petugas, selatan, squads) -> None:
    with pytest.raises(ValidationError, match="apel pembukaan"):
        mutasi_write(actor=petugas, unit=selatan, text="Patroli.", category="patroli")
    assert not Mutasi.objects.exists()


def test_a_correction_is_a_new_entry_and_the_original_stays(petugas, selatan, open_shift) -> None:
    original = mutasi_write(
        actor=petugas, unit=selatan, text="Patroli ke Biawao.", category="patroli"
    )
    fixed = mutasi_correct(actor=petugas, original=original, text="Patroli ke Biawu.")
    original.refresh_from_db()
    assert original.text == "Patroli ke Biawao."
    assert fixed.corrects == original
    assert "Patroli ke Biawu." in fixed.text
    assert verify().ok


def test_the_page_shows_the_original_marked_corrected(
    client: Client, petugas, selatan, open_shift
) -> None:
    original = mutasi_write(
        actor=petugas, unit=selatan, text="Patroli ke Biawao.", category="patroli"
    )
    client.force_login(petugas)
    client.post(reverse("dutylog:correct", args=[original.pk]), {"text": "Patroli ke Biawu."})
    page = client.get(reverse("dutylog:today")).content.decode()
    assert "Patroli ke Biawao." in page
    assert "data-corrected" in page


def test_the_write_form_records_and_bad_input_changes_nothing(
    client: Client, petugas, open_shift
) -> None:
    client.force_login(petugas)
    client.post(reverse("dutylog:write"), {"category": "patroli", "text": "Patroli pagi."})
    client.post(reverse("dutylog:write"), {"category": "patroli", "text": ""})
    client.post(reverse("dutylog:write"), {"category": "xx", "text": "Patroli."})
    client.post(reverse("dutylog:write"), {"category": "patroli", "text": "y", "time": "25:99"})
    assert list(Mutasi.objects.filter(category="patroli").values_list("text", flat=True)) == [
        "Patroli pagi."
    ]


@pytest.mark.parametrize("persona", ["penilai", "reskrim", "kapolsek", "polres_staff"])
def test_roles_that_do_not_keep_the_book_cannot_write(
    client: Client, persona, request, open_shift
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("dutylog:write"), {"category": "patroli", "text": "x"})
    assert response.status_code == 403
    assert not Mutasi.objects.filter(category="patroli").exists()


def test_another_station_cannot_correct_our_entries(
    client: Client, petugas, outsider, selatan, open_shift
) -> None:
    entry = mutasi_write(actor=petugas, unit=selatan, text="Patroli.", category="patroli")
    client.force_login(outsider)
    assert (
        client.post(reverse("dutylog:correct", args=[entry.pk]), {"text": "x"}).status_code == 404
    )


def test_the_api_refuses_and_records_any_edit_or_delete(petugas, selatan, open_shift) -> None:
    from rest_framework.test import APIClient

    entry = mutasi_write(actor=petugas, unit=selatan, text="Patroli.", category="patroli")
    api = APIClient()
    api.force_authenticate(petugas)
    url = reverse("api:mutasi-entry", args=[entry.pk])
    assert api.get(url).json()["text"] == "Patroli."
    for method in ("put", "patch", "delete"):
        assert getattr(api, method)(url, {"text": "x"}, format="json").status_code == 405
    assert AuditEvent.objects.filter(action="dutylog.mutasi.change_refused").count() == 3
    entry.refresh_from_db()
    assert entry.text == "Patroli."


def test_the_api_writes_and_corrects(petugas, selatan, open_shift) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(petugas)
    made = api.post(
        reverse("api:mutasi"), {"text": "Patroli.", "category": "patroli"}, format="json"
    )
    assert made.status_code == 201
    fixed = api.post(
        reverse("api:mutasi-correct", args=[made.json()["id"]]),
        {"text": "Patroli pagi."},
        format="json",
    )
    assert fixed.json()["corrects"] == made.json()["id"]
    assert (
        api.post(
            reverse("api:mutasi"), {"text": "", "category": "patroli"}, format="json"
        ).status_code
        == 400
    )
    assert (
        api.post(reverse("api:mutasi"), {"text": "x", "category": "zz"}, format="json").status_code
        == 400
    )


def test_the_admin_refuses_and_records_a_change(
    client: Client, petugas, selatan, open_shift
) -> None:
    from spkt.org.models import User

    entry = mutasi_write(actor=petugas, unit=selatan, text="Patroli.", category="patroli")
    admin = User.objects.create_superuser("root", password="x-very-long-pass-1")
    client.force_login(admin)
    url = reverse("admin:dutylog_mutasi_change", args=[entry.pk])
    assert client.post(url, {"text": "diubah"}).status_code == 403
    delete = reverse("admin:dutylog_mutasi_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert (
        AuditEvent.objects.filter(
            action__in=["admin.change_refused", "admin.delete_refused"]
        ).count()
        == 2
    )
    assert Mutasi.objects.get(pk=entry.pk).text == "Patroli."
