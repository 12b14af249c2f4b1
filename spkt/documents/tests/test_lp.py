import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from spkt.core import clock
from spkt.core.ledger import verify
from spkt.documents.lp import LpContent, lp_draft_save, lp_issue, lp_review, progress_add
from spkt.documents.models import DocType, Document, DraftStatus, Pasal
from spkt.documents.services import CitizenData
from spkt.dutylog.models import Mutasi


@pytest.fixture
def pasal(db) -> Pasal:
    return Pasal.objects.get_or_create(
        book="KUHP_2023", article="476", defaults={"title": "Pencurian"}
    )[0]


def content(pasal: Pasal, **overrides: object) -> LpContent:
    fields: dict[str, Any] = {
        "model": "B",
        "classification": "Kejahatan",
        "event_when": clock.now() - timedelta(hours=5),
        "event_where": "Jl. Pertiwi 5",
        "event_what": "Pencurian di rumah",
        "account": "Rumah pelapor dibobol.",
        "citizen": CitizenData(
            name="Hendra Pakaya",
            nik="7571021203790002",
            birth_place="Limboto",
            birth_date=date(1979, 3, 12),
            gender="L",
            address="Jl. Pertiwi 5",
        ),
        "witnesses": [{"name": "Siti", "contact": "0813"}, {"name": "  "}],
        "offences": [pasal],
    }
    fields.update(overrides)
    return LpContent(**fields)


def test_model_b_is_issued_after_the_review_with_its_sttlp(
    petugas, reskrim, selatan, pasal
) -> None:
    draft = lp_draft_save(actor=petugas, unit=selatan, content=content(pasal))
    assert draft.data["witnesses"] == [
        {
            "name": "Siti",
            "birth": "",
            "gender": "",
            "occupation": "",
            "address": "",
            "contact": "0813",
        }
    ]
    with pytest.raises(ValidationError, match="gelar awal"):
        lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    lp_review(
        actor=reskrim, draft=draft, recommendation="Memenuhi unsur Pasal 476.", offences=[pasal]
    )
    doc = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    assert doc.doc_type == DocType.LP_B
    assert doc.number.startswith("LP/B/1/")
    sttlp = doc.children.get()
    assert sttlp.doc_type == DocType.STTLP
    assert sttlp.number.startswith("STTLP/1/")
    assert sttlp.valid_until is None  # an STTLP has no validity period
    assert doc.snapshot["review"]["recommendation"] == "Memenuhi unsur Pasal 476."
    assert doc.snapshot["offence"] == [
        {"book": "UU 1/2023 tentang KUHP", "article": "476", "title": "Pencurian"}
    ]
    assert len(doc.tracking_code) == 10
    assert sttlp.snapshot["tracking_code"] == doc.tracking_code
    entry = Mutasi.objects.get(text__startswith="Menerbitkan LP/B/1/")
    assert sttlp.number in entry.text
    assert verify().ok


def test_model_a_is_reported_by_an_officer_without_review(petugas, selatan, pasal) -> None:
    officer = selatan.regu.first().head
    draft = lp_draft_save(
        actor=petugas,
        unit=selatan,
        content=content(pasal, model="A", citizen=None, officer=officer),
    )
    doc = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    assert doc.number.startswith("LP/A/1/")
    assert doc.snapshot["reporter_kind"] == "officer"
    assert not doc.children.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"citizen": None}, "identitas pelapor"),
        ({"model": "A", "citizen": None}, "anggota Polri"),
        ({"event_where": " "}, "Tempat dan peristiwa"),
        ({"account": ""}, "Uraian singkat"),
        ({"event_when": "future"}, "masa depan"),
        ({"model": "C"}, "Model LP"),
    ],
)
def test_missing_mandatory_fields_are_refused(petugas, selatan, pasal, overrides, message) -> None:
    if overrides.get("event_when") == "future":
        overrides["event_when"] = clock.now() + timedelta(days=1)
    with pytest.raises(ValidationError, match=message):
        lp_draft_save(actor=petugas, unit=selatan, content=content(pasal, **overrides))


