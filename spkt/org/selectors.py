"""Reads for units: which unit a page is about, within what the user may see."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from spkt.core.permissions import visible_units
from spkt.org.models import Unit


def unit_selected(request: HttpRequest) -> Unit:
    """The unit named by ``?unit=`` if the user may see it, else the user's own unit (404 when
    the id is malformed or out of sight: another station's id reveals nothing)."""
    raw = request.GET.get("unit")
    units = visible_units(request.user)
    if raw:
        if not raw.isdigit():
            raise Http404
        unit = units.filter(pk=int(raw)).first()
    else:
        unit = request.user.unit if request.user.unit_id else units.first()
    if unit is None:
        raise Http404
    return unit
