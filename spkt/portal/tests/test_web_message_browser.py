"""The web form in a real browser (ADR 0040): the citizen fills it with a file attached,
double-clicks "Kirim" and gets one message with one code at once; the tracking page follows it.
(A form sent twice with its token is one message: test_web_message.py, on the server side.)"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from spkt.channels.models import InboundStatus, WebSubmission
from spkt.intake.models import Contact


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_citizen_sends_the_form_and_follows_its_code(
    browser, live_server, selatan, settings, tmp_path
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    cache.clear()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/lapor/{selatan.code}/pesan/")
    page.fill("input[name=name]", "Rahma Suleman")
    page.fill("input[name=reply_to]", "0812 3456 7890")
    page.fill("textarea[name=message]", "Lampu jalan di depan masjid mati sejak kemarin.")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "lampu.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF"}],
    )
    page.dblclick("button.primary")
    page.wait_for_selector("[data-code]")
    code = page.inner_text("[data-code]").strip()

    # The task ran on commit (Huey is immediate in tests): the contact has the promised code.
    submission = WebSubmission.objects.get()
    assert (submission.tracking_code, submission.status) == (code, InboundStatus.DONE)
    contact = Contact.objects.get()
    assert (contact.tracking_code, contact.channel) == (code, "web")
    assert contact.messages.get().attachments.get().filename == "lampu.pdf"

    page.click(f"a[href='/kontak/lacak/{code}/']")
    page.wait_for_selector("dd[data-status]")
    assert page.inner_text("dd.docno") == code
    assert "Diterima, menunggu tanggapan petugas" in page.inner_text("dd[data-status]")
    page.close()
