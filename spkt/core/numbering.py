"""Official document numbers: one gap-free counter per (unit, type, year), formatted by the
unit's pattern.

Patterns use these fields: ``{n}`` (running number), ``{roman_month}`` (issue month, I–XII),
``{month}``, ``{year}``, ``{unit_path}`` (e.g. ``POLSEK KOTA SELATAN/POLRESTA GORONTALO KOTA/POLDA
GORONTALO``). The counter resets each year, so every pattern must contain ``{n}`` and ``{year}``.
"""

from __future__ import annotations

import string
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from spkt.core.db import locked_get_or_create
from spkt.core.models import DocumentCounter
from spkt.core.timeutil import local
from spkt.org.models import Unit

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
FIELDS = frozenset({"n", "roman_month", "month", "year", "unit_path"})
REQUIRED = frozenset({"n", "year"})

# Observed national practice (DOMAIN.md §a, SKEP KEP/464/II/2021); a unit may override per type.
DEFAULT_PATTERNS = {
    "LP_A": "LP/A/{n}/{roman_month}/{year}/SPKT/{unit_path}",
    "LP_B": "LP/B/{n}/{roman_month}/{year}/SPKT/{unit_path}",
    "STTLP": "STTLP/{n}/{roman_month}/{year}/SPKT/{unit_path}",
    "SKTLK": "SKTLK/{n}/{roman_month}/{year}/SPKT/{unit_path}",
}


def pattern_validate(pattern: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        raise ValidationError(_("Pola nomor tidak valid: %(error)s") % {"error": exc}) from None
    unknown = names - FIELDS
    if unknown:
        raise ValidationError(
            _("Pola nomor memakai kolom yang tidak dikenal: %(names)s")
            % {"names": ", ".join(sorted(unknown))}
        )
    missing = REQUIRED - names
    if missing:
        raise ValidationError(
            _("Pola nomor wajib memuat: %(names)s")
            % {"names": ", ".join("{" + n + "}" for n in sorted(missing))}
        )


def unit_path(unit: Unit, chain: list[Unit] | None = None) -> str:
    chain = chain if chain is not None else unit.ancestors_and_self()
    return "/".join(u.number_name for u in reversed(chain))


def number_format(
    *, unit: Unit, doc_type: str, n: int, issued_at: datetime, path: str | None = None
) -> str:
    pattern = unit.number_patterns.get(doc_type) or DEFAULT_PATTERNS[doc_type]
    when = local(issued_at)
    return pattern.format(
        n=n,
        roman_month=ROMAN_MONTHS[when.month - 1],
        month=f"{when.month:02d}",
        year=when.year,
        unit_path=path if path is not None else unit_path(unit),
    )


def number_short(number: str) -> str:
    """The compact form lists show: type, sequence, month and year ("SKTLK/9/XII/2026"), i.e. the
    number up to its year; the unit path after it is the same on every row of a unit's list. A
    number without a year segment (a unit's own pattern) is shown whole."""
    parts = number.split("/")
    for i, part in enumerate(parts):
        if len(part) == 4 and part.isdigit() and 2000 <= int(part) <= 2100 and i > 0:
            return "/".join(parts[: i + 1])
    return number


def number_next(*, unit: Unit, doc_type: str, issued_at: datetime) -> tuple[int, int]:
    """Take the next number for the year of ``issued_at`` (local time). Call inside the transaction
    that inserts the document: the counter row stays locked until it commits or rolls back."""
    year = local(issued_at).year
    counter = locked_get_or_create(
        DocumentCounter, unit=unit, doc_type=doc_type, year=year, defaults={"last_number": 0}
    )
    n = counter.last_number + 1
    DocumentCounter.objects.filter(pk=counter.pk).update(last_number=n)
    return year, n
