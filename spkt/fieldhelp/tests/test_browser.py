"""Field help in a real browser: the desk turns a phone contact into a TPTKP and dispatches it;
the officer works it on a 390x844 phone under the strict CSP."""

from __future__ import annotations

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.dutylog.models import Mutasi
from spkt.fieldhelp.models import Task, TaskStatus
from spkt.intake.services import phone_log
from spkt.org.models import Role
from spkt.org.services import user_create


def _local_only(page, live_server) -> list[str]:
    blocked: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            (blocked.append(route.request.url), route.abort())
            if not route.request.url.startswith(live_server.url)
            else route.continue_()
        ),
    )
    return blocked


def _login(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_dispatches_a_tptkp_from_a_contact_and_the_officer_works_it(
    browser, live_server, selatan, ka_spkt, on_duty, tptkp, vehicle
) -> None:
    officer = on_duty[-1]
    user_create(
        username="patroli1",
        password=PASSWORD,
        unit=selatan,
        roles=[Role.ANGGOTA_JAGA],
        personnel=officer,
    )
    contact = phone_log(
        actor=ka_spkt, unit=selatan, caller="0812 3333 4444", summary="Ada perkelahian di pasar"
    )
    errors: list[str] = []
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    blocked = _local_only(desk, live_server)
    desk.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(desk, live_server, "ka_spkt")
    desk.goto(live_server.url + f"/kontak/{contact.pk}/")
    desk.click("[data-action=field-help]")
    desk.select_option("select[name=task_type]", str(tptkp.pk))
    desk.fill("input[name=address]", "Pasar Sentral, Jl. Nani Wartabone")
    desk.click("[data-action=task-create]")
    task = Task.objects.get()
    assert task.contact_id == contact.pk
    desk.check(f"input[name=personnel][value='{officer.pk}']")
    desk.check(f"input[name=equipment][value='{vehicle.pk}']")
    desk.click("[data-action=dispatch]")
    assert desk.locator("[data-task-status]").get_attribute("data-task-status") == "dispatched"
    desk.screenshot(path=str(ARTIFACTS / "fieldhelp-task.png"), full_page=True)

    phone = browser.new_page(
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 0.5412, "longitude": 123.0595, "accuracy": 12},
        permissions=["geolocation"],
    )
    blocked += _local_only(phone, live_server)
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(phone, live_server, "patroli1")
    phone.goto(live_server.url + "/bantuan/saya/")
    # A phone whose GPS has a fix already (as after the ride out): on a busy machine the first fix
    # can take longer than the 4 s a status button waits for it, and the status goes without one.
    assert phone.evaluate(
        "() => new Promise((done) => navigator.geolocation.getCurrentPosition("
        "() => done(true), () => done(false), {timeout: 30000}))"
    )
    # Each status waits for the phone's position before it is sent: wait for the page that
    # follows before the next tap, as an officer would.
    phone.click("[data-action=en-route]")
    phone.wait_for_selector("[data-action=en-route]", state="detached")
    phone.wait_for_load_state("load")  # the page's script (it sends the position) has run
    phone.click("[data-action=on-scene]")
    phone.wait_for_selector("[data-action=on-scene]", state="detached")
    phone.wait_for_load_state("load")  # the page's script (it sends the position) has run
    phone.wait_for_selector("[data-step='1'] [data-action=tick]")
    phone.locator("[data-step='1'] [data-action=tick]").click()
    phone.fill("textarea[name=text]", "Korban ditolong; TKP dipasang garis polisi.")
    phone.click("[data-action=report]")
    # Sent in the background (it would wait on the phone without a signal), then the page returns.
    phone.wait_for_function("() => document.querySelector('textarea[name=text]').value === ''")
    phone.screenshot(path=str(ARTIFACTS / "fieldhelp-mine-390.png"), full_page=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.ON_SCENE
    assert task.ticks.count() == 1
    assert task.reports.count() == 1
    arrived = task.events.get(status="on_scene")
    assert (str(arrived.lat), str(arrived.lon), arrived.accuracy_m) == (
        "0.541200",
        "123.059500",
        12,
    )

    desk.goto(live_server.url + "/bantuan/")
    assert desk.locator(f"[data-task-id='{task.pk}']").count() == 1
    assert Mutasi.objects.filter(red=True, text__contains="tiba di lokasi").exists()
    assert not blocked
    assert not [e for e in errors if "Content Security Policy" in e], errors
