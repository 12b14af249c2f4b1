"""Issue 12, item 3: the desk's own work list — LP drafts waiting for Reskrim, reviews done (who
and when), documents to print and hand over, overdue contacts and situation reports — of its own
station only; the dashboard shows the counts, each a link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from spkt.conftest import issue
from spkt.core import clock
from spkt.core.timeutil import local
from spkt.documents.lp import lp_draft_save, lp_review
from spkt.documents.services import document_void
from spkt.documents.tests.test_lp import content, pasal  # noqa: F401 (fixture)
from spkt.fieldhelp.defaults import task_types_ensure
from spkt.fieldhelp.models import Source, Task, TaskType
from spkt.fieldhelp.services import task_create
from spkt.intake.services import Incoming, contact_receive
from spkt.org.models import Pangkat, Personnel

URL = "/kerja/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk_work(petugas, reskrim, selatan, utara, outsider, pasal):  # noqa: F811
    """Work of Polsek Kota Selatan, and the same kinds of work at Polsek Kota Utara."""
    Personnel.objects.create(
        unit=selatan, name="Rudi Hasan", pangkat=Pangkat.BRIPKA, nrp="85010101", user=reskrim
    )
    waiting = lp_draft_save(
        actor=petugas, unit=selatan, content=content(pasal, event_what="Pencurian sepeda motor")
    )
    reviewed = lp_draft_save(
        actor=petugas, unit=selatan, content=content(pasal, event_what="Pencurian di rumah")
    )
    lp_review(actor=reskrim, draft=reviewed, recommendation="Pasal 476 KUHP.", offences=[pasal])
    sktlk = issue(petugas, selatan)
    voided = issue(petugas, selatan)
    document_void(actor=petugas, document=voided, reason="Salah ketik nama")
    late = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="sms",
            body="Tolong, ada keributan",
            sender_address="081211112222",
            received_at=clock.now() - timedelta(minutes=9),
        ),
    )
    fresh = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="Halo", sender_address="0812333")
    )
    task_types_ensure()
    task = task_create(
        actor=petugas,
        unit=selatan,
        task_type=TaskType.objects.get(unit=None, code="tptkp"),
        source=Source.PHONE,
        address="Jl. Nani Wartabone 5",
        known="Perkelahian",
        requested_by="Warga",
    )
    # Dispatched an hour and a quarter ago: the hourly situation report is 15 minutes late.
    Task.objects.filter(pk=task.pk).update(report_due_at=clock.now() - timedelta(minutes=15))
    # The other station: a draft, a document and a late contact that must never show.
    theirs = lp_draft_save(
        actor=outsider, unit=utara, content=content(pasal, event_what="Rahasia Kota Utara")
    )
    their_doc = issue(outsider, utara)
    their_contact = contact_receive(
        unit=utara,
        incoming=Incoming(
            channel="sms",
            body="Utara",
            sender_address="081299990000",
            received_at=clock.now() - timedelta(minutes=30),
        ),
    )
    return {
        "waiting": waiting,
        "reviewed": reviewed,
        "sktlk": sktlk,
        "voided": voided,
        "late": late,
        "fresh": fresh,
        "task": task,
        "theirs": theirs,
        "their_doc": their_doc,
        "their_contact": their_contact,
    }


def test_the_desk_sees_its_own_work_each_row_a_link(petugas, desk_work) -> None:
    response = login(petugas).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    w = desk_work
    # Drafts waiting for Reskrim, with the state spelled out.
    assert f'data-draft="{w["waiting"].pk}"' in html
    assert reverse("documents:lp-draft", args=[w["waiting"].pk]) in html
    assert "Menunggu gelar awal Reskrim" in html
    # The review done: by whom (rank and name) and when, linking to the draft to issue.
    row = re.search(rf'<tr data-reviewed="{w["reviewed"].pk}">.*?</tr>', html, re.S)
    assert row is not None
    assert "BRIPKA Rudi Hasan" in row[0]
    assert local(clock.now()).strftime("%d-%m-%Y %H:%M") in row[0]  # WITA, as the desk reads it
    assert "Pasal 476 KUHP." in row[0]
    assert reverse("documents:lp-draft", args=[w["reviewed"].pk]) in row[0]
    assert f'data-draft="{w["reviewed"].pk}"' not in html  # reviewed: not waiting any more
    # Documents of this shift to print and hand over, the voided one not among them.
    assert f'data-hand-over="{w["sktlk"].pk}"' in html
    assert reverse("documents:pdf", args=[w["sktlk"].pk]) in html
    assert f'data-hand-over="{w["voided"].pk}"' not in html
    # Overdue: the contact past its 5 minutes (not the fresh one) and the late situation report.
    assert f'data-overdue-contact="{w["late"].pk}"' in html
    assert reverse("intake:detail", args=[w["late"].pk]) in html
    assert f'data-overdue-contact="{w["fresh"].pk}"' not in html
    assert f'data-overdue-task="{w["task"].pk}"' in html
    assert reverse("fieldhelp:detail", args=[w["task"].pk]) in html


def test_another_stations_work_never_shows(petugas, outsider, desk_work) -> None:
    html = login(petugas).get(URL).content.decode()
    assert "Rahasia Kota Utara" not in html
    assert f'data-hand-over="{desk_work["their_doc"].pk}"' not in html
    assert f'data-overdue-contact="{desk_work["their_contact"].pk}"' not in html
    # And the other way round: Kota Utara's desk sees its own, none of Kota Selatan's.
    theirs = login(outsider).get(URL).content.decode()
    assert f'data-draft="{desk_work["theirs"].pk}"' in theirs
    assert f'data-overdue-contact="{desk_work["their_contact"].pk}"' in theirs
    assert f'data-draft="{desk_work["waiting"].pk}"' not in theirs
    assert f'data-reviewed="{desk_work["reviewed"].pk}"' not in theirs
    assert f'data-overdue-contact="{desk_work["late"].pk}"' not in theirs


def test_ka_spkt_opens_it_reskrim_and_the_assessor_do_not(
    ka_spkt, reskrim, penilai, kapolsek
) -> None:
    assert login(ka_spkt).get(URL).status_code == 200
    for user in (reskrim, penilai, kapolsek):
        assert login(user).get(URL).status_code == 403
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/masuk/" in response["Location"]


def test_an_empty_list_says_so(petugas) -> None:
    html = login(petugas).get(URL).content.decode()
    assert "Tidak ada kontak atau laporan situasi yang terlambat." in html
    assert "Tidak ada konsep LP yang menunggu." in html


def test_the_dashboard_shows_the_counts_as_links(petugas, desk_work) -> None:
    html = login(petugas).get("/").content.decode()
    counts = {
        "overdue": 2,  # the late contact and the late situation report
        "reviewed": 1,
        "drafts": 1,
        "hand-over": 1,
    }
    anchors = {
        "overdue": "terlambat",
        "reviewed": "sudah-digelar",
        "drafts": "konsep",
        "hand-over": "serahkan",
    }
    for key, n in counts.items():
        assert f'<a href="{URL}#{anchors[key]}" data-count="{key}"><b>{n}</b>' in html
    # Reskrim's review is a signal, and the signal is a link.
    assert 'data-flag="reviewed"><a href="/kerja/#sudah-digelar">1 konsep LP sudah digelar' in html


def test_the_menu_offers_it_to_the_desk_only(petugas, reskrim, selatan) -> None:
    assert f'href="{URL}" data-nav="worklist"' in login(petugas).get("/").content.decode()
    assert 'data-nav="worklist"' not in login(reskrim).get("/").content.decode()


def test_a_reviewed_draft_leaves_the_list_once_issued(petugas, reskrim, desk_work) -> None:
    import uuid

    from spkt.documents.lp import lp_issue

    doc = lp_issue(actor=petugas, draft=desk_work["reviewed"], idempotency_key=uuid.uuid4().hex)
    html = login(petugas).get(URL).content.decode()
    assert f'data-reviewed="{desk_work["reviewed"].pk}"' not in html
    # The LP and its STTLP are now papers to print and hand over.
    assert f'data-hand-over="{doc.pk}"' in html
    assert f'data-hand-over="{doc.children.get().pk}"' in html
