from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from spkt.core import clock
from spkt.core.models import AuditEvent
from spkt.documents.models import Document, PreRegistration

PUBLIC = {
    "name": "Rahma Suleman",
    "nik": "7571025506850003",
    "birth_place": "Gorontalo",
    "birth_date": "1985-06-15",
    "gender": "P",
    "address": "Jl. Sultan Botutihe 12",
    "phone": "081234567890",
    "lost_on": "2026-11-26",
    "lost_place": "Pasar Sentral",
    "item_KTP": "on",
    "item_ATM": "on",
    "detail_ATM": "BRI",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


def test_a_citizen_pre_registers_and_gets_a_code(client: Client, selatan) -> None:
    response = client.post(reverse("portal:prereg", args=[selatan.code, "sktlk"]), PUBLIC)
    prereg = PreRegistration.objects.get()
    assert response.status_code == 200
    assert prereg.code in response.content.decode()
    assert "7571025506850003" not in str(prereg.data)
    assert prereg.nik_masked == "757102********03"


@pytest.mark.parametrize(
    ("field", "value"), [("nik", "123"), ("item_KTP", ""), ("birth_date", "x")]
)
def test_bad_public_input_stores_nothing(client: Client, selatan, field, value) -> None:
    data = {**PUBLIC, field: value}
    if field == "item_KTP":
        data.pop("item_ATM")
    assert (
        client.post(reverse("portal:prereg", args=[selatan.code, "sktlk"]), data).status_code == 400
    )
    assert not PreRegistration.objects.exists()


def test_the_portal_is_rate_limited_per_address(client: Client, selatan) -> None:
    url = reverse("portal:prereg", args=[selatan.code, "sktlk"])
    codes = [client.post(url, PUBLIC, REMOTE_ADDR="10.1.1.1").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert client.post(url, PUBLIC, REMOTE_ADDR="10.1.1.2").status_code == 200
    assert PreRegistration.objects.count() == 6


def test_unknown_units_and_kinds_are_not_found(client: Client, selatan) -> None:
    assert client.get(reverse("portal:prereg", args=["tidak-ada", "sktlk"])).status_code == 404
    assert client.get(reverse("portal:prereg", args=[selatan.code, "skck"])).status_code == 404


def test_the_desk_issues_from_the_code_typing_almost_nothing(
    client: Client, petugas, selatan
) -> None:
    client.post(reverse("portal:prereg", args=[selatan.code, "sktlk"]), PUBLIC)
    prereg = PreRegistration.objects.get()
    client.force_login(petugas)
    form = client.get(reverse("documents:sktlk-new"), {"kode": prereg.code.lower()}).context["form"]
    assert form.initial["nik"] == "7571025506850003"
    assert AuditEvent.objects.filter(action="citizen.nik.unmasked").exists()
    data = {k: v for k, v in form.initial.items() if v not in (None, "", False)}
    data.update({"papers_KTP": "on", "papers_ATM": "on", "item_KTP": "on", "item_ATM": "on"})
    data["birth_date"] = str(data["birth_date"])
    response = client.post(reverse("documents:sktlk-new"), data)
    doc = Document.objects.get()
    assert response.status_code == 302
    prereg.refresh_from_db()
    assert prereg.used_at is not None
    assert prereg.document == doc
    again = client.get(reverse("documents:sktlk-new"), {"kode": prereg.code})
    assert "sudah dipakai" in again.content.decode()


def test_an_expired_or_foreign_code_is_refused(client: Client, petugas, outsider, selatan) -> None:
    client.post(reverse("portal:prereg", args=[selatan.code, "sktlk"]), PUBLIC)
    prereg = PreRegistration.objects.get()
    client.force_login(outsider)
    page = client.get(reverse("documents:sktlk-new"), {"kode": prereg.code}).content.decode()
    assert "tidak ditemukan" in page
    PreRegistration.objects.update(expires_at=clock.now() - timedelta(days=1))
    client.force_login(petugas)
    page = client.get(reverse("documents:sktlk-new"), {"kode": prereg.code}).content.decode()
    assert "kedaluwarsa" in page


def test_a_returning_citizen_is_found_by_nik_or_phone(client: Client, petugas, selatan) -> None:
    from spkt.conftest import issue

    issue(petugas, selatan)
    client.force_login(petugas)
    by_nik = client.get(reverse("documents:sktlk-new"), {"cari": "7571 0255 0685 0003"})
    assert by_nik.context["form"].initial["name"] == "Rahma Suleman"
    by_phone = client.get(reverse("documents:sktlk-new"), {"cari": "081234567890"})
    assert by_phone.context["form"].initial["nik"] == "7571025506850003"
    assert AuditEvent.objects.filter(action="citizen.nik.unmasked").count() == 2
    none = client.get(reverse("documents:sktlk-new"), {"cari": "0000"})
    assert "tidak ditemukan" in none.content.decode()


def test_an_lp_pre_registration_prefills_the_lp_form(client: Client, petugas, selatan) -> None:
    data = {k: v for k, v in PUBLIC.items() if not k.startswith(("item", "detail", "lost"))}
    data.update(
        {
            "event_when": "2026-11-26T21:00",
            "event_where": "Jl. Pertiwi 5",
            "event_what": "Rumah dibobol",
            "account": "Pintu belakang rusak.",
        }
    )
    client.post(reverse("portal:prereg", args=[selatan.code, "lp"]), data)
    prereg = PreRegistration.objects.get(kind="LP_B")
    client.force_login(petugas)
    form = client.get(reverse("documents:lp-new"), {"model": "B", "kode": prereg.code}).context[
        "form"
    ]
    assert form.initial["event_what"] == "Rumah dibobol"
    assert form.initial["nik"] == "7571025506850003"


def test_prefilled_dates_render_in_the_inputs_format(client: Client, petugas, selatan) -> None:
    from spkt.conftest import issue

    issue(petugas, selatan)
    client.force_login(petugas)
    page = client.get(reverse("documents:sktlk-new"), {"cari": "7571025506850003"}).content.decode()
    assert 'value="1985-06-15"' in page
    data = {k: v for k, v in PUBLIC.items() if not k.startswith(("item", "detail", "lost"))}
    data.update(
        {
            "event_when": "2026-11-26T21:00",
            "event_where": "Jl. Pertiwi 5",
            "event_what": "Rumah dibobol",
            "account": "Pintu belakang rusak.",
        }
    )
    client.post(reverse("portal:prereg", args=[selatan.code, "lp"]), data)
    code = PreRegistration.objects.get(kind="LP_B").code
    page = client.get(reverse("documents:lp-new"), {"model": "B", "kode": code}).content.decode()
    assert 'value="2026-11-26T21:00"' in page
