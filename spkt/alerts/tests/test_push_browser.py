"""The card on a phone (390 x 844): the desk's service worker registers for the whole site, and a
browser without push, or with notifications denied, gets a clear Indonesian message. (No real push
service is reachable here; subscribing is tested against the local one in test_push.py.)"""

from __future__ import annotations

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD

DENIED = "Object.defineProperty(Notification, 'permission', { get: () => 'denied' });"
NO_PUSH = "delete window.PushManager;"


def _signed_in(browser, live_server, init: str = ""):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    if init:
        context.add_init_script(init)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + "/masuk/")
    page.fill("input[name=username]", "kapolsek")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.goto(live_server.url + "/notifikasi/")
    return context, page, errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_worker_registers_and_a_denied_permission_is_explained(
    browser, live_server, kapolsek
) -> None:
    context, page, errors = _signed_in(browser, live_server)
    assert page.evaluate("() => navigator.serviceWorker.ready.then((r) => r.scope)") == (
        live_server.url + "/"
    )
    assert page.is_enabled("[data-push-enable]")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "alerts-card-390.png"), full_page=True)
    context.close()

    context, page, errors = _signed_in(browser, live_server, DENIED)
    page.wait_for_selector("[data-push-status]:not([hidden])")
    assert "Izin notifikasi untuk situs ini ditolak" in page.inner_text("[data-push-status]")
    assert not page.is_enabled("[data-push-enable]")
    context.close()
    assert not errors, errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_browser_without_push_is_told_what_to_use(browser, live_server, kapolsek) -> None:
    context, page, errors = _signed_in(browser, live_server, NO_PUSH)
    page.wait_for_selector("[data-push-status]:not([hidden])")
    assert "tidak mendukung notifikasi push" in page.inner_text("[data-push-status]")
    assert not page.is_enabled("[data-push-enable]")
    page.screenshot(path=str(ARTIFACTS / "alerts-unsupported-390.png"), full_page=True)
    context.close()
    assert not errors, errors
