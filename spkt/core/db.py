"""Small database helpers shared by the invariants."""

from __future__ import annotations

from typing import TypeVar

from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)


def locked_get_or_create(model: type[M], *, defaults: dict | None = None, **keys: object) -> M:
    """Return the row for ``keys`` locked FOR UPDATE, creating it if missing.

    Two transactions creating the same row race on the unique constraint: the loser's insert waits
    for the winner's commit, fails, and then takes the lock on the winner's row.
    Must run inside a transaction.
    """
    manager = model._default_manager
    try:
        return manager.select_for_update().get(**keys)
    except model.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return manager.create(**keys, **(defaults or {}))
    except IntegrityError:
        return manager.select_for_update().get(**keys)
