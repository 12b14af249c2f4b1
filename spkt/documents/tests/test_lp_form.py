"""Issue 12, item 4: the LP form — people blocks posted without script, "pelapor adalah korban",
the pasal data the type-ahead searches, Indonesian dates, and bad input that keeps nothing."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from spkt.core import clock
from spkt.core.timeutil import local, waktu
from spkt.documents.lp import LpContent, lp_draft_save
from spkt.documents.models import LaporanDraft, Pasal, PreRegistration
from spkt.documents.pasal import pasal_load
from spkt.documents.prereg import prereg_create
from spkt.documents.services import CitizenData

REPORTER = {
    "name": "Hendra Pakaya",
    "nik": "7571021203790002",
    "birth_place": "Limboto",
    "birth_date": "1979-03-12",
    "gender": "L",
    "occupation": "Wiraswasta",
    "address": "Jl. Pertiwi No. 5, Limba B",
    "phone": "081355501234",
}
AS_PERSON = {
    "name": "Hendra Pakaya",
    "birth": "Limboto, 12 Maret 1979",
    "gender": "Laki-laki",
    "occupation": "Wiraswasta",
    "address": "Jl. Pertiwi No. 5, Limba B",
    "contact": "081355501234",
}


@pytest.fixture
def pasal(db) -> Pasal:
    pasal_load(Pasal)
    return Pasal.objects.get(book="KUHP_2023", article="476")


def post_data(client: Client, pasal: Pasal, **extra: object) -> dict:
    key = (
        client.get(reverse("documents:lp-new") + "?model=B")
        .context["form"]
        .initial["idempotency_key"]
    )
    data = {
        "idempotency_key": key,
        "model": "B",
        "classification": "Kejahatan",
        **REPORTER,
        "event_when": f"{local(clock.now() - timedelta(hours=5)):%Y-%m-%dT%H:%M}",
        "event_where": "Jl. Pertiwi No. 5",
        "event_what": "Rumah dibobol, laptop hilang",
        "account": "Pintu belakang rumah pelapor dirusak.",
        "offences": [str(pasal.pk)],
    }
    for prefix in ("reported", "victims", "witnesses"):  # the page's fixed blocks, no script
        data.update({f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(extra)
    return data


def save(client: Client, data: dict) -> LaporanDraft:
    response = client.post(reverse("documents:lp-new") + "?model=B", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return LaporanDraft.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_two_witnesses_are_posted_in_the_fixed_blocks_without_script(
    client: Client, petugas, pasal
) -> None:
    client.force_login(petugas)
    draft = save(
        client,
        post_data(
            client,
            pasal,
            **{"witnesses-0-name": "Siti Mooduto", "witnesses-1-name": "Rudi Hasan"},
            **{"witnesses-1-contact": "0813 4444 1111", "witnesses-1-gender": "Laki-laki"},
        ),
    )
    assert [w["name"] for w in draft.data["witnesses"]] == ["Siti Mooduto", "Rudi Hasan"]
    assert draft.data["witnesses"][1]["contact"] == "0813 4444 1111"
    assert draft.data["witnesses"][1]["gender"] == "Laki-laki"
    assert draft.data["reported"] == []
    assert draft.data["victims"] == []


def test_blocks_added_by_the_page_are_kept_up_to_ten(client: Client, petugas, pasal) -> None:
    client.force_login(petugas)
    names = {f"witnesses-{i}-name": f"Saksi {i + 1}" for i in range(4)}
    draft = save(client, post_data(client, pasal, **{"witnesses-TOTAL_FORMS": "4"}, **names))
    assert [w["name"] for w in draft.data["witnesses"]] == [f"Saksi {i}" for i in range(1, 5)]
    too_many = post_data(client, pasal, **{"witnesses-TOTAL_FORMS": "11"})
    response = client.post(reverse("documents:lp-new") + "?model=B", too_many)
    assert response.status_code == 400
    assert LaporanDraft.objects.count() == 1


def test_pelapor_adalah_korban_makes_the_reporter_the_first_victim_without_script(
    client: Client, petugas, pasal
) -> None:
    client.force_login(petugas)
    draft = save(client, post_data(client, pasal, reporter_is_victim="on"))
    assert draft.data["victims"] == [AS_PERSON]
    assert draft.data["reporter_is_victim"] is True
    edit = client.get(reverse("documents:lp-edit", args=[draft.pk])).content.decode()
    assert 'name="reporter_is_victim" id="id_reporter_is_victim" checked' in edit.replace(
        'aria-describedby="id_reporter_is_victim_helptext" ', ""
    )


def test_the_reporter_is_the_victim_once_whatever_the_page_filled_in(
    client: Client, petugas, pasal
) -> None:
    client.force_login(petugas)
    typed = {
        "victims-0-name": "hendra pakaya",  # what the page's script copied from the reporter
        "victims-0-address": "lain",
        "victims-1-name": "Nurhayati Pakaya",
    }
    draft = save(client, post_data(client, pasal, reporter_is_victim="on", **typed))
    assert draft.data["victims"] == [
        AS_PERSON,
        {**dict.fromkeys(AS_PERSON, ""), "name": "Nurhayati Pakaya"},
    ]
    unticked = save(client, post_data(client, pasal, **typed))
    assert [v["name"] for v in unticked.data["victims"]] == ["hendra pakaya", "Nurhayati Pakaya"]
    assert "reporter_is_victim" not in unticked.data


def test_an_officer_reporter_is_never_the_victim_by_the_box(petugas, selatan, pasal) -> None:
    officer = selatan.regu.first().head
    content = LpContent(
        model="A",
        classification="Kejahatan",
        event_when=clock.now() - timedelta(hours=1),
        event_where="Pasar Sentral",
        event_what="Tertangkap tangan mencuri",
        account="Pelaku tertangkap tangan.",
        officer=officer,
        victims=[{"name": "Pedagang"}],
        reporter_is_victim=True,
        offences=[pasal],
    )
    draft = lp_draft_save(actor=petugas, unit=selatan, content=content)
    assert [v["name"] for v in draft.data["victims"]] == ["Pedagang"]
    assert "reporter_is_victim" not in draft.data


def _prereg(unit):
    """The reporter's own pre-registration of an LP model B."""
    return prereg_create(
        unit=unit,
        kind="LP_B",
        citizen=CitizenData(
            name="Hendra Pakaya",
            nik=REPORTER["nik"],
            birth_place="Limboto",
            birth_date=date(1979, 3, 12),
            gender="L",
            address="Jl. Pertiwi 5",
        ),
        event={"what": "Rumah dibobol"},
    )


