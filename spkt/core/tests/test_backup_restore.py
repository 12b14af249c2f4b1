"""The restore drill: back up a lived-in unit, restore into a fresh database, and the chain and
the day hashes kept outside still hold. Runs on the suite's engine (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from spkt.conftest import issue
from spkt.core import clock
from spkt.core.backup import BackupError, Target, backup, restore
from spkt.core.timeutil import duty_day_of
from spkt.dutylog.selectors import chain_head_at

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def media(tmp_path: Path):
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    with override_settings(STORAGES=storages):
        yield tmp_path / "media"


@pytest.fixture
def empty_target(tmp_path: Path):
    """A fresh, empty database of the suite's engine, dropped afterwards."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"{db['NAME']}_restore"
    params: dict[str, Any] = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = db["USER"] or "postgres"
    yield f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def verify_ledger(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SPKT_ENV": "dev",
        "SPKT_VAR_DIR": str(Path(url.split(":///")[-1]).parent)
        if url.startswith("sqlite")
        else str(ROOT / "var" / "restore-drill"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "verify_ledger", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_restore_drill(tmp_path, media, empty_target, selatan, petugas) -> None:
    issue(petugas, selatan)
    issue(petugas, selatan)
    default_storage.save("intake/2026/12/foto.jpg", ContentFile(b"\xff\xd8\xff\xe0 jpeg"))
    anchor = tmp_path / "day.hash"
    # The head as exported each morning (the day is not over yet: the chain's tip now).
    now = clock.now()
    head = chain_head_at(unit=selatan, moment=now, day=duty_day_of(now, selatan.shift_start_hour))
    anchor.write_text(head.export_line() + "\n")

    out = tmp_path / "backup"
    lines: list[str] = []
    manifest = backup(out, say=lines.append)
    assert lines[0] == "1/3 Basis data…"
    files = [p for p in media.rglob("*") if p.is_file()]
    assert len(files) == 3  # two SKTLK PDFs and the photo
    assert "  berkas: 3/3" in lines
    assert manifest["engine"] == connection.vendor
    assert manifest["media"]["files"] == 3
    assert {"unit": selatan.pk, "seq": head.seq, "hash": head.hash} in manifest["ledger_heads"]

    restored_media = tmp_path / "restored-media"
    restore(out, Target(url=empty_target, media=restored_media), say=lines.append)
    for path in files:
        assert (restored_media / path.relative_to(media)).read_bytes() == path.read_bytes()

    checked = verify_ledger(empty_target, "--anchor", str(anchor))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("OK:")
    assert "1 anchor(s) verified" in checked.stdout

    # A second restore onto the now filled database is refused, and changes nothing.
    with pytest.raises(BackupError, match="tidak kosong"):
        restore(out, Target(url=empty_target, media=tmp_path / "other-media"), say=lines.append)
    assert not (tmp_path / "other-media").exists()


def test_restore_refuses_a_changed_backup_or_other_keys(tmp_path, media, empty_target) -> None:
    out = tmp_path / "backup"
    backup(out, say=lambda _line: None)
    other_keys = override_settings(
        NIK_ENCRYPTION_KEYS=["b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMDE="]
    )
    with other_keys, pytest.raises(BackupError, match="Kunci enkripsi"):
        restore(out, Target(url=empty_target, media=tmp_path / "m"), say=lambda _l: None)
    dump = next(p for p in out.iterdir() if p.name.startswith("database."))
    with dump.open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(BackupError, match="berubah"):
        restore(out, Target(url=empty_target, media=tmp_path / "m"), say=lambda _l: None)


def test_backup_refuses_a_directory_in_use(tmp_path, media) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with pytest.raises(CommandError, match="tidak kosong"):
        call_command("backup", str(tmp_path / "used"))
