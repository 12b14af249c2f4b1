"""``{{ doc.number|docnum }}``: a document number as lists show it — compact, never broken inside
(``white-space: nowrap``), the full number on hover and for screen readers. Documents and PDFs
keep the full number."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from spkt.core.numbering import number_short

register = template.Library()


@register.filter
def docnum(number: str | None) -> str:
    if not number:
        return "—"
    short = number_short(number)
    if short == number:
        return format_html('<span class="docnum">{}</span>', number)
    return format_html(
        '<span class="docnum" title="{}" aria-label="{}">{}</span>', number, number, short
    )
