"""How a person is named on screen and in exports: rank and name ("BRIPKA Yusuf Tangahu") for an
officer with a personnel record, else the account's full name, else its username. One rule for
every page (issue 12: people, not usernames)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from spkt.org.models import User


def person_label(user: User | None, *, empty: str | None = None) -> str:
    if user is None:
        return _("(tidak tercatat)") if empty is None else empty
    person = getattr(user, "personnel", None)
    if person is not None:
        return str(person)
    return user.get_full_name() or user.get_username()
