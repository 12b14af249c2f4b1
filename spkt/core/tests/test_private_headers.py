"""Private stays private: no browser or proxy keeps a page, PDF, export or API answer with
personal data, and every response carries the Content-Security-Policy (ADR 0033)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from spkt.conftest import issue
from spkt.documents.services import document_pdf_ensure
from spkt.intake.services import Incoming, contact_receive

ROOT = Path(settings.BASE_DIR)


def csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_kind_of_response_carries_the_policy(client: Client, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    anonymous = [
        client.get(reverse("login")),
        client.get(reverse("portal:index")),
        client.get(reverse("portal:verify", args=[doc.verify_token])),
        client.get(reverse("portal:public-key", args=[selatan.code])),
        client.get("/tidak-ada/"),  # 404
        client.get(reverse("api:documents")),  # 401
        client.post(reverse("login"), {"username": "x"}),  # a refused form
    ]
    client.force_login(petugas)
    staff = [client.get(reverse("dashboard")), client.get(reverse("documents:pdf", args=[doc.pk]))]
    for response in anonymous + staff:
        policy = csp(response)
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["form-action"] == "'self'"
        assert policy["base-uri"] == "'none'"
        assert policy["object-src"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]


def test_staff_pages_pdfs_exports_and_the_api_are_not_stored(
    client: Client, petugas, selatan
) -> None:
    doc = issue(petugas, selatan)
    document_pdf_ensure(document_id=doc.pk)
    client.force_login(petugas)
    for url in [
        reverse("dashboard"),
        reverse("intake:inbox"),
        reverse("dutylog:today"),
        reverse("documents:detail", args=[doc.pk]),
        reverse("documents:pdf", args=[doc.pk]),
        reverse("documents:register", args=["sktlk"]) + "?format=csv",
        reverse("documents:register", args=["sktlk"]) + "?format=xlsx",
        reverse("api:documents"),
        reverse("portal:public-key", args=[selatan.code]),  # public, but asked with a session
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
        assert "public" not in response["Cache-Control"], url
    token = Token.objects.create(user=petugas)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")  # no session cookie at all
    response = api.get(reverse("api:document", args=[doc.pk]))
    assert response.status_code == 200
    assert no_store(response)


def test_the_inbox_poll_keeps_its_etag_but_is_not_stored(client: Client, petugas) -> None:
    client.force_login(petugas)
    first = client.get(reverse("intake:inbox"), HTTP_HX_REQUEST="true")
    again = client.get(
        reverse("intake:inbox"), HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    assert no_store(first)
    assert no_store(again)


def test_public_pages_with_personal_data_are_not_stored(client: Client, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    contact = contact_receive(
        unit=selatan, incoming=Incoming(channel="web", body="Jalan rusak", sender_name="Bu Ani")
    )
    for url in [
        reverse("portal:verify", args=[doc.verify_token]),
        reverse("intake:track", args=[contact.tracking_code]),
        reverse("portal:track", args=["TIDAKADA99"]),
        reverse("login"),
        reverse("portal:prereg", args=[selatan.code, "sktlk"]),
    ]:
        assert no_store(client.get(url)), url


def test_only_the_published_key_may_be_kept_by_a_proxy(client: Client, petugas, selatan) -> None:
    issue(petugas, selatan)  # creates the unit's key pair
    response = client.get(reverse("portal:public-key", args=[selatan.code]))
    assert response.status_code == 200
    assert not no_store(response)
    assert re.search(r"\bpublic\b", response["Cache-Control"])
    assert "max-age=3600" in response["Cache-Control"]


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("spkt/*/templates")]
INLINE = [
    (re.compile(r"<style", re.IGNORECASE), "an inline <style> block"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "a style attribute"),
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an on* event handler"),
    (re.compile(r"\shx-on", re.IGNORECASE), "an hx-on handler (needs eval)"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
]


@pytest.mark.parametrize(
    "path",
    sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_template_needs_inline_script_or_style(path: Path) -> None:
    text = path.read_text()
    for pattern, what in INLINE:
        found = pattern.search(text)
        assert found is None, f"{path.relative_to(ROOT)} has {what}: {found.group(0)!r}"
