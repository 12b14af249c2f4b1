"""On a phone the main menu folds behind one button; on a desk PC it is always there."""

from __future__ import annotations

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD


def signed_in(browser, live_server, viewport: dict):
    page = browser.new_page(viewport=viewport)
    page.goto(live_server.url + "/masuk/")
    page.fill("input[name=username]", "kapolsek")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state("load")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_menu_folds_on_a_phone(browser, live_server, kapolsek) -> None:
    phone = signed_in(browser, live_server, {"width": 390, "height": 844})
    toggle = phone.locator("[data-menu-toggle]")
    nav = phone.locator("#main-nav")
    assert toggle.is_visible()
    assert not nav.is_visible()
    # The page's own heading is on the first screen, not below the menu.
    assert phone.locator("main h1").bounding_box()["y"] < 200
    toggle.click()
    assert nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    phone.screenshot(path=str(ARTIFACTS / "menu-open-390.png"))
    nav.locator("[data-nav=daily]").click()
    phone.wait_for_load_state("load")
    assert "/laporan/harian/" in phone.url
    phone.close()

    desk = signed_in(browser, live_server, {"width": 1366, "height": 768})
    assert desk.locator("#main-nav").is_visible()
    assert not desk.locator("[data-menu-toggle]").is_visible()
    desk.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_menu_folds_and_opens_without_script(browser, live_server, kapolsek) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    phone = context.new_page()
    phone.goto(live_server.url + "/masuk/")
    phone.fill("input[name=username]", "kapolsek")
    phone.fill("input[name=password]", PASSWORD)
    with phone.expect_navigation():
        phone.click("button.primary")
    nav = phone.locator("#main-nav")
    assert not nav.is_visible()
    assert phone.locator("main h1").bounding_box()["y"] < 200
    phone.click("[data-menu-toggle]")
    assert nav.is_visible()
    with phone.expect_navigation():
        nav.locator("[data-nav=daily]").click()
    assert "/laporan/harian/" in phone.url
    assert not phone.locator("#main-nav").is_visible()  # folded again on the next page
    context.close()
