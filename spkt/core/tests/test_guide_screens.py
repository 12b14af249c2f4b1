"""The operator guide's pictures (issue 12, item 11), taken by walking the demo station in a real
browser as each role, so the guide shows what the desk sees today.

As a test it checks that each screen opens without an error for its role and saves the screenshots
to ``test-artifacts/guide/``. ``make guide`` runs it with ``SPKT_GUIDE_DIR=docs/img/guide``, which
writes the pictures the guide (docs/operator-guide.md) links to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.apps import apps

from spkt.conftest import ARTIFACTS
from spkt.demo import DEMO_PASSWORD, seed_all
from spkt.documents.models import Document
from spkt.documents.pasal import pasal_load
from spkt.fieldhelp.models import Task
from spkt.intake.models import Contact, Status

DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _out() -> Path:
    target = Path(os.environ.get("SPKT_GUIDE_DIR") or ARTIFACTS / "guide")
    target.mkdir(parents=True, exist_ok=True)
    return target


def _scenes() -> list[tuple[str, str, str, dict]]:
    """(file name, user or "" for the public, path, viewport), in the guide's order."""
    contact = (
        Contact.objects.filter(unit__code="kota-selatan")
        .exclude(status=Status.CLOSED)
        .order_by("-received_at")
        .first()
    )
    sktlk = Document.objects.filter(doc_type="SKTLK", unit__code="kota-selatan").first()
    task = Task.objects.filter(unit__code="kota-selatan").order_by("-requested_at").first()
    scenes = [
        ("01-masuk", "", "/masuk/", DESK),
        ("02-beranda-ka-spkt", "kaspkt", "/", DESK),
        ("03-kotak-masuk", "jaga", "/kontak/", DESK),
        ("05-sktlk-baru", "jaga", "/dokumen/sktlk/baru/", DESK),
        ("07-buku-mutasi", "jaga", "/mutasi/", DESK),
        ("08-lp-baru", "jaga", "/dokumen/lp/baru/?model=B", DESK),
        ("09-bantuan-lapangan", "kaspkt", "/bantuan/", DESK),
        ("11-laporan-harian", "kaspkt", "/laporan/harian/", DESK),
        ("12-standar-sop", "kapolsek", "/laporan/standar/", DESK),
        ("13-beranda-kapolsek-ponsel", "kapolsek", "/", PHONE),
        ("14-pesan-web-publik", "", "/lapor/kota-selatan/pesan/", PHONE),
        ("15-notifikasi-ponsel", "kaspkt", "/notifikasi/", PHONE),
    ]
    if contact is not None:
        scenes.append(("04-kontak", "jaga", f"/kontak/{contact.pk}/", DESK))
    if sktlk is not None:
        scenes.append(("06-sktlk-terbit", "jaga", f"/dokumen/{sktlk.pk}/", DESK))
    if task is not None:
        scenes.append(("10-tugas-lapangan", "kaspkt", f"/bantuan/{task.pk}/", PHONE))
    return sorted(scenes)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_guides_screens(browser, live_server) -> None:
    Pasal = apps.get_model("documents", "Pasal")
    pasal_load(Pasal)  # a live-server test starts from a flushed database: the migration's data too
    seed_all()
    out = _out()
    pages = {}
    taken = []
    for name, user, path, viewport in _scenes():
        key = (user, viewport["width"])
        if key not in pages:
            page = browser.new_page(viewport=viewport)
            if user:
                page.goto(live_server.url + "/masuk/")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", DEMO_PASSWORD)
                with page.expect_navigation():
                    page.click("button.primary")
                assert "/masuk/" not in page.url, f"{user} could not sign in"
            pages[key] = page
        page = pages[key]
        response = page.goto(live_server.url + path)
        assert response is not None, (name, path)
        assert response.status == 200, (name, path)
        page.wait_for_load_state("load")
        page.screenshot(path=str(out / f"{name}.png"))
        taken.append(name)
    for page in pages.values():
        page.close()
    assert len(taken) >= 12
