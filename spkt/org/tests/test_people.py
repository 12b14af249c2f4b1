"""Issue 12, item 6: people, not usernames — rank and name wherever an officer is named."""

from __future__ import annotations

from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from spkt.conftest import PASSWORD
from spkt.core.booktext import book_language
from spkt.dutylog.services import mutasi_append
from spkt.org.models import Pangkat, Personnel, Role
from spkt.org.people import person_label
from spkt.org.services import user_create


def test_rank_and_name_then_full_name_then_username(selatan) -> None:
    officer = Personnel.objects.create(
        unit=selatan, name="Yusuf Tangahu", pangkat=Pangkat.BRIPKA, nrp="95110342"
    )
    with_rank = user_create(
        username="yusuf",
        password=PASSWORD,
        unit=selatan,
        roles=[Role.ANGGOTA_JAGA],
        personnel=officer,
        first_name="Yusuf",
    )
    named = user_create(
        username="rina",
        password=PASSWORD,
        unit=selatan,
        roles=[Role.ANGGOTA_JAGA],
        first_name="Rina Daud",
    )
    bare = user_create(username="jaga2", password=PASSWORD, unit=selatan, roles=[Role.ANGGOTA_JAGA])
    assert person_label(with_rank) == "BRIPKA Yusuf Tangahu"
    assert person_label(named) == "Rina Daud"
    assert person_label(bare) == "jaga2"
    assert person_label(None) == "(tidak tercatat)"
    rendered = Template("{% load people %}{{ u|person }}|{{ none|person }}").render(
        Context({"u": with_rank, "none": None})
    )
    assert rendered == "BRIPKA Yusuf Tangahu|—"


def test_the_book_names_the_author_by_rank(client: Client, selatan) -> None:
    officer = Personnel.objects.create(
        unit=selatan, name="Yusuf Tangahu", pangkat=Pangkat.BRIPKA, nrp="95110342"
    )
    user = user_create(
        username="yusuf",
        password=PASSWORD,
        unit=selatan,
        roles=[Role.KA_SPKT],
        personnel=officer,
        first_name="Yusuf",
    )
    with book_language():
        mutasi_append(unit=selatan, actor=user, category="kejadian", text="Patroli selesai.")
    client.force_login(user)
    html = client.get(reverse("dutylog:today")).content.decode()
    assert "BRIPKA Yusuf Tangahu" in html
    assert ">yusuf<" not in html
