"""Issue 12, item 7: lists show a document number compactly (type/seq/month/year), never broken
inside, with the full number on hover; the document and its PDF keep the full number."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from spkt.conftest import issue
from spkt.core.numbering import number_short

FULL = "SKTLK/9/XII/2026/SPKT/POLSEK KOTA SELATAN/POLRESTA GORONTALO KOTA/POLDA GORONTALO"


@pytest.mark.parametrize(
    ("number", "short"),
    [
        (FULL, "SKTLK/9/XII/2026"),
        ("LP/B/12/XII/2026/SPKT/POLSEK KOTA SELATAN", "LP/B/12/XII/2026"),
        ("STTLP/3/I/2027/SPKT/X", "STTLP/3/I/2027"),
        ("B/77/2026/SPKT", "B/77/2026"),
        ("KHUSUS-12", "KHUSUS-12"),  # a unit's own pattern without a year: whole
        ("2026/SKTLK/1", "2026/SKTLK/1"),  # a year first is not a prefix to cut at
    ],
)
def test_the_compact_form_ends_at_the_year(number: str, short: str) -> None:
    assert number_short(number) == short


def test_the_filter_keeps_the_full_number_on_hover() -> None:
    html = Template("{% load spkt_numbers %}{{ n|docnum }}").render(Context({"n": FULL}))
    assert html == (
        f'<span class="docnum" title="{FULL}" aria-label="{FULL}">SKTLK/9/XII/2026</span>'
    )
    evil = Template("{% load spkt_numbers %}{{ n|docnum }}").render(Context({"n": '<b>"/2026/x'}))
    assert "<b>" not in evil


def test_the_register_lists_compact_numbers_and_the_document_the_full_one(
    client: Client, petugas, selatan
) -> None:
    doc = issue(petugas, selatan)
    client.force_login(petugas)
    register = client.get(reverse("documents:register", args=["sktlk"])).content.decode()
    assert f'title="{doc.number}"' in register
    assert f">{number_short(doc.number)}</span>" in register
    assert f">{doc.number}<" not in register  # never the 80 characters in a cell
    detail = client.get(reverse("documents:detail", args=[doc.pk])).content.decode()
    assert doc.number in detail