def test_an_lp_without_an_article_is_not_issued(petugas, selatan, pasal) -> None:
    officer = selatan.regu.first().head
    draft = lp_draft_save(
        actor=petugas,
        unit=selatan,
        content=content(pasal, model="A", citizen=None, officer=officer, offences=[]),
    )
    with pytest.raises(ValidationError, match="pasal"):
        lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    assert not Document.objects.exists()


def test_only_reskrim_of_the_unit_reviews(petugas, ka_spkt, selatan, pasal) -> None:
    draft = lp_draft_save(actor=petugas, unit=selatan, content=content(pasal))
    for user in (petugas, ka_spkt):
        with pytest.raises(ValidationError, match="Reskrim"):
            lp_review(actor=user, draft=draft, recommendation="x", offences=[pasal])


def test_editing_a_reviewed_draft_asks_for_the_review_again(
    petugas, reskrim, selatan, pasal
) -> None:
    draft = lp_draft_save(actor=petugas, unit=selatan, content=content(pasal))
    lp_review(actor=reskrim, draft=draft, recommendation="ok", offences=[pasal])
    draft = lp_draft_save(
        actor=petugas, unit=selatan, content=content(pasal, account="Baru."), draft=draft
    )
    assert draft.status == DraftStatus.DRAFT


def test_a_double_submit_gives_one_lp_and_one_sttlp(petugas, reskrim, selatan, pasal) -> None:
    draft = lp_draft_save(actor=petugas, unit=selatan, content=content(pasal))
    lp_review(actor=reskrim, draft=draft, recommendation="ok", offences=[pasal])
    key = uuid.uuid4().hex
    first = lp_issue(actor=petugas, draft=draft, idempotency_key=key)
    again = lp_issue(actor=petugas, draft=draft, idempotency_key=key)
    assert first.pk == again.pk
    assert Document.objects.count() == 2


def test_progress_reaches_the_public_tracking_page(
    client: Client, petugas, reskrim, selatan, pasal
) -> None:
    draft = lp_draft_save(actor=petugas, unit=selatan, content=content(pasal))
    lp_review(actor=reskrim, draft=draft, recommendation="ok", offences=[pasal])
    doc = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    progress_add(
        actor=reskrim,
        lp=doc,
        stage="penyelidikan",
        public_note="Saksi diperiksa.",
        internal_note="Rahasia: calon tersangka X",
    )
    page = client.get(reverse("portal:track", args=[doc.tracking_code.lower()])).content.decode()
    assert "Saksi diperiksa." in page
    assert "Rahasia" not in page
    assert "757102" not in page
    assert client.get(reverse("portal:track", args=["ZZZZZZZZZZ"])).status_code == 404


def test_only_reskrim_records_progress(petugas, reskrim, selatan, pasal) -> None:
    officer = selatan.regu.first().head
    draft = lp_draft_save(
        actor=petugas,
        unit=selatan,
        content=content(pasal, model="A", citizen=None, officer=officer),
    )
    doc = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    with pytest.raises(ValidationError):
        progress_add(actor=petugas, lp=doc, stage="penyelidikan", public_note="x")
    with pytest.raises(ValidationError):
        progress_add(actor=reskrim, lp=doc, stage="rahasia", public_note="x")


def test_the_desk_pages_run_the_whole_flow(
    client: Client, petugas, reskrim, selatan, pasal
) -> None:
    client.force_login(petugas)
    form = client.get(reverse("documents:lp-new") + "?model=B")
    key = form.context["form"].initial["idempotency_key"]
    data = {
        "idempotency_key": key,
        "model": "B",
        "classification": "Kejahatan",
        "name": "Hendra Pakaya",
        "nik": "7571021203790002",
        "birth_place": "Limboto",
        "birth_date": "1979-03-12",
        "gender": "L",
        "address": "Jl. Pertiwi 5",
        "event_when": (clock.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "event_where": "Jl. Pertiwi 5",
        "event_what": "Pencurian",
        "account": "Dibobol.",
        "offences": [str(pasal.pk)],
    }
    for prefix in ("reported", "victims", "witnesses"):
        data.update({f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "0"})
    data["witnesses-0-name"] = "Siti"
    saved = client.post(reverse("documents:lp-new") + "?model=B", data)
    assert saved.status_code == 302
    draft_url = saved["Location"]
    client.force_login(reskrim)
    pk = int(draft_url.rstrip("/").split("/")[-1])
    client.post(
        reverse("documents:lp-review", args=[pk]),
        {"recommendation": "Memenuhi unsur.", "offences": [str(pasal.pk)]},
    )
    client.force_login(petugas)
    issued = client.post(
        reverse("documents:lp-issue", args=[pk]), {"idempotency_key": uuid.uuid4().hex}
    )
    doc = Document.objects.get(doc_type=DocType.LP_B)
    assert issued["Location"] == reverse("documents:detail", args=[doc.pk])
    page = client.get(issued["Location"]).content.decode()
    assert doc.tracking_code in page
    assert "STTLP/1/" in page


@pytest.mark.parametrize("persona", ["penilai", "reskrim", "kapolsek"])
def test_roles_that_do_not_write_lps_are_denied(client: Client, persona, request) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("documents:lp-new")).status_code == 403


