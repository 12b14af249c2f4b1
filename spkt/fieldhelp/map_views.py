"""The map of open tasks and the positions their teams last reported (Leaflet, from npm).

The page lists the same points as a table, so it is complete without tiles or without script.
Background tiles come from ``SPKT_MAP_TILE_URL`` (none when empty); the page's Content-Security-
Policy admits images from that origin only."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from spkt.core.decorators import desk_login_required
from spkt.core.middleware import csp_header
from spkt.core.timeutil import local
from spkt.fieldhelp.selectors import MAP_LIMIT, map_points
from spkt.org.permissions import Action, require
from spkt.org.request_types import DeskRequest
from spkt.org.selectors import unit_selected


def tile_origin() -> str:
    parts = urlsplit(settings.SPKT_MAP_TILE_URL)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


@desk_login_required
@require_GET
def task_map(request: DeskRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.MUTASI_VIEW, unit)
    points = map_points(unit=unit)
    data = [
        {
            "id": p.task.pk,
            "label": f"{p.task.type.label} — {p.task.address}",
            "status": p.task.get_status_display(),
            "url": reverse("fieldhelp:detail", args=[p.task.pk]),
            "lat": p.lat,
            "lon": p.lon,
            "seen": [p.seen_lat, p.seen_lon] if p.seen_lat is not None else None,
            "seen_at": local(p.seen_at).strftime("%H:%M") if p.seen_at else "",
            "accuracy": p.accuracy_m,
        }
        for p in points
    ]
    origin = tile_origin()
    response = render(
        request,
        "fieldhelp/map.html",
        {
            "unit": unit,
            "points": points,
            "data": data,
            "located": sum(1 for d in data if d["lat"] is not None or d["seen"]),
            "limit": MAP_LIMIT,
            "tiles": settings.SPKT_MAP_TILE_URL if origin else "",
            "attribution": settings.SPKT_MAP_ATTRIBUTION,
            # Where the unit is: the mean of the points, else Gorontalo's centre (0.54, 123.06).
            "centre": _centre(data),
        },
    )
    if origin:
        policy = {key: list(value) for key, value in settings.SECURE_CSP.items()}
        policy["img-src"] = [*policy.get("img-src", []), origin]
        response["Content-Security-Policy"] = csp_header(policy)
    return response


def _centre(data: list[dict]) -> list[float]:
    coords = [(d["lat"], d["lon"]) for d in data if d["lat"] is not None]
    coords += [tuple(d["seen"]) for d in data if d["seen"]]
    if not coords:
        return [0.5435, 123.0568]
    return [sum(c[0] for c in coords) / len(coords), sum(c[1] for c in coords) / len(coords)]
