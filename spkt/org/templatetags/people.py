"""``{{ user|person }}``: an officer by rank and name (spkt.org.people.person_label)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from spkt.org.people import person_label

if TYPE_CHECKING:
    from spkt.org.models import User

register = template.Library()


@register.filter
def person(user: User | None) -> str:
    return person_label(user, empty="—")
