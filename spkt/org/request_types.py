"""Request types for the type checker (docs/adr/0048-types.md). Run-time requests stay Django's;
these say what the middleware and the desk's login check guarantee a view."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from spkt.org.models import User


class HtmxRequest(HttpRequest):
    """Any request: django-htmx's middleware sets ``request.htmx`` on every one."""

    htmx: HtmxDetails


class DeskRequest(HtmxRequest):
    """A request past ``desk_login_required`` (or ``login_required``): a signed-in officer."""

    user: User


def api_user(request: Request) -> User:
    """The officer of an API request: IsAuthenticated (the API's default permission, settings)
    has refused anyone else before the view runs. For the type checker only: no check here."""
    return cast("User", request.user)
