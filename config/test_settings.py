"""Settings for the test suite: the regular settings with SPKT_ENV=test."""

import os
import sys
from types import FrameType

os.environ["SPKT_ENV"] = "test"

from config.settings import *  # noqa: F403


class UndefinedTemplateVariableError(Exception):
    """A template of ours used a variable its context does not hold (a 500 in production)."""


class _FailOnUndefined(str):
    """``string_if_invalid`` for the suite: a missing variable in one of our templates (under
    templates/) raises instead of printing nothing. Everywhere else it behaves as Django's default
    "": in third-party templates (admin, DRF), and where Django hands the value back for a lookup
    that fails silently (a missing reverse one-to-one in ``{% if contact.letter %}``)."""

    def __bool__(self) -> bool:
        # FilterExpression.resolve asks "is string_if_invalid set?" before it formats the name
        # into it; answering no elsewhere keeps Django's behaviour (filters still run on "").
        caller = sys._getframe(1).f_code.co_qualname
        return caller == "FilterExpression.resolve" and _in_our_template()

    def __contains__(self, key: object) -> bool:
        return key == "%s"

    def __mod__(self, name: object) -> str:
        if _in_our_template():
            raise UndefinedTemplateVariableError(f"Undefined variable '{name}' in {_origin()}")
        return ""


def _origin() -> str:
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_name != "render_annotated":
        frame = frame.f_back
    node = frame.f_locals.get("self") if frame is not None else None
    return str(getattr(getattr(node, "origin", None), "name", ""))


def _in_our_template() -> bool:
    return _origin().startswith(str(BASE_DIR / "templates"))  # noqa: F405


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = _FailOnUndefined("")  # type: ignore[index]  # noqa: F405

# The suite's ``flush`` empties append-only tables that PostgreSQL refuses to TRUNCATE
# (config/testing); production never installs it.
INSTALLED_APPS = [*INSTALLED_APPS, "config.testing"]  # noqa: F405
# The second factor is tested where it is the subject (spkt/accounts/tests/test_second_factor.py);
# elsewhere tests sign in with the password alone, whatever the environment says.
SPKT_SECOND_FACTOR = False
# Links in the suite do not depend on the test client's host.
SPKT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
# No tiles from the internet in the suite (the map's own test sets a local tile URL).
SPKT_MAP_TILE_URL = ""
