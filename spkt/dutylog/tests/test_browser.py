"""A shift in a real browser: apel, an entry, its correction, the handover with both heads."""

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.dutylog.models import Mutasi, Shift, ShiftStatus
from spkt.dutylog.services import shift_current
from spkt.org.models import User


@pytest.fixture
def page(browser):
    return browser.new_page(viewport={"width": 1100, "height": 900})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_shift_is_opened_written_corrected_and_handed_over(
    page, live_server, selatan, squads, ka_spkt
) -> None:
    shift = shift_current(unit=selatan)
    page.goto(live_server.url + "/masuk/")
    page.fill("input[name=username]", "ka_spkt")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")

    page.goto(live_server.url + "/mutasi/")
    page.click("[data-action=open]")
    page.click("[data-action=open-confirm]")
    assert page.locator("[data-shift-status]").get_attribute("data-shift-status") == "open"

    page.select_option("select[name=category]", "kejadian")
    page.fill("textarea[name=text]", "Laka lantas di Jl. Nani Wartabone, korban luka ringan.")
    page.click("[data-action=write]")
    row = page.locator("tr", has_text="Laka lantas di Jl. Nani Wartabone")
    assert "red" in row.get_attribute("class")

    row.locator("[data-action=correct]").click()
    page.fill("textarea[name=text]", "Laka lantas di Jl. Raja Eyato, korban luka ringan.")
    page.click("form.card button.primary")
    assert page.locator("[data-corrected]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "mutasi-today.png"), full_page=True)

    page.click("[data-action=handover]")
    page.click("[data-action=handover-start]")
    page.check("input[name=fill_rest]")
    page.click("[data-action=count]")
    handover = Shift.objects.get(pk=shift.pk).handover_out
    out_head = User.objects.get(personnel=handover.outgoing.ka_spkt)
    in_head = User.objects.get(personnel=handover.incoming.ka_spkt)
    page.fill("input[name=out_username]", out_head.username)
    page.fill("input[name=out_password]", PASSWORD)
    page.fill("input[name=in_username]", in_head.username)
    page.fill("input[name=in_password]", PASSWORD)
    page.screenshot(path=str(ARTIFACTS / "mutasi-handover.png"), full_page=True)
    page.click("[data-action=confirm]")

    assert page.locator("[data-shift-status]").get_attribute("data-shift-status") == "closed"
    assert page.locator("[data-seal-hash]").count() == 1
    assert Shift.objects.get(pk=handover.incoming_id).status == ShiftStatus.OPEN
    assert Mutasi.objects.filter(corrects__isnull=False).count() == 1
