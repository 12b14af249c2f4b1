"""``{{ user|person }}``: an officer by rank and name (spkt.org.people.person_label)."""

from __future__ import annotations

from django import template

from spkt.org.people import person_label

register = template.Library()


@register.filter
def person(user) -> str:
    return person_label(user, empty="—")
