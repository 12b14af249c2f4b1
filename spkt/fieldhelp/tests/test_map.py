"""The map of open tasks: the list works without tiles; the tile origin is the only one admitted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.fieldhelp.services import task_clear, task_dispatch, task_status
from spkt.org.models import Role
from spkt.org.services import user_create

URL = reverse("fieldhelp:map")


@pytest.fixture
def located(task, ka_spkt, on_duty, selatan):
    task.lat, task.lon = Decimal("0.541200"), Decimal("123.059500")
    task.save(update_fields=["lat", "lon"])
    officer = on_duty[-1]
    user = user_create(
        username="patroli1",
        password=PASSWORD,
        unit=selatan,
        roles=[Role.ANGGOTA_JAGA],
        personnel=officer,
    )
    task_dispatch(actor=ka_spkt, task=task, personnel=[officer])
    task_status(
        actor=user, task=task, status="en_route", lat="0.530000", lon="123.050000", accuracy_m=15
    )
    return task


def test_the_list_shows_place_and_last_reported_position(client, located, petugas) -> None:
    client.force_login(petugas)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-task-id="{located.pk}"' in html
    assert "0,54120, 123,05950" in html or "0.54120, 123.05950" in html
    assert "±15 m" in html
    # No tiles configured in the suite: nothing but the app's own origin for images.
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]


def test_a_cleared_task_leaves_the_map(client, located, ka_spkt, petugas) -> None:
    task_clear(actor=ka_spkt, task=located)
    client.force_login(petugas)
    assert f'data-task-id="{located.pk}"' not in client.get(URL).content.decode()


@override_settings(SPKT_MAP_TILE_URL="https://tiles.polda.example/{z}/{x}/{y}.png")
def test_the_tile_server_is_the_only_origin_added(client, petugas) -> None:
    client.force_login(petugas)
    policy = client.get(URL)["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.polda.example;" in policy
    assert "script-src 'self';" in policy


def test_another_station_cannot_see_the_map(client, located, outsider, selatan) -> None:
    client.force_login(outsider)
    assert client.get(URL, {"unit": selatan.pk}).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_map_draws_the_task_and_the_team_without_tiles(
    browser, live_server, located, petugas
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/masuk/")
    page.fill("input[name=username]", petugas.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.goto(live_server.url + URL)
    page.wait_for_selector("#field-map.leaflet-container")
    page.wait_for_selector("#field-map[data-markers]", state="attached")
    assert page.get_attribute("#field-map", "data-markers") == "2", errors
    assert page.locator("path.map-task").count() == 1
    assert page.locator("path.map-team").count() == 1
    page.screenshot(path=str(ARTIFACTS / "fieldhelp-map.png"), full_page=True)
    assert not errors
