"""The arithmetic of the Indeks Kepuasan Masyarakat (PermenPANRB 14/2017). Pure: no database.

- NRR per element (unsur) = sum of its scores ÷ number of answers (every answer scores all nine).
- Weighted NRR = NRR × 1/9. The regulation prints the weight as 0.111; we use the exact fraction
  1/9 (``fractions.Fraction``), so nine perfect scores give exactly 100.00 and not 99.90, and the
  result does not depend on how many decimals a spreadsheet kept. The difference to 0.111 is at
  most 0.1 on the converted scale (4 × 9 × 0.000111… × 25).
- IKM = Σ weighted NRR × 25 (range 25–100), kept exact until it is rounded once, half up, to two
  decimals. The category is read from that rounded value: the conversion table's classes
  (D 25.00–64.99, C 65.00–76.60, B 76.61–88.30, A 88.31–100.00) then have no gap, and a raw 64.995
  (which prints as 65.00) is C, as the published figure says.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

ELEMENTS = 9
WEIGHT = Fraction(1, ELEMENTS)
SCALE = 25
CENT = Decimal("0.01")

# (lowest converted IKM of the class, category, performance), best first.
CATEGORIES = (
    (Decimal("88.31"), "A", _("Sangat Baik")),
    (Decimal("76.61"), "B", _("Baik")),
    (Decimal("65.00"), "C", _("Kurang Baik")),
    (Decimal("25.00"), "D", _("Tidak Baik")),
)


def _round(value: Fraction, places: Decimal = CENT) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(places, rounding=ROUND_HALF_UP)


def category_of(ikm: Decimal) -> tuple[str, str]:
    """(category, performance label) of a converted IKM already rounded to two decimals."""
    for lowest, category, label in CATEGORIES:
        if ikm >= lowest:
            return category, str(label)
    return "D", str(CATEGORIES[-1][2])


@dataclass(frozen=True)
class IkmResult:
    responses: int
    nrr: tuple[Decimal, ...]  # per element, 2 decimals (as printed)
    nrr_weighted: tuple[Decimal, ...]  # per element, 3 decimals (as printed)
    nrr_weighted_total: Decimal  # Σ weighted NRR (the NI on the 1–4 scale), 3 decimals
    ikm: Decimal  # converted, 25–100, 2 decimals
    category: str
    performance: str


def ikm_compute(sums: Sequence[int], responses: int) -> IkmResult | None:
    """The index from the nine per-element sums of ``responses`` answers; None for no answers
    ("no data", never a division by zero)."""
    if len(sums) != ELEMENTS:
        raise ValueError(f"expected {ELEMENTS} element sums, got {len(sums)}")
    if responses <= 0:
        return None
    nrr = [Fraction(s, responses) for s in sums]
    weighted = [n * WEIGHT for n in nrr]
    total = sum(weighted, Fraction(0))
    ikm = _round(total * SCALE)
    category, performance = category_of(ikm)
    return IkmResult(
        responses=responses,
        nrr=tuple(_round(n) for n in nrr),
        nrr_weighted=tuple(_round(w, Decimal("0.001")) for w in weighted),
        nrr_weighted_total=_round(total, Decimal("0.001")),
        ikm=ikm,
        category=category,
        performance=performance,
    )


# Krejcie, R. V. & Morgan, D. W. (1970), "Determining sample size for research activities",
# Educational and Psychological Measurement 30, 607–610: s = χ²·N·P(1−P) / (d²(N−1) + χ²·P(1−P)),
# χ² = 3.841 (1 degree of freedom, 95 %), P = 0.5, d = 0.05. PermenPANRB 14/2017 points to the
# Krejcie–Morgan table for the minimum number of respondents. The published table rounds to the
# nearest respondent (N=50 → 44); we round up, so the minimum is never below the formula's value.
CHI_SQUARE = Fraction("3.841")
PROPORTION = Fraction(1, 2)
MARGIN = Fraction(5, 100)


def minimum_sample(population: int) -> int:
    """The minimum number of respondents for ``population`` services, rounded up."""
    if population <= 0:
        return 0
    spread = CHI_SQUARE * PROPORTION * (1 - PROPORTION)
    n = spread * population / (MARGIN**2 * (population - 1) + spread)
    return min(population, math.ceil(n))
