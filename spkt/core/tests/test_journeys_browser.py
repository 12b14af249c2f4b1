"""The scenes of JOURNEYS.md (shared docs) that exist today, each walked once in a real browser
as its role on the demo station, with the officer's typing and clicking counted (``Walk``) and
held to the issue 12 budgets. Each scene leaves screenshots at 1366x768 and 390x844 in
``test-artifacts/journeys/``."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.apps import apps

from spkt.conftest import ARTIFACTS
from spkt.core import clock
from spkt.core.signing import b64, unb64
from spkt.core.tests.journey import Walk
from spkt.demo import DEMO_PASSWORD, seed_all
from spkt.documents.models import Document
from spkt.documents.pasal import pasal_load
from spkt.dutylog.models import Mutasi, Shift, ShiftStatus
from spkt.intake.clock import sla_sweep
from spkt.intake.models import Contact, Direction, Notification, Outcome
from spkt.intake.services import Incoming, contact_receive
from spkt.org.models import Unit, User

DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
OUT = ARTIFACTS / "journeys"


@pytest.fixture
def demo(db) -> Unit:
    pasal_load(apps.get_model("documents", "Pasal"))  # a live-server test starts from a flush
    seed_all()
    OUT.mkdir(parents=True, exist_ok=True)
    return Unit.objects.get(code="kota-selatan")


def _signed_in(browser, live_server, username: str, viewport: dict = DESK):
    page = browser.new_page(viewport=viewport)
    page.goto(live_server.url + "/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button.primary")
    assert "/masuk/" not in page.url, f"{username} could not sign in"
    return page


def _shots(browser, live_server, name: str, path: str, username: str = "") -> None:
    """The scene's last screen at the desk's size and on a phone; neither runs off the edge."""
    for viewport in (DESK, PHONE):
        if username:
            page = _signed_in(browser, live_server, username, viewport)
        else:
            page = browser.new_page(viewport=viewport)
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        page.screenshot(path=str(OUT / f"{name}-{viewport['width']}.png"), full_page=True)
        over = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert over <= 0, f"{name} at {viewport['width']} px runs {over} px off the edge"
        page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scene_1_a_lost_wallet_from_kiosk_to_sktlk(browser, live_server, demo) -> None:
    # The citizen: a ticket at the kiosk, then the pre-registration its ticket points to.
    kiosk = browser.new_page(viewport={"width": 800, "height": 1280})
    kiosk.goto(live_server.url + f"/kontak/kios/{demo.code}/")
    with kiosk.expect_navigation():
        kiosk.click("[data-action=take-ticket]")
    ticket = kiosk.locator("[data-ticket-number]").inner_text()
    prereg_url = kiosk.locator("[data-prereg]").inner_text()
    kiosk.close()
    phone = browser.new_page(viewport=PHONE)
    phone.goto(live_server.url + urlparse(prereg_url).path)
    for name, value in {
        "name": "Rahma Suleman",
        "nik": "7571025506850003",
        "birth_place": "Gorontalo",
        "birth_date": "1985-06-15",
        "occupation": "Pedagang",
        "phone": "081234567890",
        "address": "Jl. Sultan Botutihe 12, Biawu",
        "lost_on": "2026-11-30",
        "lost_place": "Pasar Sentral, Biawu",
    }.items():
        phone.fill(f"input[name={name}]", value)
    phone.fill("textarea[name=chronology]", "Dompet berisi KTP, ATM dan SIM hilang di pasar.")
    phone.select_option("select[name=gender]", "P")
    phone.select_option("select[name=religion]", "Islam")
    for kind in ("KTP", "ATM", "SIM"):
        phone.check(f"input[name=item_{kind}]")
    with phone.expect_navigation():
        phone.click("form button.primary")
    code = phone.locator("[data-code]").inner_text().strip()
    phone.screenshot(path=str(OUT / "scene1-prereg-code-390.png"), full_page=True)
    phone.close()

    # Yusuf at the desk: calls the ticket, loads the pre-registration, ticks, issues.
    desk = _signed_in(browser, live_server, "jaga")
    walk = Walk(desk)
    for _ in range(5):  # the demo's queue may hold earlier tickets; each is called in turn
        desk.goto(live_server.url + "/kontak/")
        with desk.expect_navigation():
            walk.click("[data-action=call-next]")
        if Contact.objects.filter(queue_ticket=ticket, first_response_at__isnull=False).exists():
            break
    called = Contact.objects.get(queue_ticket=ticket, unit=demo)
    assert called.first_response_at is not None
    assert f"/kontak/{called.pk}/" in desk.url
    with desk.expect_navigation():
        walk.click("a[data-action=sktlk]")
    if desk.input_value("input[name=name]") != "Rahma Suleman":
        # The ticket does not carry the pre-registration: its code is typed once.
        walk.fill("input[name=kode]", code)
        with desk.expect_navigation():
            walk.click("[data-action=lookup]")
    assert desk.input_value("input[name=name]") == "Rahma Suleman"
    for kind in ("KTP", "ATM", "SIM"):
        if not desk.is_checked(f"input[name=item_{kind}]"):
            walk.check(f"input[name=item_{kind}]")
        walk.check(f"input[name=papers_{kind}]")
    desk.screenshot(path=str(OUT / "scene1-sktlk-form-1366.png"), full_page=True)
    before = set(Document.objects.values_list("pk", flat=True))
    with desk.expect_navigation():
        walk.click("form.card button.primary")
    [doc] = Document.objects.exclude(pk__in=before)
    assert f"/dokumen/{doc.pk}/" in desk.url
    assert len(walk.typed) <= 3, walk.typed
    # The book says it without anyone typing it.
    assert Mutasi.objects.filter(
        unit=demo, text__startswith=f"Menerbitkan {doc.number} a.n. RAHMA SULEMAN"
    ).exists()
    desk.close()
    _shots(browser, live_server, "scene1-sktlk", f"/dokumen/{doc.pk}/", "jaga")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scene_2_a_whatsapp_answered_on_whatsapp(browser, live_server, demo) -> None:
    contact = contact_receive(
        unit=demo,
        incoming=Incoming(
            channel="whatsapp",
            body="Motor parkir di trotoar depan toko sudah tiga hari.",
            sender_name="Budi",
            sender_address="+62 813-4000-1234",
            external_thread="6281340001234",
        ),
    )
    desk = _signed_in(browser, live_server, "jaga")
    desk.goto(live_server.url + "/kontak/")
    walk = Walk(desk)
    with desk.expect_navigation():
        walk.click(f'[data-contact-id="{contact.pk}"] [data-action=claim]')
    walk.click("[data-quick] >> nth=0")  # "Laporan diterima", with the tracking number
    assert contact.tracking_code in desk.input_value("textarea[name=body]")
    with desk.expect_navigation():
        walk.click("[data-action=reply]")
    assert len(walk.clicks) <= 3, walk.clicks
    assert walk.typed == []
    contact.refresh_from_db()
    assert contact.first_response_at is not None
    reply = contact.messages.get(direction=Direction.OUT)
    assert reply.outbox.channel == "whatsapp"
    # Later: a field-help request for the patrol, from the contact.
    desk.click("[data-action=field-help]")
    desk.select_option("select[name=task_type]", index=1)
    desk.fill("input[name=address]", "Trotoar depan Toko Sinar, Jl. Nani Wartabone")
    desk.click("[data-action=task-create]")
    desk.wait_for_load_state("load")
    contact.refresh_from_db()
    assert contact.outcome == Outcome.FIELD_HELP
    desk.close()
    _shots(browser, live_server, "scene2-reply", f"/kontak/{contact.pk}/", "jaga")
    # The citizen follows it by the tracking code.
    _shots(browser, live_server, "scene2-track", f"/kontak/lacak/{contact.tracking_code}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scene_3_an_unanswered_email_escalates(browser, live_server, demo) -> None:
    contact = contact_receive(
        unit=demo,
        incoming=Incoming(
            channel="email",
            body="Bagaimana cara melaporkan penipuan jual beli online?",
            sender_name="Nur Hasan",
            sender_address="nur.hasan@example.com",
            subject="Melapor penipuan",
        ),
    )
    late = contact.first_response_due_at + timedelta(seconds=30)
    with time_machine.travel(late, tick=True):
        sla_sweep(now=clock.now())
        head = Notification.objects.get(contact=contact, kind="breach").user
        on_duty = Shift.objects.get(unit=demo, status=ShiftStatus.OPEN)
        assert head.personnel == on_duty.ka_spkt  # who was on duty, for the assessor
        page = _signed_in(browser, live_server, head.username)
        link = page.locator(f"[data-alert=breach] a[href='/kontak/{contact.pk}/']")
        assert link.count() == 1
        page.close()
        _shots(browser, live_server, "scene3-ka-spkt", "/", head.username)
    later = late + timedelta(minutes=demo.kapolsek_escalation_minutes)
    with time_machine.travel(later, tick=True):
        sla_sweep(now=clock.now())
        assert sla_sweep(now=clock.now()) == (0, 0)  # counted once
        page = _signed_in(browser, live_server, "kapolsek")
        walk = Walk(page)
        with page.expect_navigation():
            walk.click(f"[data-alert=escalation] a[href='/kontak/{contact.pk}/']")
        assert contact.tracking_code in page.content()
        page.close()
        _shots(browser, live_server, "scene3-kapolsek", "/", "kapolsek")
    contact.refresh_from_db()
    assert contact.breached_at is not None
    assert contact.escalated_kapolsek_at is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scene_7_a_bank_teller_checks_an_sktlk(browser, live_server, demo) -> None:
    doc = Document.objects.filter(unit=demo, doc_type="SKTLK", void=None).first()
    query = parse_qs(urlparse(doc.snapshot["verify_url"]).query)
    path = urlparse(doc.snapshot["verify_url"]).path
    teller = browser.new_page(viewport=PHONE)
    signed = path + f"?p={query['p'][0]}&s={query['s'][0]}"
    teller.goto(live_server.url + signed)
    assert teller.locator("[data-status]").get_attribute("data-status") == "valid"
    text = teller.locator("main").inner_text()
    assert "Sah" in text
    assert doc.number.split("/")[0] in text
    assert "7571" not in teller.locator("main").inner_text()  # no NIK
    teller.screenshot(path=str(OUT / "scene7-valid-390.png"), full_page=True)
    # A copy with another name printed in its QR.
    forged = json.loads(unb64(query["p"][0]))
    forged["a"] = "ORANG LAIN"
    forged_p = b64(json.dumps(forged, sort_keys=True, separators=(",", ":")).encode())
    teller.goto(live_server.url + path + f"?p={forged_p}&s={query['s'][0]}")
    assert teller.locator("[data-status]").get_attribute("data-status") == "tampered"
    assert "Tidak sah" in teller.locator("main").inner_text()
    teller.screenshot(path=str(OUT / "scene7-forged-390.png"), full_page=True)
    teller.close()
    _shots(browser, live_server, "scene7-verify", signed)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scene_5_the_handover_with_a_missing_radio(browser, live_server, demo) -> None:
    shift = Shift.objects.get(unit=demo, status=ShiftStatus.OPEN)
    out_head = User.objects.get(personnel=shift.ka_spkt)
    page = _signed_in(browser, live_server, out_head.username)
    page.goto(live_server.url + "/mutasi/")
    walk = Walk(page)
    walk.click("[data-action=handover]")
    walk.click("[data-action=handover-start]")
    page.wait_for_load_state("load")
    handover = Shift.objects.get(pk=shift.pk).handover_out
    radio = handover.items.filter(label__icontains="HT").order_by("pk").first()
    assert radio is not None, list(handover.items.values_list("label", flat=True))
    # Everything else as recorded; one HT went with the patrol.
    walk.check("input[name=fill_rest]")
    walk.fill(f"input[name=counted_{radio.pk}]", str(radio.expected - 1))
    walk.fill(f"input[name=reason_{radio.pk}]", "Dibawa regu patroli Turjawali")
    walk.click("[data-action=count]")
    page.wait_for_load_state("load")
    in_head = User.objects.get(personnel=handover.incoming.ka_spkt)
    walk.fill("input[name=out_username]", out_head.username)
    walk.fill("input[name=out_password]", DEMO_PASSWORD)
    walk.fill("input[name=in_username]", in_head.username)
    walk.fill("input[name=in_password]", DEMO_PASSWORD)
    page.screenshot(path=str(OUT / "scene5-handover-1366.png"), full_page=True)
    walk.click("[data-action=confirm]")
    page.wait_for_load_state("load")
    assert page.locator("[data-shift-status]").get_attribute("data-shift-status") == "closed"
    assert page.locator("[data-seal-hash]").count() == 1
    assert Shift.objects.get(pk=handover.incoming_id).status == ShiftStatus.OPEN
    assert Mutasi.objects.filter(
        unit=demo, red=True, text__contains="Dibawa regu patroli Turjawali"
    ).exists()
    assert len(walk.typed) <= 6, walk.typed  # the difference and the two heads' sign-in
    sealed = page.url.removeprefix(live_server.url)
    page.close()
    _shots(browser, live_server, "scene5-sealed", sealed, in_head.username)


def _pick_pasal(walk: Walk, pasal) -> None:
    """The type-ahead: the article's number, then its line in the list."""
    scope = walk.page.locator("[data-pasal-picker]")
    walk.fill("[data-pasal-picker] input[data-pasal-search]", pasal.article)
    walk.click(f"[data-pasal-picker] [role=option][data-value='{pasal.pk}']")
    assert scope.locator(f"option[value='{pasal.pk}']").evaluate("o => o.selected")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scene_4_a_theft_report_lp_b_with_reskrim(browser, live_server, demo) -> None:
    Pasal = apps.get_model("documents", "Pasal")
    theft = Pasal.objects.get(book="KUHP_1946", article="362")
    desk = _signed_in(browser, live_server, "jaga")
    walk = Walk(desk)
    with desk.expect_navigation():
        walk.click("#main-nav [data-nav=lp-new]")
    assert "model=B" in desk.url or desk.locator("input[name=model]").input_value() == "B"
    for name, value in {
        "name": "Hendra Pakaya",
        "nik": "7571021203790002",
        "birth_place": "Limboto",
        "birth_date": "1979-03-12",
        "phone": "081355501234",
        "address": "Jl. Pertiwi No. 5, Limba B",
        "event_when": "2026-12-01T02:30",
        "event_where": "Jl. Pertiwi No. 5, Limba B",
        "event_what": "Rumah dibobol, laptop dan televisi hilang",
        "witnesses-0-name": "Siti Mooduto",
        "witnesses-0-address": "Jl. Pertiwi No. 7",
    }.items():
        walk.fill(f"input[name='{name}']", value)
    walk.select("select[name=gender]", "L")
    walk.check("input[name=reporter_is_victim]")
    walk.fill("textarea[name=evidence]", "Laptop Asus hitam; televisi LED 32 inci")
    walk.fill("textarea[name=account]", "Pintu belakang dirusak saat pelapor tidur.")
    _pick_pasal(walk, theft)
    with desk.expect_navigation():
        walk.click("[data-action=save-draft]")
    assert desk.locator("[data-draft-status]").get_attribute("data-draft-status") == "draft"
    assert len(walk.typed) <= 20, walk.typed
    desk.screenshot(path=str(OUT / "scene4-draft-1366.png"), full_page=True)
    draft_path = desk.url.removeprefix(live_server.url)

    # Reskrim on duty reviews it on his own screen.
    reskrim = _signed_in(browser, live_server, "reskrim")
    review = Walk(reskrim)
    reskrim.goto(live_server.url + draft_path)
    review.fill(
        "textarea[name=recommendation]", "Memenuhi unsur Pasal 362 KUHP / Pasal 476 UU 1/2023."
    )
    with reskrim.expect_navigation():
        review.click("[data-action=review]")
    assert reskrim.locator("[data-draft-status]").get_attribute("data-draft-status") == "reviewed"
    reskrim.close()

    # The desk issues the LP with its STTLP for Pak Hendra.
    desk.goto(live_server.url + draft_path)
    with desk.expect_navigation():
        walk.click("[data-action=issue-lp]")
    lp = Document.objects.filter(doc_type="LP_B").order_by("-pk").first()
    assert lp.subject_name.upper() == "HENDRA PAKAYA"
    assert "362" in str(lp.snapshot)
    assert desk.locator("[data-tracking]").inner_text() == lp.tracking_code
    with desk.expect_navigation():
        walk.click("[data-child]")
    assert Document.objects.filter(doc_type="STTLP", parent=lp).exists()
    desk.close()
    # A week later Reskrim records the progress, and Pak Hendra reads it by his code.
    with time_machine.travel(clock.now() + timedelta(days=7), tick=True):
        reskrim = _signed_in(browser, live_server, "reskrim")
        reskrim.goto(live_server.url + "/dokumen/reskrim/")
        form = reskrim.locator(f"form[action='/dokumen/{lp.pk}/progres/']")
        form.locator("select[name=stage]").select_option("penyelidikan")
        form.locator("[name=public_note]").fill("saksi diperiksa")
        with reskrim.expect_navigation():
            form.locator("[data-action=progress]").click()
        reskrim.close()
        citizen = browser.new_page(viewport=PHONE)
        citizen.goto(live_server.url + f"/lacak/{lp.tracking_code}/")
        progress = citizen.locator("main").inner_text()
        assert "Penyelidikan" in progress
        assert "saksi diperiksa" in progress
        citizen.close()
        _shots(browser, live_server, "scene4-track", f"/lacak/{lp.tracking_code}/")
    _shots(browser, live_server, "scene4-lp", f"/dokumen/{lp.pk}/", "jaga")
