"""Issue 12, item 4 in a real browser: the desk writes an LP model B draft in the sectioned form —
"pelapor adalah korban", saksi blocks added and removed, the pasal type-ahead over old and new
KUHP by keyboard — on a desk screen and on a phone, with screenshots to look at."""

import re
from datetime import timedelta

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.core import clock
from spkt.core.tests.a11y import axe_violations, describe
from spkt.core.timeutil import local, waktu
from spkt.documents.models import LaporanDraft, Pasal
from spkt.documents.pasal import pasal_load

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_the_desk_fills_an_lp_b_draft_in_sections(
    browser, live_server, petugas, selatan, width, height
) -> None:
    pasal_load(Pasal)  # the reference list, as the migration loads it
    page = browser.new_page(
        viewport={"width": width, "height": height}, locale="id-ID", bypass_csp=True
    )
    page.goto(live_server.url + "/dokumen/lp/baru/?model=B")
    page.fill("input[name=username]", "petugas")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("[data-pasal-search]")
    headings = page.locator(".lp-section h2").all_inner_texts()
    assert [re.sub(r"^\d+\s*", "", h) for h in headings] == [
        "Pelapor (yang melaporkan)",
        "Kejadian",
        "Terlapor",
        "Korban",
        "Saksi-saksi",
        "Barang bukti",
        "Uraian singkat kejadian",
        "Pasal",
    ]
    # With script, one block per list (the page without script has two blank ones).
    assert page.locator("[data-people=witnesses] [data-person]").count() == 1
    assert page.locator("[data-pasal-help-nojs]").is_hidden()

    page.fill("input[name=name]", "Hendra Pakaya")
    page.fill("input[name=nik]", "7571021203790002")
    page.fill("input[name=birth_place]", "Limboto")
    page.fill("input[name=birth_date]", "1979-03-12")
    page.select_option("select[name=gender]", "L")
    page.fill("input[name=phone]", "081355501234")
    page.fill("input[name=address]", "Jl. Pertiwi No. 5, Limba B")
    when = local(clock.now() - timedelta(hours=6)).replace(second=0, microsecond=0)
    page.fill("input[name=event_when]", f"{when:%Y-%m-%dT%H:%M}")
    assert page.locator("[data-when-text]").inner_text() == waktu(when)
    page.fill("input[name=event_where]", "Jl. Pertiwi No. 5")
    page.fill("input[name=event_what]", "Rumah dibobol, laptop hilang")

    page.check("input[name=reporter_is_victim]")
    victim = page.locator("input[name=victims-0-name]")
    assert victim.input_value() == "Hendra Pakaya"
    assert victim.get_attribute("readonly") is not None
    assert page.locator("input[name=victims-0-birth]").input_value() == "Limboto, 12 Maret 1979"
    page.fill("input[name=name]", "Hendra S. Pakaya")  # the korban follows the reporter
    assert victim.input_value() == "Hendra S. Pakaya"

    page.fill("input[name=witnesses-0-name]", "Siti Mooduto")
    page.click("[data-people=witnesses] [data-person-add]")
    page.fill("input[name=witnesses-1-name]", "Salah Tulis")
    page.click("[data-people=witnesses] [data-person-add]")
    page.fill("input[name=witnesses-2-name]", "Rudi Hasan")
    page.click("[data-people=witnesses] [data-person] >> nth=1 >> [data-person-remove]")
    assert page.locator("input[name=witnesses-1-name]").input_value() == "Rudi Hasan"
    assert page.locator("input[name=witnesses-TOTAL_FORMS]").input_value() == "2"
    page.fill("textarea[name=evidence]", "Linggis\nGembok rusak")
    page.fill("textarea[name=account]", "Pintu belakang rumah pelapor dirusak, laptop hilang.")

    search = page.locator("[data-pasal-search]")
    search.fill("362")  # a number finds the article in both books
    options = page.locator(".pasal-list [role=option]").all_inner_texts()
    assert any(o.startswith("Pasal 476 UU 1/2023") for o in options)
    assert any(o.startswith("Pasal 362 KUHP (UU 1/1946)") for o in options)
    assert len(options) == 2
    search.fill("x" * 200)  # too long: cut at the box's limit, and nothing matches
    assert len(search.input_value()) == 60
    assert page.locator(".pasal-empty").inner_text() == "Tidak ada pasal yang cocok."
    search.fill("")
    assert page.locator(".pasal-list").is_hidden()
    search.fill("pencurian pemberatan")
    assert page.locator(".pasal-list [role=option]").count() == 2
    search.fill("pencurian")
    assert page.locator(".pasal-list [role=option]").count() > 4
    search.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(ARTIFACTS / f"lp-form-pasal-{width}.png"))
    blocking = axe_violations(page)  # the open list, the filled korban, the added saksi
    assert not blocking, describe(blocking)
    page.keyboard.press("Enter")  # the first match: the article in force
    search.fill("363")
    page.keyboard.press("ArrowDown")
    active = page.locator(".pasal-list [role=option].active").inner_text()
    assert search.get_attribute("aria-activedescendant")
    page.keyboard.press("Enter")
    chips = page.locator(".pasal-picker .chips li")
    assert chips.count() == 2
    assert active in chips.nth(1).inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert search.get_attribute("aria-expanded") == "false"
    assert not axe_violations(page), describe(axe_violations(page))  # with the chips
    chips.nth(1).locator("button").click()  # removed again
    assert chips.count() == 1
    assert page.evaluate(NO_SIDEWAYS)
    page.screenshot(path=str(ARTIFACTS / f"lp-form-{width}.png"), full_page=True)

    page.click("[data-action=save-draft]")
    page.wait_for_selector("[data-draft-status]")
    draft = LaporanDraft.objects.get()
    assert draft.citizen.name == "Hendra S. Pakaya"
    assert [v["name"] for v in draft.data["victims"]] == ["Hendra S. Pakaya"]
    assert draft.data["victims"][0]["contact"] == "081355501234"
    assert [w["name"] for w in draft.data["witnesses"]] == ["Siti Mooduto", "Rudi Hasan"]
    assert draft.data["evidence"] == ["Linggis", "Gembok rusak"]
    assert [(p.book, p.article) for p in draft.offences.all()] == [("KUHP_2023", "476")]
    assert page.locator("[data-event-when]").inner_text() == waktu(when)
    assert page.evaluate(NO_SIDEWAYS)
    page.screenshot(path=str(ARTIFACTS / f"lp-draft-{width}.png"), full_page=True)
