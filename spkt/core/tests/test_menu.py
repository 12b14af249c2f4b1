"""The page header names the officer signed in by rank and name (issue 12, items 6 and 9)."""

from __future__ import annotations

from spkt.conftest import PASSWORD
from spkt.org.models import Personnel, Role
from spkt.org.services import user_create


def _logout_button(page: str) -> str:
    start = page.index('data-action="logout"')
    return page[start : page.index("</button>", start)]


def test_the_logout_names_the_officer_not_the_username(client, selatan) -> None:
    officer = Personnel.objects.get(unit=selatan, nrp="78040211")
    user = user_create(
        username="yusuf77",
        password=PASSWORD,
        unit=selatan,
        roles=[Role.ANGGOTA_JAGA],
        personnel=officer,
    )
    client.force_login(user)
    button = _logout_button(client.get("/").content.decode())
    assert f"{officer.pangkat} {officer.name}" in button
    assert "yusuf77" not in button
    assert "Keluar" in button


def test_an_account_without_an_officer_shows_its_name(client, penilai) -> None:
    client.force_login(penilai)
    button = _logout_button(client.get("/").content.decode())
    assert "penilai" in button  # the fixture's first name; no rank to show
