"""The Kapolsek reads the daily report on his phone and acknowledges it with a disposisi."""

from datetime import timedelta

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.core import clock
from spkt.reports.models import DailyReport, ReportStatus
from spkt.reports.services import report_submit

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_kapolsek_acknowledges_on_a_phone(
    browser, live_server, lived_day, selatan, ka_spkt, kapolsek
) -> None:
    with clock.travel(lived_day.sealed_at + timedelta(minutes=5)):
        report = report_submit(
            actor=ka_spkt, unit=selatan, day=lived_day.day, situation="", matters="HT kurang satu."
        )
    page = browser.new_page(viewport=PHONE)
    page.goto(live_server.url + "/masuk/")
    page.fill("input[name=username]", "kapolsek")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.click(f"[data-report-alert='{report.pk}'] a")
    assert page.locator("[data-submit-met]").get_attribute("data-submit-met") == "1"
    # Nothing wider than the phone: no sideways scrolling to read the figures (measured once the
    # stylesheets have loaded; on a busy machine the first paint can come before them).
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(ARTIFACTS / "daily-report-phone.png"), full_page=True)
    assert width <= PHONE["width"]
    page.fill("textarea[name=disposisi]", "Cari HT yang dibawa patroli.")
    page.click("[data-action=report-ack]")
    assert page.locator("[data-status]").get_attribute("data-status") == "acknowledged"
    # No request may still be in flight when the live server's database is flushed.
    page.wait_for_load_state("networkidle")
    page.close()
    report = DailyReport.objects.get(pk=report.pk)
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert report.disposisi == "Cari HT yang dibawa patroli."
