"""Files in S3-compatible object storage (ADR 0050), against moto's S3 server on this machine: a
real HTTP server speaking the S3 protocol, reached by boto3 exactly as a MinIO or a cloud bucket
would be. Documents, attachments, the backup and the health check all go through it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import reverse

from config.storage import s3_options
from spkt.conftest import issue
from spkt.core.backup import BackupError, Target, backup, restore
from spkt.core.tests.test_backup_restore import empty_target  # noqa: F401 (a fixture)
from spkt.documents.services import document_pdf_ensure
from spkt.intake.services import Incoming, IncomingFile, contact_receive

KEYS = {"access_key": "spkt-test", "secret_key": "spkt-test-secret", "region_name": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region_name"],
    )


def _bucket(endpoint: str, name: str) -> str:
    client = _client(endpoint)
    client.create_bucket(Bucket=name)
    return name


def _keys(endpoint: str, bucket: str) -> list[str]:
    listing = _client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(obj["Key"] for obj in listing.get("Contents", []))


def _using(endpoint: str, bucket: str, **options: object):
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_options(bucket, endpoint, **{**KEYS, **options}),
        },
    }
    return override_settings(STORAGES=storages)


@pytest.fixture
def bucket(s3_server: str, request: pytest.FixtureRequest) -> Iterator[str]:
    name = _bucket(s3_server, f"spkt-{request.node.name[:40].lower().replace('_', '-')}")
    with _using(s3_server, name, location="polsek"):
        yield name


@pytest.mark.django_db
def test_documents_and_attachments_are_stored_in_the_bucket_and_served_by_spkt(
    s3_server, bucket, petugas, selatan
) -> None:
    doc = issue(petugas, selatan)
    pdf = document_pdf_ensure(document_id=doc.pk)
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="email",
            body="foto kejadian",
            files=[IncomingFile("../foto.png", "image/png", b"\x89PNG\r\n\x1a\n data")],
        ),
    )
    att = contact.messages.get().attachments.get()

    keys = _keys(s3_server, bucket)
    assert f"polsek/{pdf.pdf.name}" in keys
    assert f"polsek/{att.file.name}" in keys
    assert all(".." not in key for key in keys)

    desk = Client()
    desk.force_login(petugas)
    response = desk.get(reverse("documents:pdf", args=[doc.pk]))
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")
    response = desk.get(reverse("intake:attachment", args=[att.pk]))
    assert response.status_code == 200
    assert response.getvalue() == b"\x89PNG\r\n\x1a\n data"
    # The objects are private: the bucket answers no one without a signature.
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_server}/{bucket}/polsek/{pdf.pdf.name}", timeout=5)  # noqa: S310
    assert refused.value.code == 403


@pytest.mark.django_db(transaction=True)
def test_backup_reads_the_bucket_and_restore_fills_only_an_empty_one(
    tmp_path: Path,
    s3_server,
    bucket,
    empty_target,  # noqa: F811
    petugas,
    selatan,
) -> None:
    doc = issue(petugas, selatan)
    name = document_pdf_ensure(document_id=doc.pk).pdf.name
    assert name
    original = default_storage.open(name, "rb").read()

    lines: list[str] = []
    manifest = backup(tmp_path / "backup", say=lines.append)
    assert "  berkas dibaca dari penyimpanan objek (S3)" in lines
    assert manifest["media"]["files"] == 1

    restored = _bucket(s3_server, f"{bucket[:50]}-restored")
    with _using(s3_server, restored, location="polsek"):
        restore(tmp_path / "backup", Target(url=empty_target), say=lines.append)
        assert default_storage.open(name, "rb").read() == original
    # Into a bucket that is not empty: refused before the database is touched.
    with _using(s3_server, bucket, location="polsek"), pytest.raises(BackupError) as refused:
        restore(tmp_path / "backup", Target(url=empty_target), say=lines.append)
    assert str(refused.value) == "Penyimpanan objek (S3) tidak kosong; pemulihan dibatalkan."
    assert _keys(s3_server, restored) == [f"polsek/{name}"]


@pytest.mark.django_db
def test_the_health_check_says_when_the_bucket_does_not_answer(s3_server, bucket) -> None:
    body = Client().get("/health/").json()
    assert body["checks"]["storage"] == {"status": "ok", "detail": "penyimpanan objek"}

    from botocore.config import Config

    closed = f"http://127.0.0.1:{_free_port()}"
    fast = Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1})
    with _using(closed, bucket, client_config=fast):
        response = Client().get("/health/")
    assert response.status_code == 200  # pages still serve
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["storage"] == {
        "status": "degraded",
        "detail": "penyimpanan berkas (S3) tidak menjawab",
    }


def test_the_settings_choose_the_bucket_from_the_environment() -> None:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "d = settings.STORAGES['default']; o = d['OPTIONS']; "
        "print(json.dumps([d['BACKEND'], o['bucket_name'], o['endpoint_url'], o['location'], "
        "o['default_acl'], o['file_overwrite'], o['addressing_style']]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SPKT_ENV": "dev",
        "SPKT_S3_BUCKET": "spkt-berkas",
        "SPKT_S3_ENDPOINT_URL": "http://minio.internal:9000",
        "SPKT_S3_PREFIX": "polda-gorontalo",
        "SPKT_S3_ADDRESSING_STYLE": "path",
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == (
        '["storages.backends.s3.S3Storage", "spkt-berkas", "http://minio.internal:9000", '
        '"polda-gorontalo", null, false, "path"]'
    )
