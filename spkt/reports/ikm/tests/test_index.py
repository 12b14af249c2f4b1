from decimal import Decimal

import pytest

from spkt.reports.ikm.index import category_of, ikm_compute, minimum_sample


def test_a_worked_example_matches_the_hand_computation() -> None:
    # Four respondents, nine elements each:
    #   R1: 4 4 3 4 3 4 4 3 3
    #   R2: 3 3 3 4 3 3 4 3 2
    #   R3: 4 3 2 4 3 4 4 3 3
    #   R4: 3 3 3 4 4 3 3 2 3
    # Sums per element: 14 13 11 16 13 14 15 11 11 (total 118).
    # NRR = sum / 4: 3.50 3.25 2.75 4.00 3.25 3.50 3.75 2.75 2.75.
    # Weighted NRR = NRR / 9, e.g. 3.50 / 9 = 0.3888… → 0.389; 4.00 / 9 = 0.4444… → 0.444.
    # Σ weighted = 118 / (4 × 9) = 3.2777… → 3.278.
    # IKM = 3.2777… × 25 = 81.9444… → 81.94: between 76.61 and 88.30, so B (Baik).
    # (With the printed weight 0.111: 29.5 × 0.111 × 25 = 81.86 — same category.)
    result = ikm_compute([14, 13, 11, 16, 13, 14, 15, 11, 11], 4)
    assert result is not None
    assert result.responses == 4
    assert result.nrr == tuple(
        Decimal(v) for v in ["3.50", "3.25", "2.75", "4.00", "3.25", "3.50", "3.75", "2.75", "2.75"]
    )
    assert result.nrr_weighted[0] == Decimal("0.389")
    assert result.nrr_weighted[3] == Decimal("0.444")
    assert result.nrr_weighted_total == Decimal("3.278")
    assert result.ikm == Decimal("81.94")
    assert (result.category, result.performance) == ("B", "Baik")


def test_the_extremes_are_25_and_100() -> None:
    best = ikm_compute([4 * 7] * 9, 7)
    worst = ikm_compute([7] * 9, 7)
    assert (best.ikm, best.category, best.performance) == (Decimal("100.00"), "A", "Sangat Baik")
    assert (worst.ikm, worst.category, worst.performance) == (Decimal("25.00"), "D", "Tidak Baik")


@pytest.mark.parametrize(
    ("ikm", "category"),
    [
        ("64.99", "D"),
        ("65.00", "C"),
        ("76.60", "C"),
        ("76.61", "B"),
        ("88.30", "B"),
        ("88.31", "A"),
    ],
)
def test_the_conversion_table_boundaries(ikm: str, category: str) -> None:
    assert category_of(Decimal(ikm))[0] == category


def test_a_value_between_64_99_and_65_00_is_rounded_first_then_classified() -> None:
    # 1000 answers with sums 8 × 2600 + 2599 = 23 399: IKM = 25 × 23 399 / 9000 = 64.9972… → 65.00 → C.
    up = ikm_compute([2600] * 8 + [2599], 1000)
    assert (up.ikm, up.category) == (Decimal("65.00"), "C")
    # Two points fewer, 23 397: 64.9916… → 64.99 → D.
    down = ikm_compute([2600] * 7 + [2599, 2598], 1000)
    assert (down.ikm, down.category) == (Decimal("64.99"), "D")


def test_no_answers_is_no_data_not_a_division_by_zero() -> None:
    assert ikm_compute([0] * 9, 0) is None


def test_nine_sums_are_required() -> None:
    with pytest.raises(ValueError, match="9"):
        ikm_compute([4] * 8, 1)


@pytest.mark.parametrize(
    ("population", "sample"),
    # Krejcie & Morgan (1970), table 1: 10 → 10, 100 → 80, 200 → 132, 1000 → 278. The table rounds
    # to the nearest whole respondent; we round up (the brief's rule), so where the fraction is
    # below one half the minimum is one more than the table: 50 → 44.3 → 45, 500 → 217.5 → 218.
    [(10, 10), (50, 45), (100, 80), (200, 132), (500, 218), (1000, 278), (0, 0), (1, 1)],
)
def test_the_minimum_sample_follows_krejcie_morgan(population: int, sample: int) -> None:
    assert minimum_sample(population) == sample
