"""JOURNEYS scene 2 from end to end: a WhatsApp message becomes a TPTKP; the officer works it on a
390x844 phone, sends a report with a photo after losing the signal, misses the next hourly report
(the desk sees the alert) and hands over with an LP model A drafted from the task."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.core import clock
from spkt.documents.models import LaporanDraft
from spkt.fieldhelp.clock import report_sweep
from spkt.fieldhelp.models import SituationReport, Task, TaskStatus
from spkt.fieldhelp.tests.test_offline_browser import PNG
from spkt.intake.models import Outcome
from spkt.intake.services import Incoming, contact_receive
from spkt.org.models import Role
from spkt.org.services import user_create


def _login(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state("load")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_whatsapp_to_tptkp_to_lp_model_a(
    browser, live_server, selatan, ka_spkt, on_duty, tptkp
) -> None:
    officer = on_duty[-1]
    user_create(
        username="patroli1",
        password=PASSWORD,
        unit=selatan,
        roles=[Role.ANGGOTA_JAGA],
        personnel=officer,
    )
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="whatsapp",
            body="Ada perkelahian di depan Pasar Sentral, satu orang luka",
            sender_name="Rahma",
            sender_address="6281234567890",
            external_id="wamid.journey",
        ),
    )

    # The desk: from the WhatsApp contact to a dispatched TPTKP.
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(desk, live_server, "ka_spkt")
    desk.goto(live_server.url + f"/kontak/{contact.pk}/")
    desk.click("[data-action=field-help]")
    desk.select_option("select[name=task_type]", str(tptkp.pk))
    desk.fill("input[name=address]", "Depan Pasar Sentral, Jl. Nani Wartabone")
    desk.click("[data-action=task-create]")
    task = Task.objects.get()
    contact.refresh_from_db()
    assert contact.outcome == Outcome.FIELD_HELP
    desk.check(f"input[name=personnel][value='{officer.pk}']")
    desk.click("[data-action=dispatch]")
    desk.wait_for_selector("[data-task-status='dispatched']")

    # The officer's phone: en route, on scene, a step, then a report without signal.
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 0.5412, "longitude": 123.0595, "accuracy": 10},
        permissions=["geolocation"],
    )
    phone = context.new_page()
    _login(phone, live_server, "patroli1")
    phone.goto(live_server.url + "/bantuan/saya/")
    assert phone.evaluate(
        "() => new Promise((done) => navigator.geolocation.getCurrentPosition("
        "() => done(true), () => done(false), {timeout: 30000}))"
    )
    phone.click("[data-action=en-route]")
    phone.wait_for_selector("[data-action=en-route]", state="detached")
    phone.wait_for_load_state("load")  # the page's script (it sends the position) has run
    phone.click("[data-action=on-scene]")
    phone.wait_for_selector("[data-action=on-scene]", state="detached")
    phone.wait_for_load_state("load")  # the page's script (it sends the position) has run
    phone.locator("[data-step='1'] [data-action=tick]").click()
    phone.wait_for_selector("[data-step='1'].done")
    context.set_offline(True)
    phone.fill("textarea[name=text]", "Korban ditolong; TKP dipasang garis polisi.")
    phone.fill("textarea[name=evidence]", "Sebilah parang")
    phone.fill("textarea[name=witnesses]", "Hendra - 0812 1111 2222")
    phone.set_input_files(
        "input[name=photos]", files=[{"name": "tkp.png", "mimeType": "image/png", "buffer": PNG}]
    )
    phone.click("[data-action=report]")
    phone.wait_for_selector("[data-queue-state]:not([hidden])")
    assert not SituationReport.objects.filter(task=task).exists()
    context.set_offline(False)
    phone.wait_for_function(
        "() => { const s = document.querySelector('[data-queue-state]'); return !s || s.hidden; }"
    )
    phone.wait_for_load_state("networkidle")
    assert SituationReport.objects.filter(task=task).count() == 1
    phone.screenshot(path=str(ARTIFACTS / "journey-phone-390.png"), full_page=True)

    # The next hourly report is missed: the clock alerts the Ka SPKT on duty (the head of the
    # squad on duty, "kepala1"), who sees it on the dashboard.
    task.refresh_from_db()
    assert task.status == TaskStatus.ON_SCENE
    with time_machine.travel(task.report_due_at + timedelta(minutes=1), tick=True):
        assert report_sweep(now=clock.now())[0] == 1
        head = browser.new_page(viewport={"width": 1280, "height": 900})
        _login(head, live_server, "kepala1")
        head.goto(live_server.url + "/")
        head.wait_for_selector(f"[data-field-alert] a[href='/bantuan/{task.pk}/']")
        head.screenshot(path=str(ARTIFACTS / "journey-alert.png"), full_page=True)
        head.close()

        # The desk hands over with an LP model A drafted from the task.
        desk.goto(live_server.url + f"/bantuan/{task.pk}/")
        desk.click("[data-action=handoff-lp]")
        desk.wait_for_load_state("load")
    draft = LaporanDraft.objects.get()
    task.refresh_from_db()
    assert task.lp_draft_id == draft.pk
    assert "Pasar Sentral" in str(draft.data)
    assert "parang" in str(draft.data)
    desk.screenshot(path=str(ARTIFACTS / "journey-lp-draft.png"), full_page=True)
    desk.wait_for_load_state("networkidle")
    phone.wait_for_load_state("networkidle")
    context.close()
    desk.close()
