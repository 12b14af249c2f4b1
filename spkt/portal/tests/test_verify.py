from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse

from spkt.conftest import issue
from spkt.documents.services import document_void


def verify_page(client: Client, token: str):
    return client.get(reverse("portal:verify", args=[token]))


def test_a_valid_document_is_shown_valid_without_the_nik(client: Client, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    response = verify_page(client, doc.verify_token)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="valid"' in page
    assert doc.number in page
    assert "Polsek Kota Selatan" in page
    assert "7571025506850003" not in page
    assert "757102" not in page


def test_a_voided_document_is_shown_revoked(client: Client, petugas, ka_spkt, selatan) -> None:
    doc = issue(petugas, selatan)
    document_void(actor=ka_spkt, document=doc, reason="Salah data")
    page = verify_page(client, doc.verify_token).content.decode()
    assert 'data-status="void"' in page
    assert "Dibatalkan" in page


def test_an_sktlk_expires_after_its_validity(client: Client, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    with time_machine.travel(doc.issued_at + timedelta(days=15)):
        page = verify_page(client, doc.verify_token).content.decode()
    assert 'data-status="expired"' in page


def test_an_unknown_code_is_not_valid(client: Client, db) -> None:
    response = verify_page(client, "tidak-ada")
    assert response.status_code == 404
    assert "Tidak sah" in response.content.decode()
    assert verify_page(client, "x" * 200).status_code == 404


def _signed_url_parts(doc):
    from urllib.parse import parse_qs, urlparse

    query = parse_qs(urlparse(doc.snapshot["verify_url"]).query)
    return query["p"][0], query["s"][0]


def test_the_signed_qr_payload_verifies(client: Client, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    p, s = _signed_url_parts(doc)
    page = client.get(reverse("portal:verify", args=[doc.verify_token]), {"p": p, "s": s})
    assert 'data-signature="valid"' in page.content.decode()
    assert 'data-status="valid"' in page.content.decode()


def test_a_tampered_payload_is_rejected(client: Client, petugas, selatan) -> None:
    import base64
    import json

    from spkt.core.signing import b64, unb64

    doc = issue(petugas, selatan)
    p, s = _signed_url_parts(doc)
    forged = json.loads(unb64(p))
    forged["a"] = "ORANG LAIN"
    forged_p = b64(json.dumps(forged, sort_keys=True, separators=(",", ":")).encode())
    for params in (
        {"p": forged_p, "s": s},
        {"p": p, "s": s[:-4] + "AAAA"},
        {"p": "!!", "s": "??"},
        {"p": p},
        {"p": "x" * 5000, "s": s},
    ):
        page = client.get(
            reverse("portal:verify", args=[doc.verify_token]), params
        ).content.decode()
        assert 'data-status="tampered"' in page, params
    assert base64  # imported for clarity of the forged payload's encoding


def test_the_offline_checker_verifies_with_the_published_key(
    client: Client, petugas, selatan, tmp_path
) -> None:
    import subprocess
    import sys
    from pathlib import Path

    doc = issue(petugas, selatan)
    pem = client.get(reverse("portal:public-key", args=[selatan.code]))
    key = tmp_path / "unit.pem"
    key.write_bytes(pem.content)
    tool = Path(__file__).resolve().parents[3] / "tools" / "verify_qr.py"
    ok = subprocess.run(
        [sys.executable, str(tool), doc.snapshot["verify_url"], "--key", str(key)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0
    assert doc.number in ok.stdout
    bad = subprocess.run(
        [
            sys.executable,
            str(tool),
            doc.snapshot["verify_url"].replace("&s=", "&s=A"),
            "--key",
            str(key),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1


def test_an_unknown_unit_has_no_key(client: Client, db) -> None:
    assert client.get(reverse("portal:public-key", args=["tidak-ada"])).status_code == 404
