"""Issue 12, item 8: closing a contact asks first; "no" changes nothing, "yes" closes it."""

import pytest

from spkt.conftest import PASSWORD
from spkt.intake.models import Status
from spkt.intake.services import Incoming, contact_receive


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_closing_a_contact_asks_and_no_means_no(browser, live_server, petugas, selatan) -> None:
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(channel="sms", body="Jam buka SPKT?", sender_address="0812 1111 2222"),
    )
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.spkt_own_dialogs = True
    asked: list[str] = []
    answers = iter([False, True])

    def answer(dialog) -> None:
        asked.append(dialog.message)
        if next(answers):
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    page.goto(live_server.url + f"/kontak/{contact.pk}/")
    page.fill("input[name=username]", "petugas")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state("load")
    page.select_option("select[name=outcome]", "info")
    page.click("button[data-action=close]")
    page.wait_for_timeout(300)
    contact.refresh_from_db()
    assert contact.status != Status.CLOSED
    assert asked == [
        f"Selesaikan kontak {contact.tracking_code}? Kontak yang selesai tidak dapat dibuka lagi."
    ]
    with page.expect_navigation():
        page.click("button[data-action=close]")
    contact.refresh_from_db()
    assert contact.status == Status.CLOSED
    assert len(asked) == 2
