"""The Buku Mutasi of the current shift (read-only here; writing by hand comes with the roster)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spkt.core.permissions import Action, require
from spkt.dutylog.selectors import shift_covering, shift_entries
from spkt.org.selectors import unit_selected


@login_required
def mutasi_today(request: HttpRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.MUTASI_VIEW, unit)
    shift = shift_covering(unit=unit)
    entries = list(shift_entries(shift=shift)) if shift else []
    context = {"unit": unit, "shift": shift, "entries": entries}
    template = "dutylog/today.html#entries" if request.htmx else "dutylog/today.html"
    return render(request, template, context)
