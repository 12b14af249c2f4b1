"""Reads for units: which unit a page is about, within what the user may see."""

from __future__ import annotations

from typing import cast

from django.http import Http404
from rest_framework.request import Request

from spkt.org.models import Unit, User
from spkt.org.permissions import visible_units
from spkt.org.request_types import DeskRequest


def unit_selected(request: DeskRequest | Request) -> Unit:
    """The unit named by ``?unit=`` if the user may see it, else the user's own unit (404 when
    the id is malformed or out of sight: another station's id reveals nothing)."""
    raw = request.GET.get("unit")
    user = cast("User", request.user)  # past a login check, either kind
    units = visible_units(user)
    if raw:
        if not raw.isdigit():
            raise Http404
        unit = units.filter(pk=int(raw)).first()
    else:
        unit = user.unit if user.unit_id else units.first()
    if unit is None:
        raise Http404
    return unit
