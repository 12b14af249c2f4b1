"""Shared fixtures: two stations under one Polresta, and one persona per role (STYLE.md)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from spkt.documents.services import CitizenData, LostItem, sktlk_issue
from spkt.dutylog.models import Regu
from spkt.org.models import Pangkat, Personnel, Role, Unit, UnitKind
from spkt.org.services import unit_create, user_create

PASSWORD = "rahasia-uji-123"  # noqa: S105
# Debian's chromium, driven by Playwright (browser downloads are impossible here).
CHROMIUM = os.environ.get("SPKT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"  # screenshots to look at
# Every test runs at this instant unless SPKT_TEST_NOW names another (scripts/test.sh runs the
# suite again at awkward ones): an ordinary Tuesday morning after the 08:00 shift change, a few
# days after the dates the tests write by hand (lost_on=2026-11-26).
DEFAULT_TEST_NOW = "2026-12-01T10:00:00+08:00"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    clock_start()  # a bad SPKT_TEST_NOW stops the run before the first test
    vendor = "postgres" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    skip_browser = os.environ.get("SPKT_SKIP_BROWSER") == "1"
    skip_mail = os.environ.get("SPKT_SKIP_MAIL") == "1"
    keep, drop = [], []
    for item in items:
        other = "sqlite" if vendor == "postgres" else "postgres"
        if (
            item.get_closest_marker(other)
            or (skip_browser and item.get_closest_marker("browser"))
            or (skip_mail and item.get_closest_marker("mail"))
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def clock_start() -> datetime:
    """Where the test clock starts: SPKT_TEST_NOW (ISO 8601 with an offset) or the default."""
    raw = os.environ.get("SPKT_TEST_NOW") or DEFAULT_TEST_NOW
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise pytest.UsageError(f"SPKT_TEST_NOW={raw!r} is not an ISO 8601 date and time") from None
    if at.tzinfo is None:
        raise pytest.UsageError(f"SPKT_TEST_NOW={raw!r} needs an offset, e.g. +08:00")
    return at


def _clock_must_tick(item: pytest.Item) -> bool:
    # A frozen clock would stall a real browser, a live server or a test waiting on other threads.
    return bool(
        item.get_closest_marker("browser")
        or item.get_closest_marker("ticking")
        or "live_server" in getattr(item, "fixturenames", ())
    )


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: a rate-limit count or a "task queued" flag
    (core.queueing) left by another test would otherwise outlive it, the clock being frozen."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):  # never a shared server's data
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _frozen_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts at the same known instant, before anything logs in or reads "now".

    The whole process clock is moved (``time.time``, ``datetime.now``), so Django's sessions,
    signing and ``timezone.now()`` agree with ``spkt.core.clock``. The offset is kept as given (not
    a named zone) so time-machine leaves the process time zone alone. Tests may travel further
    with ``time_machine.travel`` or ``clock.travel``; both nest inside this one.
    """
    with time_machine.travel(clock_start(), tick=_clock_must_tick(request.node)):
        yield


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Under CI nothing may be skipped: a skip means a check did not run.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CI") == "true" and reporter and reporter.stats.get("skipped"):
        reporter.write_line("CI=true: skipped tests are not allowed; failing the run.", red=True)
        session.exitstatus = 1


def _unit(parent: Unit | None, code: str, name: str, kind: str, number: str, head: str) -> Unit:
    return unit_create(
        parent=parent,
        code=code,
        name=name,
        kind=kind,
        number_name=number,
        letterhead_name=head,
        head_title=f"KEPALA KEPOLISIAN {head}",
        city="Gorontalo",
    )


@pytest.fixture
def polda(db) -> Unit:
    return _unit(
        None, "polda", "Polda Gorontalo", UnitKind.POLDA, "POLDA GORONTALO", "DAERAH GORONTALO"
    )


@pytest.fixture
def polres(polda: Unit) -> Unit:
    return _unit(
        polda,
        "polresta",
        "Polresta Gorontalo Kota",
        UnitKind.POLRES,
        "POLRESTA GORONTALO KOTA",
        "RESOR GORONTALO KOTA",
    )