def test_bad_input_keeps_nothing(client: Client, petugas, selatan, pasal) -> None:
    prereg = _prereg(selatan)
    client.force_login(petugas)
    bad: list[dict[str, Any]] = [
        {"offences": ["abc"]},
        {"offences": ["999999"]},
        {"victims-0-name": "x" * 500},
        {"witnesses-TOTAL_FORMS": "banyak"},
        {"event_when": "kemarin malam"},
        {"event_when": f"{local(clock.now() + timedelta(days=1)):%Y-%m-%dT%H:%M}"},
    ]
    for change in bad:
        data = post_data(client, pasal, prereg=prereg.code, reporter_is_victim="on", **change)
        response = client.post(reverse("documents:lp-new") + "?model=B", data)
        assert response.status_code == 400, change
        assert 'role="alert"' in response.content.decode()
    assert not LaporanDraft.objects.exists()
    prereg.refresh_from_db()
    assert prereg.used_at is None  # the code still opens the citizen's data at the desk


def test_the_pre_registration_is_used_up_by_the_saved_draft(
    client: Client, petugas, selatan, pasal
) -> None:
    prereg = _prereg(selatan)
    client.force_login(petugas)
    save(client, post_data(client, pasal, prereg=prereg.code.lower()))
    assert PreRegistration.objects.get(pk=prereg.pk).used_at == clock.now()


def test_each_pasal_option_carries_its_old_and_new_kuhp_article(
    client: Client, petugas, pasal
) -> None:
    client.force_login(petugas)
    page = client.get(reverse("documents:lp-new") + "?model=B").content.decode()
    old = Pasal.objects.get(book="KUHP_1946", article="362")
    assert f'value="{old.pk}" data-search="362 476 pencurian kuhp (uu 1/1946)"' in page
    assert f'value="{pasal.pk}" data-search="476 362 pencurian uu 1/2023 tentang kuhp"' in page
    assert "Pasal 362 KUHP (UU 1/1946) — Pencurian (KUHP baru: 476)" in page
    # Without script, the select groups them: the law in force first, the old KUHP last.
    groups = ['<optgroup label="UU 1/2023 tentang KUHP">', '<optgroup label="Undang-undang lain">']
    groups.append('<optgroup label="KUHP (UU 1/1946)">')
    assert [page.index(g) for g in groups] == sorted(page.index(g) for g in groups)
    assert "data-pasal-picker" in page
    assert 'select name="offences"' in page


def test_dates_on_the_lp_pages_read_in_indonesian(client: Client, petugas, selatan, pasal) -> None:
    client.force_login(petugas)
    draft = save(client, post_data(client, pasal, event_when="2026-11-24T02:30"))
    assert draft.data["event"]["when"] == "2026-11-24T02:30:00+08:00"
    expected = "Selasa, 24 November 2026 pukul 02.30 WITA"
    shown = client.get(reverse("documents:lp-draft", args=[draft.pk])).content.decode()
    assert expected in shown
    assert "+08:00" not in shown
    assert "T02:30" not in shown
    edit = client.get(reverse("documents:lp-edit", args=[draft.pk])).content.decode()
    assert 'value="2026-11-24T02:30"' in edit  # datetime-local, in WITA
    assert expected in edit
    assert f'max="{local(clock.now()):%Y-%m-%dT%H:%M}"' in edit
    assert waktu(clock.now()).endswith(f" pukul {local(clock.now()):%H.%M} WITA")


def test_the_model_a_form_has_its_sections_and_no_reporter_victim_box(
    client: Client, petugas, pasal
) -> None:
    client.force_login(petugas)
    page = client.get(reverse("documents:lp-new") + "?model=A").content.decode()
    assert "Pelapor (anggota Polri)" in page
    for anchor in (
        "pelapor",
        "kejadian",
        "terlapor",
        "korban",
        "saksi",
        "bukti",
        "uraian",
        "pasal",
    ):
        assert f'id="lp-{anchor}"' in page
    assert 'name="reporter_is_victim"' not in page
    assert 'name="witnesses-TOTAL_FORMS" value="2"' in page  # the blocks without script
