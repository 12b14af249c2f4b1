"""Typed readers for settings that come from the environment.

Each helper fails loudly with the variable's name when a value is present but malformed, so a bad
deployment stops at start-up instead of misbehaving at 02:00 in the middle of a shift.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_MISSING = object()


class ImproperEnvError(RuntimeError):
    pass


def _raw(name: str, default: object) -> str | object:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperEnvError(f"Environment variable {name} is required but not set.")
        return default
    return value


def env_str(name: str, default: str | object = _MISSING) -> str:
    return _raw(name, default)  # type: ignore[return-value]


def env_bool(name: str, default: bool | object = _MISSING) -> bool:
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperEnvError(f"{name} must be a boolean (true/false), got {value!r}.")


def env_int(name: str, default: int | object = _MISSING, *, minimum: int | None = None) -> int:
    value = _raw(name, default)
    try:
        number = int(value)  # type: ignore[call-overload]  # anything: int() says what it takes
    except (TypeError, ValueError):
        raise ImproperEnvError(f"{name} must be an integer, got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperEnvError(f"{name} must be at least {minimum}, got {number}.")
    return number


def env_list(name: str, default: list[str] | object = _MISSING, *, sep: str = ",") -> list[str]:
    value = _raw(name, default)
    if isinstance(value, list):
        return value
    items = [item.strip() for item in str(value).split(sep)]
    return [item for item in items if item]


def env_choice(name: str, choices: tuple[str, ...], default: str | object = _MISSING) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperEnvError(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def env_parsed(name: str, parse: Callable[[str], T], default: T | object = _MISSING) -> T:
    value = _raw(name, default)
    if value is default:
        return value  # type: ignore[return-value]
    try:
        return parse(value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ImproperEnvError(f"{name} is malformed: {exc}") from None