def _station(polres: Unit, code: str, name: str, nrp_base: int) -> Unit:
    unit = _unit(
        polres,
        code,
        f"Polsek {name}",
        UnitKind.POLSEK,
        f"POLSEK {name.upper()}",
        f"SEKTOR {name.upper()}",
    )
    head = Personnel.objects.create(
        unit=unit,
        name=f"Kepala Regu {name}",
        pangkat=Pangkat.IPTU,
        nrp=str(nrp_base),
        jabatan="Ka SPKT",
    )
    Regu.objects.create(unit=unit, name="Regu I", order=1, head=head).members.add(head)
    return unit


@pytest.fixture
def selatan(polres: Unit) -> Unit:
    return _station(polres, "kota-selatan", "Kota Selatan", 78040211)


@pytest.fixture
def utara(polres: Unit) -> Unit:
    return _station(polres, "kota-utara", "Kota Utara", 77050119)


def _user(name: str, unit: Unit, role: str):
    return user_create(username=name, password=PASSWORD, unit=unit, roles=[role], first_name=name)


@pytest.fixture
def petugas(selatan: Unit):
    return _user("petugas", selatan, Role.ANGGOTA_JAGA)


@pytest.fixture
def ka_spkt(selatan: Unit):
    return _user("ka_spkt", selatan, Role.KA_SPKT)


@pytest.fixture
def kapolsek(selatan: Unit):
    return _user("kapolsek", selatan, Role.KAPOLSEK)


@pytest.fixture
def reskrim(selatan: Unit):
    return _user("reskrim", selatan, Role.RESKRIM)


@pytest.fixture
def penilai(selatan: Unit):
    return _user("penilai", selatan, Role.PENILAI)


@pytest.fixture
def polres_staff(polres: Unit, selatan: Unit):
    return _user("polres_staff", polres, Role.PENILAI)


@pytest.fixture
def outsider(utara: Unit):
    return _user("outsider", utara, Role.ANGGOTA_JAGA)


def citizen_data(**overrides: object) -> CitizenData:
    fields: dict[str, Any] = {
        "name": "Rahma Suleman",
        "nik": "7571025506850003",
        "birth_place": "Gorontalo",
        "birth_date": date(1985, 6, 15),
        "gender": "P",
        "address": "Jl. Sultan Botutihe 12",
        "religion": "Islam",
        "occupation": "Pedagang",
        "phone": "081234567890",
    }
    fields.update(overrides)
    return CitizenData(**fields)


def issue(user, unit: Unit, **overrides: object):
    args = {
        "actor": user,
        "unit": unit,
        "citizen": citizen_data(),
        "items": [
            LostItem(kind="KTP", papers_checked=True),
            LostItem(kind="ATM", details="BRI", papers_checked=True),
        ],
        "lost_on": date(2026, 11, 26),
        "lost_place": "Pasar Sentral, Biawu",
        "idempotency_key": uuid.uuid4().hex,
    }
    args.update(overrides)
    return sktlk_issue(**args)


def sktlk_post_data(**overrides: str) -> dict[str, str]:
    data = {
        "idempotency_key": uuid.uuid4().hex,
        "name": "Rahma Suleman",
        "nik": "7571025506850003",
        "birth_place": "Gorontalo",
        "birth_date": "1985-06-15",
        "gender": "P",
        "religion": "Islam",
        "occupation": "Pedagang",
        "address": "Jl. Sultan Botutihe 12",
        "phone": "081234567890",
        "lost_on": "2026-11-26",
        "lost_place": "Pasar Sentral",
        "item_KTP": "on",
        "papers_KTP": "on",
        "detail_KTP": "",
    }
    data.update(overrides)
    return data


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def browser():
    """A headless chromium for the browser tests (marked ``browser``)."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM is used beside Playwright's loop
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        _accept_confirmations(instance)
        yield instance
        instance.close()


def _accept_confirmations(instance) -> None:
    """Actions that close or void ask the browser's confirm() (static/js/confirm.js); the
    officer walking a scene says yes. A test about the question itself sets
    ``page.spkt_own_dialogs = True`` and answers it."""

    def answer(dialog) -> None:
        if not getattr(dialog.page, "spkt_own_dialogs", False):
            dialog.accept()

    def watch(context):
        context.on("page", lambda page: page.on("dialog", answer))
        return context

    new_context = instance.new_context
    instance.new_context = lambda *a, **kw: watch(new_context(*a, **kw))
    new_page = instance.new_page

    def page_with_answer(*a, **kw):
        page = new_page(*a, **kw)
        page.on("dialog", answer)
        return page

    instance.new_page = page_with_answer
