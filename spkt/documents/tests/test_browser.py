"""The first case in a real browser: log in, issue an SKTLK, download its PDF, verify it."""

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.documents.models import Document


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_desk_officer_issues_an_sktlk_and_the_public_verifies_it(
    browser, live_server, petugas, tmp_path
) -> None:
    page = browser.new_page(viewport={"width": 1024, "height": 768}, accept_downloads=True)
    blocked: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            (blocked.append(route.request.url), route.abort())
            if not route.request.url.startswith(live_server.url)
            else route.continue_()
        ),
    )

    page.goto(live_server.url + "/")
    page.fill("input[name=username]", "petugas")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.click("text=Terbitkan SKTLK >> nth=0")

    page.fill("input[name=name]", "Rahma Suleman")
    page.fill("input[name=nik]", "7571025506850003")
    page.fill("input[name=birth_place]", "Gorontalo")
    page.fill("input[name=birth_date]", "1985-06-15")
    page.select_option("select[name=gender]", "P")
    page.fill("input[name=address]", "Jl. Sultan Botutihe 12, Biawu")
    page.check("input[name=item_KTP]")
    page.check("input[name=papers_KTP]")
    page.check("input[name=item_ATM]")
    page.check("input[name=papers_ATM]")
    page.fill("input[name=detail_ATM]", "BRI")
    page.fill("input[name=lost_on]", "2026-11-26")
    page.fill("input[name=lost_place]", "Pasar Sentral")
    page.screenshot(path=str(ARTIFACTS / "sktlk-form.png"), full_page=True)
    page.click("form.card button.primary")

    doc = Document.objects.get()
    assert page.locator(".docno").inner_text() == doc.number
    page.screenshot(path=str(ARTIFACTS / "sktlk-detail.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("[data-action=download]")
    pdf = tmp_path / "sktlk.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    public = browser.new_page(viewport={"width": 390, "height": 800})  # a phone
    public.goto(doc.snapshot["verify_url"].replace("http://127.0.0.1:8000", live_server.url))
    assert public.locator("[data-status]").get_attribute("data-status") == "valid"
    assert "Sah" in public.locator(".verdict").inner_text()
    assert "7571025506850003" not in public.content()
    public.screenshot(path=str(ARTIFACTS / "verify-phone.png"), full_page=True)
    assert blocked == []  # nothing loaded from outside the app
