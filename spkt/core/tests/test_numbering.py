from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from spkt.core.numbering import number_format, number_next
from spkt.org.models import Unit
from spkt.org.number_patterns import pattern_validate


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    # 00:30 WITA on 1 January is still 31 December in UTC: the year comes from local time.
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_it_formats_the_official_sktlk_number(selatan: Unit) -> None:
    number = number_format(unit=selatan, doc_type="SKTLK", n=7, issued_at=utc(2026, 11, 27, 2))
    assert number == (
        "SKTLK/7/XI/2026/SPKT/POLSEK KOTA SELATAN/POLRESTA GORONTALO KOTA/POLDA GORONTALO"
    )


def test_it_formats_lp_model_b(selatan: Unit) -> None:
    number = number_format(unit=selatan, doc_type="LP_B", n=12, issued_at=utc(2026, 11, 1, 1))
    assert (
        number == "LP/B/12/XI/2026/SPKT/POLSEK KOTA SELATAN/POLRESTA GORONTALO KOTA/POLDA GORONTALO"
    )


def test_a_unit_may_override_the_pattern(selatan: Unit) -> None:
    selatan.number_patterns = {"SKTLK": "SKTLK/{n}/{roman_month}/{year}/SEK.KS"}
    assert number_format(unit=selatan, doc_type="SKTLK", n=3, issued_at=utc(2026, 5, 2)) == (
        "SKTLK/3/V/2026/SEK.KS"
    )


@pytest.mark.parametrize(
    "pattern",
    ["SKTLK/{n}/{roman_month}", "SKTLK/{year}", "SKTLK/{n}/{year}/{unknown}", "{n}/{year"],
)
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValidationError):
        pattern_validate(pattern)


@pytest.mark.django_db(transaction=True)
def test_counter_runs_per_unit_and_type_and_resets_each_year(selatan: Unit, utara: Unit) -> None:
    def take(unit: Unit, doc_type: str, at: datetime) -> tuple[int, int]:
        with transaction.atomic():
            return number_next(unit=unit, doc_type=doc_type, issued_at=at)

    assert take(selatan, "SKTLK", utc(2026, 12, 31, 15)) == (2026, 1)  # 23:00 WITA, 31 Dec
    assert take(selatan, "SKTLK", utc(2026, 12, 31, 15, 30)) == (2026, 2)
    assert take(selatan, "SKTLK", utc(2026, 12, 31, 16, 30)) == (2027, 1)  # 00:30 WITA, 1 Jan
    assert take(selatan, "LP_B", utc(2026, 12, 31, 15)) == (2026, 1)
    assert take(utara, "SKTLK", utc(2026, 12, 31, 15)) == (2026, 1)
    assert take(selatan, "SKTLK", utc(2026, 12, 31, 15, 45)) == (2026, 3)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_issue_gives_its_number_back(selatan: Unit) -> None:
    at = utc(2026, 6, 1, 3)
    with transaction.atomic():
        assert number_next(unit=selatan, doc_type="SKTLK", issued_at=at) == (2026, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        number_next(unit=selatan, doc_type="SKTLK", issued_at=at)
        raise RuntimeError("document insert failed")
    with transaction.atomic():
        assert number_next(unit=selatan, doc_type="SKTLK", issued_at=at) == (2026, 2)


def test_the_raw_increment_names_the_counter_table_and_columns_as_the_model_does() -> None:
    from spkt.core.models import DocumentCounter
    from spkt.core.numbering import INCREMENT_SQL

    meta = DocumentCounter._meta
    assert f'UPDATE "{meta.db_table}"' in INCREMENT_SQL
    for name in ("unit", "doc_type", "year", "last_number"):
        assert f'"{meta.get_field(name).column}"' in INCREMENT_SQL


def test_a_number_is_one_statement_once_the_years_counter_exists(
    selatan: Unit, django_assert_num_queries
) -> None:
    with transaction.atomic():
        assert number_next(unit=selatan, doc_type="SKTLK", issued_at=utc(2026, 6, 1)) == (2026, 1)
        with django_assert_num_queries(1):
            assert number_next(unit=selatan, doc_type="SKTLK", issued_at=utc(2026, 6, 2)) == (
                2026,
                2,
            )