def test_another_station_cannot_open_a_draft(
    client: Client, petugas, outsider, selatan, pasal
) -> None:
    draft = lp_draft_save(actor=petugas, unit=selatan, content=content(pasal))
    client.force_login(outsider)
    assert client.get(reverse("documents:lp-draft", args=[draft.pk])).status_code == 404
    assert client.post(reverse("documents:lp-issue", args=[draft.pk])).status_code == 404


def test_bad_lp_form_input_is_a_clear_400(client: Client, petugas) -> None:
    client.force_login(petugas)
    data = {
        "idempotency_key": "k",
        "model": "B",
        "classification": "Rahasia",
        "event_when": "kemarin",
        "offences": ["999999"],
    }
    for prefix in ("reported", "victims", "witnesses"):
        data.update({f"{prefix}-TOTAL_FORMS": "50", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("documents:lp-new") + "?model=B", data)
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_the_lp_page_shows_no_lost_items_section(client: Client, petugas, selatan, pasal) -> None:
    officer = selatan.regu.first().head
    draft = lp_draft_save(
        actor=petugas,
        unit=selatan,
        content=content(pasal, model="A", citizen=None, officer=officer),
    )
    doc = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    client.force_login(petugas)
    page = client.get(reverse("documents:detail", args=[doc.pk])).content.decode()
    assert "Barang/surat hilang" not in page
    assert "Pasal 476" in page


def test_a_voided_lp_is_reissued_under_a_new_number_that_refers_to_it(
    petugas, ka_spkt, reskrim, selatan, pasal
) -> None:
    from spkt.documents.lp import lp_reissue_draft

    draft = lp_draft_save(actor=petugas, unit=selatan, content=content(pasal))
    lp_review(actor=reskrim, draft=draft, recommendation="ok", offences=[pasal])
    old = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    fresh = lp_reissue_draft(actor=ka_spkt, old=old, reason="Alamat pelapor salah")
    assert hasattr(Document.objects.get(pk=old.pk), "void")
    assert all(hasattr(c, "void") for c in old.children.all())
    lp_review(actor=reskrim, draft=fresh, recommendation="ok", offences=[pasal])
    new = lp_issue(actor=petugas, draft=fresh, idempotency_key=uuid.uuid4().hex)
    assert new.replaces == old
    assert new.seq == old.seq + 1
    assert new.snapshot["replaces"] == old.number
    assert Mutasi.objects.filter(text__startswith=f"Membatalkan {old.number}").exists()
    assert verify().ok


def test_reissue_needs_the_void_role_and_a_reason(
    client: Client, petugas, ka_spkt, selatan, pasal
) -> None:
    officer = selatan.regu.first().head
    draft = lp_draft_save(
        actor=petugas,
        unit=selatan,
        content=content(pasal, model="A", citizen=None, officer=officer),
    )
    doc = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    client.force_login(petugas)
    assert (
        client.post(reverse("documents:lp-reissue", args=[doc.pk]), {"reason": "x"}).status_code
        == 403
    )
    client.force_login(ka_spkt)
    client.post(reverse("documents:lp-reissue", args=[doc.pk]), {"reason": " "})
    assert not hasattr(Document.objects.get(pk=doc.pk), "void")
