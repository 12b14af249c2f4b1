"""Writes for units and people."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from spkt.org.models import Personnel, Role, Unit, User


@transaction.atomic
def unit_create(*, parent: Unit | None = None, **fields: object) -> Unit:
    unit = Unit.objects.create(parent=parent, path="", **fields)
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    return unit


def roles_ensure() -> None:
    """Create the role groups (idempotent)."""
    for role in Role.values:
        Group.objects.get_or_create(name=role)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    unit: Unit | None,
    roles: list[str],
    personnel: Personnel | None = None,
    first_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        unit=unit,
        first_name=first_name,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    roles_ensure()
    user.groups.set(Group.objects.filter(name__in=roles))
    if personnel is not None:
        personnel.user = user
        personnel.save(update_fields=["user"])
    return user
