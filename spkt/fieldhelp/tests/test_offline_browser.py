"""The officer's phone loses its signal: a situation report (with a photo) waits on the phone and
goes out once the link is back; the same update sent twice is applied once."""

from __future__ import annotations

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.fieldhelp.models import ReportPhoto, SituationReport
from spkt.fieldhelp.services import task_dispatch, task_status
from spkt.org.models import Role
from spkt.org.services import user_create

# The smallest valid PNG (1 x 1 px): the server checks the first bytes.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_report_sent_without_signal_goes_out_once_when_it_returns(
    browser, live_server, selatan, ka_spkt, on_duty, task
) -> None:
    officer = on_duty[-1]
    user = user_create(
        username="patroli1",
        password=PASSWORD,
        unit=selatan,
        roles=[Role.ANGGOTA_JAGA],
        personnel=officer,
    )
    task_dispatch(actor=ka_spkt, task=task, personnel=[officer])
    task_status(actor=user, task=task, status="on_scene", idempotency_key="arrive-1")

    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    errors: list[str] = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.goto(live_server.url + "/masuk/")
    phone.fill("input[name=username]", "patroli1")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button.primary")
    phone.goto(live_server.url + "/bantuan/saya/")
    # The page is an installable app: its service worker takes control.
    assert phone.evaluate(
        "() => navigator.serviceWorker.ready.then((r) => r.scope.endsWith('/bantuan/'))"
    )

    context.set_offline(True)
    phone.fill("textarea[name=text]", "Situasi terkendali; menunggu Reskrim.")
    phone.set_input_files(
        "input[name=photos]", files=[{"name": "tkp.png", "mimeType": "image/png", "buffer": PNG}]
    )
    phone.click("[data-action=report]")
    phone.wait_for_selector("[data-queue-state]:not([hidden])")
    assert phone.inner_text("[data-queue-state]").endswith("1")
    # The officer taps again in doubt: the same update, twice in the queue.
    phone.evaluate(
        """() => new Promise((done) => {
          const open = indexedDB.open("spkt-fieldhelp", 1);
          open.onsuccess = () => {
            const store = open.result.transaction("queue", "readwrite").objectStore("queue");
            store.getAll().onsuccess = (e) => {
              const copy = Object.assign({}, e.target.result[0]);
              delete copy.id;
              store.add(copy).onsuccess = () => done();
            };
          };
        })"""
    )
    phone.screenshot(path=str(ARTIFACTS / "fieldhelp-offline-390.png"), full_page=True)
    assert not SituationReport.objects.filter(task=task).exists()

    context.set_offline(False)  # the browser fires "online": the queue goes out, oldest first
    phone.wait_for_function(
        "() => !document.querySelector('[data-queue-state]') || "
        "document.querySelector('[data-queue-state]').hidden"
    )
    phone.wait_for_load_state("load")
    phone.wait_for_load_state("networkidle")
    reports = SituationReport.objects.filter(task=task)
    assert reports.count() == 1
    assert reports.get().text == "Situasi terkendali; menunggu Reskrim."
    assert ReportPhoto.objects.filter(report__task=task).count() == 1
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
