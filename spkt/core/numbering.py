"""Official document numbers: one gap-free counter per (unit, type, year), formatted by the
unit's pattern (the patterns and their check live with the unit: ``spkt.org.number_patterns``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from spkt.core.db import locked_get_or_create
from spkt.core.models import DocumentCounter
from spkt.core.timeutil import local
from spkt.org.models import Unit

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def unit_path(unit: Unit, chain: list[Unit] | None = None) -> str:
    chain = chain if chain is not None else unit.ancestors_and_self()
    return "/".join(u.number_name for u in reversed(chain))


def number_format(
    *, unit: Unit, doc_type: str, n: int, issued_at: datetime, path: str | None = None
) -> str:
    pattern = unit.number_pattern(doc_type)
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
    n = _increment(unit.pk, doc_type, year)
    if n is None:  # the year's first number: the row is made (a racing maker waits), then taken
        locked_get_or_create(
            DocumentCounter, unit=unit, doc_type=doc_type, year=year, defaults={"last_number": 0}
        )
        n = _increment(unit.pk, doc_type, year)
        if n is None:  # the row exists and this transaction holds its lock: cannot happen
            raise RuntimeError(f"document counter {unit.pk}/{doc_type}/{year} vanished")
    return year, n


# The ORM has no UPDATE ... RETURNING: one statement takes the next number and the row's lock
# until commit, instead of a locking read and an update, under the book lock every issue holds.
# Plain SQL that PostgreSQL and SQLite (3.35+) both run; a test pins the table and column names.
INCREMENT_SQL = (
    'UPDATE "core_documentcounter" SET "last_number" = "last_number" + 1 '
    'WHERE "unit_id" = %s AND "doc_type" = %s AND "year" = %s RETURNING "last_number"'
)


def _increment(unit_id: int, doc_type: str, year: int) -> int | None:
    """``last_number + 1`` of the counter row; None when the row does not exist yet."""
    with connection.cursor() as cursor:
        cursor.execute(INCREMENT_SQL, [unit_id, doc_type, year])
        row = cursor.fetchone()
    return None if row is None else int(row[0])
