"""Schemathesis over /api/schema/: generated requests, valid and invalid, to every operation of the
API, as a desk officer of the demo station. No answer may be a 5xx, and every answer must be one the
schema documents, of the documented type and shape (RFC 3339 date-times included).

Deterministic (``derandomize``) and bounded (``EXAMPLES`` per operation and mode), so it takes
seconds and fails the same way on every run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.db.models import QuerySet
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from spkt.demo import seed_all
from spkt.documents.models import Document
from spkt.dutylog.models import Mutasi
from spkt.intake.models import Contact

EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


@pytest.fixture
def wsgi_app(db) -> Iterator:
    """Django's own WSGI application, in this test's transaction: like Django's test client, the
    handler must not close the connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def desk_officer(wsgi_app):
    seed_all()
    return get_user_model().objects.get(username="jaga")  # a desk officer of the demo station


def operations(schema) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    assert found, "the schema lists no operation"
    return found


def strategy(operation, mode, user):
    """Generated requests, some of them aimed at the day's real rows: a random id or unit is
    almost always a 404, which would leave the code behind it untried."""
    variants: list[dict[str, Any]] = [{}]
    ids: dict[str, QuerySet[Any]] = {
        "/api/documents/{id}": Document.objects.filter(unit=user.unit),
        "/api/mutasi/{id}": Mutasi.objects.filter(unit=user.unit),
        "/api/contacts/{id}": Contact.objects.filter(unit=user.unit).order_by("pk"),
    }
    for prefix, rows in ids.items():
        if operation.path.startswith(prefix):
            variants += [
                {"path_parameters": {"id": pk}} for pk in rows.values_list("pk", flat=True)[:3]
            ]
    if any(p.name == "unit" for p in operation.query):
        variants.append({"query": {"unit": user.unit.pk}})
    return st.one_of(
        [operation.as_strategy(generation_mode=mode, **variant) for variant in variants]
    )


def test_the_api_keeps_to_its_schema(wsgi_app, desk_officer) -> None:
    token = Token.objects.get_or_create(user=desk_officer)[0].key
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, headers=headers)
    failures: list[str] = []
    run = 0
    for operation in operations(schema):
        for mode in MODES:

            @given(case=strategy(operation, mode, desk_officer))
            @hypothesis_settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def check(case) -> None:
                nonlocal run
                run += 1
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except (AssertionError, FailureGroup) as exc:  # the failure, shrunk by Hypothesis
                failures.append(f"{operation.label} [{mode.value}]: {exc}"[:2000])
            except Unsatisfiable:
                assert mode == MODES[1], operation.label  # no invalid request exists for it

    print(f"schemathesis: {run} requests")
    assert not failures, "\n\n".join(failures)
