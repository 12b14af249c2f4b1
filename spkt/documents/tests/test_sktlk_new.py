import pytest
from django.test import Client
from django.urls import reverse

from spkt.conftest import PASSWORD, sktlk_post_data
from spkt.core.models import LedgerEntry
from spkt.documents.models import Citizen, Document
from spkt.dutylog.models import Mutasi

URL = reverse("documents:sktlk-new")


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def stored() -> tuple[int, int, int, int]:
    return (
        Document.objects.count(),
        Mutasi.objects.count(),
        LedgerEntry.objects.count(),
        Citizen.objects.count(),
    )


def test_the_desk_officer_gets_the_form(client: Client, petugas) -> None:
    response = login(client, petugas).get(URL)
    assert response.status_code == 200
    assert b'name="nik"' in response.content


def test_it_issues_and_redirects_to_the_document(client: Client, petugas) -> None:
    response = login(client, petugas).post(
        URL, sktlk_post_data(item_SIM="on", detail_SIM="SIM C", papers_SIM="on")
    )
    doc = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[doc.pk])
    assert [i["kind"] for i in doc.snapshot["items"]] == ["KTP", "SIM"]


def test_it_requires_login(client: Client, selatan) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["kapolsek", "reskrim", "penilai", "polres_staff"])
def test_roles_that_do_not_issue_are_denied(client: Client, persona, request) -> None:
    user = request.getfixturevalue(persona)
    assert login(client, user).get(URL).status_code == 403
    assert login(client, user).post(URL, sktlk_post_data()).status_code == 403
    assert stored() == (0, 0, 0, 0)


def test_the_ka_spkt_may_issue(client: Client, ka_spkt) -> None:
    assert login(client, ka_spkt).post(URL, sktlk_post_data()).status_code == 302


def test_an_outsider_issues_only_for_their_own_station(client: Client, outsider, selatan) -> None:
    login(client, outsider).post(URL, sktlk_post_data())
    doc = Document.objects.get()
    assert doc.unit == outsider.unit
    assert "POLSEK KOTA UTARA" in doc.number


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nik": "12345"}, "NIK harus 16 digit"),
        ({"nik": "75710255O6850003"}, "NIK hanya boleh berisi angka"),
        ({"name": ""}, "Bidang ini harus diisi"),
        ({"birth_date": "kemarin"}, "Masukkan tanggal yang valid"),
        ({"item_KTP": ""}, "sedikitnya satu barang"),
        ({"gender": "X"}, "Pilihan tidak valid"),
        ({"phone": "hubungi saya"}, "Nomor telepon tidak valid"),
        ({"lost_on": "2999-01-01"}, "masa depan"),
        ({"idempotency_key": ""}, "muat ulang halaman"),
    ],
)
def test_bad_input_shows_a_clear_message_and_stores_nothing(
    client: Client, petugas, overrides, message
) -> None:
    response = login(client, petugas).post(URL, sktlk_post_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert stored() == (0, 0, 0, 0)


def test_a_kelurahan_of_another_station_is_refused(client: Client, petugas, utara) -> None:
    from spkt.org.models import Kelurahan

    theirs = Kelurahan.objects.create(unit=utara, code="75.71.01.1001", name="Dembe")
    response = login(client, petugas).post(URL, sktlk_post_data(kelurahan=str(theirs.pk)))
    assert response.status_code == 400
    assert "Pilihan tidak valid" in response.content.decode()
    assert stored() == (0, 0, 0, 0)


def test_a_post_without_csrf_token_is_refused(petugas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(petugas)
    response = client.post(URL, sktlk_post_data())
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    assert stored() == (0, 0, 0, 0)


def test_a_huge_body_is_refused(client: Client, petugas, settings) -> None:
    response = login(client, petugas).post(
        URL, sktlk_post_data(chronology="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10))
    )
    assert response.status_code == 400
    assert "terlalu besar" in response.content.decode()
    assert stored() == (0, 0, 0, 0)


def test_a_double_submit_issues_once(client: Client, petugas) -> None:
    data = sktlk_post_data()
    first = login(client, petugas).post(URL, data)
    second = client.post(URL, data)
    assert first["Location"] == second["Location"]
    assert Document.objects.count() == 1


def test_a_locked_out_login_is_refused_per_username_and_ip(client: Client, petugas) -> None:
    login_url = reverse("login")
    for _ in range(5):
        client.post(login_url, {"username": "petugas", "password": "salah"}, REMOTE_ADDR="10.0.0.5")
    locked = client.post(
        login_url, {"username": "petugas", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5"
    )
    assert locked.status_code == 429
    assert "dikunci" in locked.content.decode()
    other_ip = Client().post(
        login_url, {"username": "petugas", "password": PASSWORD}, REMOTE_ADDR="10.0.0.6"
    )
    assert other_ip.status_code == 302


def test_behind_a_proxy_the_lockout_uses_the_forwarded_client_address(
    client: Client, petugas, settings
) -> None:
    settings.SPKT_TRUSTED_PROXIES = 1
    login_url = reverse("login")
    for _ in range(5):
        client.post(
            login_url,
            {"username": "petugas", "password": "salah"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    other_desk = Client().post(
        login_url,
        {"username": "petugas", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )
    assert other_desk.status_code == 302


def test_without_a_proxy_a_forged_forwarded_header_does_not_escape_the_lockout(
    client: Client, petugas
) -> None:
    login_url = reverse("login")
    for i in range(5):
        client.post(
            login_url,
            {"username": "petugas", "password": "salah"},
            REMOTE_ADDR="10.0.0.7",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
    forged = Client().post(
        login_url,
        {"username": "petugas", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.7",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert forged.status_code == 429
