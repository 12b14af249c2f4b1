"""Issue 12, items 9 and 12: the desk's key pages and the public pages have no serious or
critical axe-core finding, fit a 390-pixel phone without running off the right edge (a wide
table scrolls inside its card), and their main actions work from the keyboard alone."""

from __future__ import annotations

import pytest
from django.apps import apps

from spkt.conftest import ARTIFACTS
from spkt.core.tests.a11y import BLOCKING, axe_violations, describe
from spkt.demo import DEMO_PASSWORD, seed_all
from spkt.documents.models import Document
from spkt.documents.pasal import pasal_load
from spkt.intake.models import Contact
from spkt.reports.ikm.services import invitation_create, survey_token

DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _seeded() -> None:
    pasal_load(apps.get_model("documents", "Pasal"))  # a live-server test starts from a flush
    seed_all()


def _page(browser, live_server, user: str, viewport: dict):
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # axe arrives inline
    page = context.new_page()
    if user:
        page.goto(live_server.url + "/masuk/")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("button.primary")
        assert "/masuk/" not in page.url, f"{user} could not sign in"
    return page


def _overflow(page) -> int:
    """How many pixels the page runs past the right edge of the screen."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _audit(browser, live_server, pages: list[tuple[str, str, str]], *, report: str) -> None:
    found, wide = {}, {}
    notes = []
    opened = {}
    for name, user, path in pages:
        for label, viewport in (("desk", DESK), ("phone", PHONE)):
            key = (user, label)
            if key not in opened:
                opened[key] = _page(browser, live_server, user, viewport)
            page = opened[key]
            response = page.goto(live_server.url + path)
            assert response is not None
            assert response.status == 200, (name, path, response.status)
            page.wait_for_load_state("load")
            page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{viewport['width']}.png"))
            everything = axe_violations(page, impacts=(*BLOCKING, "moderate", "minor"))
            violations = [v for v in everything if v["impact"] in BLOCKING]
            if violations:
                found[f"{name} ({label})"] = describe(violations)
            # The lesser findings, for a person to read (they do not fail the test).
            lesser = [v for v in everything if v["impact"] not in BLOCKING]
            notes.append(f"## {name} ({label})\n{describe(lesser)}\n")
            if label == "phone" and _overflow(page) > 0:
                wide[name] = _overflow(page)
    for page in opened.values():
        page.context.close()
    (ARTIFACTS / f"a11y-{report}-lesser.txt").write_text("".join(notes))
    assert not found, "\n".join(f"{n}:\n{v}" for n, v in found.items())
    assert not wide, f"pages wider than a 390-pixel phone (pixels over): {wide}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desks_key_pages(browser, live_server) -> None:
    _seeded()
    contact = Contact.objects.filter(unit__code="kota-selatan").order_by("-received_at").first()
    document = Document.objects.filter(unit__code="kota-selatan", doc_type="SKTLK").first()
    _audit(
        browser,
        live_server,
        [
            ("dashboard-kaspkt", "kaspkt", "/"),
            ("dashboard-kapolsek", "kapolsek", "/"),
            ("inbox", "jaga", "/kontak/"),
            ("contact", "jaga", f"/kontak/{contact.pk}/"),
            ("mutasi", "jaga", "/mutasi/"),
            ("documents", "jaga", "/dokumen/"),
            ("document", "jaga", f"/dokumen/{document.pk}/"),
            ("sktlk-form", "jaga", "/dokumen/sktlk/baru/"),
            ("lp-form", "jaga", "/dokumen/lp/baru/?model=B"),
            ("fieldhelp", "kaspkt", "/bantuan/"),
            ("reskrim", "reskrim", "/dokumen/reskrim/"),
            ("daily-kapolsek", "kapolsek", "/laporan/harian/"),
            ("standards-kapolsek", "kapolsek", "/laporan/standar/"),
            ("anev-kapolsek", "kapolsek", "/laporan/anev/"),
            ("ikm-kapolsek", "kapolsek", "/laporan/ikm/"),
        ],
        report="desk",
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_public_pages(browser, live_server) -> None:
    _seeded()
    contact = Contact.objects.filter(unit__code="kota-selatan").order_by("-received_at").first()
    document = Document.objects.filter(unit__code="kota-selatan", doc_type="SKTLK").first()
    lp = Document.objects.filter(unit__code="kota-selatan", doc_type="LP_B").first()
    invitation = invitation_create(unit=document.unit, service="sktlk", document=document)
    _audit(
        browser,
        live_server,
        [
            ("portal", "", "/lapor/"),
            ("web-form", "", "/lapor/kota-selatan/pesan/"),
            ("track-entry", "", "/lacak/"),
            ("track-contact", "", f"/kontak/lacak/{contact.tracking_code}/"),
            ("track-lp", "", f"/lacak/{lp.tracking_code}/"),
            ("prereg-sktlk", "", "/lapor/kota-selatan/sktlk/"),
            ("verify", "", f"/v/{document.verify_token}/"),
            ("ikm-survey", "", f"/survei/{survey_token(invitation)}/"),
            ("kiosk", "", "/kontak/kios/kota-selatan/"),
        ],
        report="public",
    )


@pytest.mark.browser
def test_axe_finds_what_it_should(browser) -> None:
    # The helper itself: an unlabelled field and a nameless button are caught, a labelled form
    # passes, so a green audit above means something.
    page = browser.new_page()
    page.set_content(
        "<html lang=id><head><title>t</title></head><body><main><h1>t</h1>"
        "<input name=a><button></button></main></body></html>"
    )
    assert {v["id"] for v in axe_violations(page)} >= {"label", "button-name"}
    page.set_content(
        "<html lang=id><head><title>t</title></head><body><main><h1>t</h1>"
        "<label>Nama <input name=a></label><button>Kirim</button></main></body></html>"
    )
    assert axe_violations(page) == []
    page.close()


def _tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the focus is on ``selector`` (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_key_actions_by_keyboard_alone(browser, live_server) -> None:
    _seeded()
    phone = browser.new_page(viewport=PHONE)
    # Sign in: Tab to the fields, type, Enter.
    phone.goto(live_server.url + "/masuk/")
    _tab_to(phone, "input[name=username]")
    phone.keyboard.type("jaga")
    _tab_to(phone, "input[name=password]")
    phone.keyboard.type(DEMO_PASSWORD)
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "/masuk/" not in phone.url
    # The folded menu opens from the keyboard and its links follow.
    _tab_to(phone, "[data-menu-toggle]")
    phone.keyboard.press("Enter")
    assert phone.locator("#main-nav").is_visible()
    _tab_to(phone, "#main-nav a[href='/kontak/']")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    # Claim the first waiting contact in the inbox.
    _tab_to(phone, "[data-action=claim]")
    claim = phone.evaluate("() => document.activeElement.form.action")
    waiting = Contact.objects.get(pk=int(claim.rstrip("/").split("/")[-2]))
    assert waiting.claimed_by is None
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    waiting.refresh_from_db()
    assert waiting.claimed_by is not None
    assert waiting.claimed_by.username == "jaga"
    phone.close()

    # A citizen types a tracking code and follows it.
    public = browser.new_page(viewport=PHONE)
    public.goto(live_server.url + "/lacak/")
    public.keyboard.type(waiting.tracking_code)  # the field has the focus when the page opens
    with public.expect_navigation():
        public.keyboard.press("Enter")
    assert waiting.tracking_code in public.content()
    public.close()
