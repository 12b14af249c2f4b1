"""Issue 12, item 3, in Chromium: the desk opens its work list from the dashboard's count, at the
desk's size and on a phone; every row is a link and nothing runs off the edge. Screenshots at
1366x768 and 390x844."""

from __future__ import annotations

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.documents.tests.test_lp import pasal  # noqa: F401 (fixture)
from spkt.reports.tests.test_worklist import desk_work  # noqa: F401 (fixture)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["desk", "phone"])
def test_the_desk_opens_its_work_list_from_the_dashboard(
    browser,
    live_server,
    petugas,
    desk_work,  # noqa: F811
    viewport,
) -> None:
    width, height = viewport
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(live_server.url + "/masuk/")
    page.fill("input[name=username]", "petugas")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button.primary")
    assert page.locator("[data-count=reviewed] b").inner_text() == "1"
    page.screenshot(path=str(ARTIFACTS / f"worklist-dashboard-{width}.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-flag=reviewed] a")
    assert page.url.endswith("/kerja/#sudah-digelar")
    page.screenshot(path=str(ARTIFACTS / f"worklist-{width}.png"), full_page=True)
    over = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert over <= 0, f"the work list runs {over} px off the edge at {width} px"
    # Every row leads to its object: the reviewed draft opens with Reskrim's recommendation.
    rows = page.locator("[data-work] tbody tr[data-reviewed], [data-work] tbody tr[data-draft]")
    assert rows.count() == 2
    for i in range(rows.count()):
        assert rows.nth(i).locator("a").count() >= 1
    with page.expect_navigation():
        page.click(f"tr[data-reviewed='{desk_work['reviewed'].pk}'] a")
    assert f"/dokumen/lp/konsep/{desk_work['reviewed'].pk}/" in page.url
    assert "Pasal 476 KUHP." in page.content()
    page.close()
