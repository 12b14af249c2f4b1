"""A unit's document number patterns: the national defaults and the check of a unit's own.

Patterns use these fields: ``{n}`` (running number), ``{roman_month}`` (issue month, I–XII),
``{month}``, ``{year}``, ``{unit_path}`` (e.g. ``POLSEK KOTA SELATAN/POLRESTA GORONTALO KOTA/POLDA
GORONTALO``). The counter resets each year, so every pattern must contain ``{n}`` and ``{year}``.
Numbers are taken and formatted by ``spkt.core.numbering``.
"""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
