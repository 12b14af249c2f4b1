"""The Content-Security-Policy in a real browser: the main pages of every audience load under it
with no violation in the console, and their style sheets still apply (ADR 0033)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD, issue
from spkt.core import clock
from spkt.documents.lp import LpContent, lp_draft_save, lp_issue, lp_review
from spkt.documents.models import Pasal
from spkt.documents.services import CitizenData
from spkt.intake.services import Incoming, contact_receive, ticket_issue
from spkt.org.models import User

CSP_WORDS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


def _watch(page, base_url: str) -> list[str]:
    """Every CSP complaint, script error or request that left the server, as readable lines."""
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"{page.url}: console {msg.type}: {msg.text}")
            if msg.type in ("error", "warning") and any(w in msg.text for w in CSP_WORDS)
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: script error: {exc}"))
    page.route(
        "**/*",
        lambda route: (
            (problems.append(f"left the server: {route.request.url}"), route.abort())
            if not route.request.url.startswith(base_url)
            else route.continue_()
        ),
    )
    return problems


def _style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"el => getComputedStyle(el).getPropertyValue('{prop}')")


def _lp_b(petugas, reskrim, unit):
    pasal = Pasal.objects.get_or_create(
        book="KUHP_2023", article="476", defaults={"title": "Pencurian"}
    )[0]
    citizen = CitizenData(
        name="Hendra Pakaya",
        nik="7571021203790002",
        birth_place="Limboto",
        birth_date=date(1979, 3, 12),
        gender="L",
        address="Jl. Pertiwi 5",
    )
    content = LpContent(
        model="B",
        classification="Kejahatan",
        event_when=clock.now() - timedelta(hours=3),
        event_where="Jl. Pertiwi 5",
        event_what="Pencurian di rumah",
        account="Rumah pelapor dibobol.",
        citizen=citizen,
        offences=[pasal],
    )
    draft = lp_draft_save(actor=petugas, unit=unit, content=content)
    lp_review(actor=reskrim, draft=draft, recommendation="Unsur terpenuhi.", offences=[pasal])
    return draft, lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_load_under_the_csp_without_a_violation(
    browser, live_server, petugas, reskrim, selatan
) -> None:
    sktlk = issue(petugas, selatan)
    draft, lp = _lp_b(petugas, reskrim, selatan)
    web = contact_receive(
        unit=selatan,
        incoming=Incoming(channel="web", body="Jalan rusak", sender_name="Warga Biawu"),
    )
    ticket = ticket_issue(unit=selatan)
    base = live_server.url
    code = selatan.code

    public = browser.new_page(viewport={"width": 1024, "height": 768})
    problems = _watch(public, base)
    public_pages = [
        ("/masuk/", "login"),
        ("/lapor/", "portal"),
        (f"/lapor/{code}/pesan/", "web-message"),
        (f"/lapor/{code}/sktlk/", "prereg"),
        (f"/v/{sktlk.verify_token}/", "verify"),
        (f"/lacak/{lp.tracking_code}/", "track-lp"),
        (f"/kontak/lacak/{web.tracking_code}/", "track-contact"),
    ]
    for path, name in public_pages:
        public.goto(base + path)
        assert _style(public, "header.top", "display") == "flex", path  # spkt.css applies
        public.screenshot(path=str(ARTIFACTS / f"csp-{name}.png"), full_page=True)
    assert _style(public, "ol.thread", "list-style-type") == "none"  # intake.css on tracking
    for path, name in [
        (f"/kontak/kios/{code}/", "kiosk"),
        (f"/kontak/kios/{code}/{ticket.tracking_code}/", "kiosk-ticket"),
        (f"/kontak/layar/{code}/", "lobby"),
    ]:
        public.goto(base + path)
        assert _style(public, "header.screen-top", "text-align") == "center", path  # screen.css
        public.screenshot(path=str(ARTIFACTS / f"csp-{name}.png"), full_page=True)
        if name == "kiosk-ticket":  # the QR is inline SVG, sized by screen.css
            assert _style(public, ".ticket .qr svg", "width") == "170px"

    desk = browser.new_page(viewport={"width": 1280, "height": 800})
    problems += _watch(desk, base)
    desk.goto(base + "/masuk/")
    desk.fill("input[name=username]", "petugas")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button.primary")
    desk_pages = [
        ("/", "dashboard"),
        ("/kontak/", "inbox"),
        (f"/kontak/{web.pk}/", "contact"),
        ("/mutasi/", "mutasi"),
        ("/dokumen/sktlk/baru/", "sktlk-form"),
        ("/dokumen/lp/baru/", "lp-form"),
        (f"/dokumen/lp/konsep/{draft.pk}/ubah/", "lp-issued-edit"),
        (f"/dokumen/{sktlk.pk}/", "document"),
        (f"/dokumen/{lp.pk}/", "document-lp"),
        ("/dokumen/", "documents"),
        ("/laporan/harian/", "daily"),
    ]
    for path, name in desk_pages:
        response = desk.goto(base + path)
        assert response.status == 200, path
        assert _style(desk, "header.top", "display") == "flex", path
        desk.screenshot(path=str(ARTIFACTS / f"csp-{name}.png"), full_page=True)
    # The polls swap HTML in under the same policy (HTMX injects no indicator style).
    desk.goto(base + "/kontak/")
    with desk.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        desk.evaluate("htmx.ajax('GET', location.pathname, {source: '#inbox', target: '#inbox'})")
    assert desk.evaluate("document.querySelectorAll('style').length") == 0
    assert _style(desk, ".inbox", "list-style-type") == "none"  # intake.css applies

    desk.goto(base + "/api/docs/")
    desk.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "SPKT API" in desk.inner_text(".swagger-ui .info .title")
    desk.screenshot(path=str(ARTIFACTS / "csp-api-docs.png"))

    User.objects.create_superuser("admin", password=PASSWORD, unit=selatan)
    admin = browser.new_page(viewport={"width": 1280, "height": 800})
    problems += _watch(admin, base)
    admin.goto(base + "/admin/login/")
    admin.fill("input[name=username]", "admin")
    admin.fill("input[name=password]", PASSWORD)
    admin.click("input[type=submit]")
    for path in ["/admin/", "/admin/org/unit/", f"/admin/org/unit/{selatan.pk}/change/"]:
        assert admin.goto(base + path).status == 200, path
        assert _style(admin, "#header", "display") == "flex", path  # the admin's own CSS
    admin.screenshot(path=str(ARTIFACTS / "csp-admin.png"))
    assert problems == []
