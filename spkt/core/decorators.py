"""The one login check of the desk's pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

_R = TypeVar("_R", bound=HttpResponseBase)


def desk_login_required(view: Callable[..., _R]) -> Callable[..., _R | HttpResponse]:
    """``login_required`` that also ends an HTMX request (a polled list or card) cleanly: an
    expired session sends the whole page to the login form (``HX-Redirect``) instead of swapping
    the form into the list."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> _R | HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        htmx = getattr(request, "htmx", None)
        if htmx:
            current = htmx.current_url_abs_path or request.get_full_path()
            login = resolve_url(settings.LOGIN_URL) + "?" + urlencode({"next": current})
            return HttpResponseClientRedirect(login)
        return redirect_to_login(request.get_full_path())

    return wrapper
