"""Concurrent issuance on PostgreSQL: numbers stay gap-free and unique."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from spkt.conftest import issue
from spkt.documents.models import Document


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_issuances_get_numbers_one_to_fifty(petugas, selatan) -> None:
    start = threading.Barrier(50)

    def one(_: int) -> str:
        try:
            start.wait(timeout=30)
            return issue(petugas, selatan, idempotency_key=uuid.uuid4().hex).number
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=50) as pool:
        numbers = list(pool.map(one, range(50)))
    assert len(set(numbers)) == 50
    seqs = sorted(Document.objects.filter(unit=selatan).values_list("seq", flat=True))
    assert seqs == list(range(1, 51))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_issues_one_document(petugas, selatan) -> None:
    key = uuid.uuid4().hex
    start = threading.Barrier(4)

    def one(_: int) -> int:
        try:
            start.wait(timeout=30)
            return issue(petugas, selatan, idempotency_key=key).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = set(pool.map(one, range(4)))
    assert len(ids) == 1
    assert Document.objects.count() == 1
