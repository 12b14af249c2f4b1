"""A refused service call (``ValidationError``) shown to the user, the same way on every page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def messages_text(exc: ValidationError, sep: str = " ") -> str:
    """All of the error's messages as one line."""
    return sep.join(exc.messages)


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Each of the error's messages as its own error message on the next page."""
    for message in exc.messages:
        messages.error(request, message)
