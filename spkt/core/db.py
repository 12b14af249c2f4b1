"""Small database helpers shared by the invariants."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, connections, models, transaction

M = TypeVar("M", bound=models.Model)


def locked_get_or_create(
    model: type[M], *, defaults: dict[str, Any] | None = None, **keys: object
) -> M:
    """Return the row for ``keys`` locked FOR UPDATE, creating it if missing.

    Two transactions creating the same row race on the unique constraint: the loser's insert waits
    for the winner's commit, fails, and then takes the lock on the winner's row.
    Must run inside a transaction.
    """
    manager = model._default_manager
    try:
        return manager.select_for_update().get(**keys)
    except ObjectDoesNotExist:  # model.DoesNotExist: only this model's get() runs here
        pass
    try:
        with transaction.atomic():
            return manager.create(**keys, **(defaults or {}))
    except IntegrityError:
        return manager.select_for_update().get(**keys)


def fast_values(
    qs: models.QuerySet[Any, tuple[Any, ...]], *, chunk: int
) -> Iterator[tuple[Any, ...]]:
    """The value tuples of a ``values_list`` queryset, streamed, for scans over millions of rows.

    On PostgreSQL they come through a server-side cursor that loads ``timestamptz`` with
    psycopg's own (C) loader: Django's replacement is a Python subclass that costs more than the
    rest of the fetch (verify_ledger over a million entries, bench/ledger.py). Its values are the
    same aware instants (in the session's zone). Django's field converters still apply.
    """
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        yield from qs.iterator(chunk_size=chunk)
        return
    from psycopg.types.datetime import TimestamptzLoader

    compiler = qs.query.get_compiler(qs.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([col for col, _, _ in compiler.select])
    connection.ensure_connection()
    with connection.connection.cursor(
        name=f"spkt_scan_{uuid.uuid4().hex}", withhold=connection.get_autocommit()
    ) as cursor:
        cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.itersize = chunk
        cursor.execute(sql, params)
        rows: Iterable[tuple[Any, ...]] = cursor
        if converters:
            rows = compiler.apply_converters(rows, converters)
        yield from rows
