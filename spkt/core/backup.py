"""Backup and restore of one installation: the database, the uploaded files, and a manifest.

A backup directory holds ``database.dump`` (PostgreSQL custom format) or ``database.sqlite3``
(SQLite backup API, safe while the app runs in WAL mode), ``media.tar.gz`` (PDFs, attachments,
letter scans — read from the media directory or, with object storage, from the bucket) and
``manifest.json``: when, which engine, SHA-256 of both files, every unit's ledger
head (unit, seq, hash) and a fingerprint of the encryption keys. The keys themselves are never in a
backup (docs/deployment.md section 4): a restore checks that its installation has the same keys,
because without them the restored NIKs and signing keys cannot be read.

A restore goes only into an empty database and an empty media directory (or an empty bucket
prefix with object storage), then checks that the
restored ledger heads are the manifest's; ``verify_ledger`` (with the day hashes kept outside)
is the operator's next step, and the restore drill test runs it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import dj_database_url
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connection

from spkt.core import clock

MANIFEST = "manifest.json"
FORMAT = 1
Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


def key_fingerprint(keys: list[str] | None = None) -> str:
    """A fingerprint of the first (current) NIK encryption key, which also wraps the units'
    signing keys. An HMAC of a fixed text: it identifies the key without revealing it."""
    key = (keys or settings.NIK_ENCRYPTION_KEYS)[0]
    return hmac.new(key.encode(), b"spkt-backup-key-check", hashlib.sha256).hexdigest()[:32]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_root() -> Path | None:
    """The media directory, or None when the files are in object storage (ADR 0050)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location)
    return None


def _stored_names(storage: Storage, top: str = "") -> Iterator[str]:
    """Every file name in an object storage, walked through its own listing."""
    dirs, files = storage.listdir(top)
    for name in sorted(files):
        yield posixpath.join(top, name) if top else name
    for sub in sorted(dirs):
        yield from _stored_names(storage, posixpath.join(top, sub) if top else sub)


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1_048_576:.1f} MB"


def _libpq_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{args[0]} tidak ditemukan: pasang klien PostgreSQL.") from None
    if done.returncode != 0:
        raise BackupError(f"{args[0]} gagal: {done.stderr.strip()[-500:]}")


# --- Backup -----
def _heads() -> list[dict[str, Any]]:
    from spkt.core.models import LedgerHead

    return [
        {"unit": unit, "seq": seq, "hash": digest}
        for unit, seq, digest in LedgerHead.objects.order_by("unit_id").values_list(
            "unit_id", "seq", "hash"
        )
    ]


def _dump_database(out: Path, say: Progress) -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        target = out / "database.dump"
        _run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", db["NAME"]],
            _libpq_env(db),
        )
    elif connection.vendor == "sqlite":
        target = out / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)

        def pages(status: int, remaining: int, total: int) -> None:
            say(f"  basis data: {100 * (total - remaining) // max(total, 1)}%")

        try:
            connection.connection.backup(copy, pages=256, progress=pages)
        finally:
            copy.close()
    else:
        raise BackupError(f"Mesin basis data {connection.vendor} tidak didukung.")
    say(f"  basis data: {target.name}, {_size(target)}")
    return target.name


def _archive_media(out: Path, say: Progress) -> tuple[int, str]:
    root = _media_root()
    target = out / "media.tar.gz"
    if root is None:
        say("  berkas dibaca dari penyimpanan objek (S3)")
        # Names (str) in the object storage, paths on disk below.
        files: list[Any] = list(_stored_names(default_storage))
    else:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    with tarfile.open(target, "w:gz") as archive:
        for n, item in enumerate(files, 1):
            if root is None:
                info = tarfile.TarInfo(item)
                info.size = default_storage.size(item)
                with default_storage.open(item, "rb") as handle:
                    archive.addfile(info, handle)
            else:
                archive.add(item, arcname=str(item.relative_to(root)))
            if n % 500 == 0 or n == len(files):
                say(f"  berkas: {n}/{len(files)}")
    say(f"  berkas: {len(files)} berkas, {_size(target)}")
    return len(files), target.name


def backup(out: Path, say: Progress = print) -> dict[str, Any]:
    """Write a backup of this installation into the new or empty directory ``out``.
    The database first, the files second: every file row in the dump has its file."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise BackupError(f"Direktori {out} tidak kosong; pilih direktori baru.")
    say("1/3 Basis data…")
    heads = _heads()
    db_file = _dump_database(out, say)
    say("2/3 Berkas unggahan…")
    count, media_file = _archive_media(out, say)
    say("3/3 Manifes…")
    manifest = {
        "format": FORMAT,
        "created_at": clock.now().isoformat(),
        "engine": connection.vendor,
        "database": {"file": db_file, "sha256": _sha256(out / db_file)},
        "media": {"file": media_file, "sha256": _sha256(out / media_file), "files": count},
        "ledger_heads": heads,
        "key_fingerprint": key_fingerprint(),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    say(f"Selesai: {out} ({len(heads)} rantai buku besar, {count} berkas).")
    return manifest


# --- Restore -----
@dataclass
class Target:
    """Where a restore goes: a database URL (default: this installation's) and a media dir."""

    url: str | None = None
    media: Path | None = None

    def db(self) -> dict[str, Any]:
        if self.url:
            return cast(dict[str, Any], dj_database_url.parse(self.url))
        return dict(connection.settings_dict)

    def media_root(self) -> Path | None:
        """The target directory; None: this installation's object storage."""
        return self.media or _media_root()


def _read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"Manifes cadangan tidak terbaca: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError("Format cadangan tidak dikenal.")
    for part in ("database", "media"):
        path = source / manifest[part]["file"]
        if not path.is_file() or _sha256(path) != manifest[part]["sha256"]:
            raise BackupError(f"Berkas {path.name} hilang atau berubah sejak dicadangkan.")
    return cast(dict[str, Any], manifest)


def _engine(db: dict[str, Any]) -> str:
    return "postgresql" if "postgresql" in db["ENGINE"] else "sqlite"


def _pg_query(db: dict[str, Any], sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    try:
        with psycopg.connect(
            dbname=db["NAME"],
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
        ) as conn:
            return conn.execute(sql).fetchall()
    except psycopg.OperationalError as exc:
        raise BackupError(
            f"Basis data tujuan {db['NAME']} tidak dapat dibuka (sudah dibuat dengan createdb?): "
            f"{str(exc).strip()[:200]}"
        ) from None


def _pg_tables(db: dict[str, Any]) -> int:
    sql = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
    return int(_pg_query(db, sql)[0][0])


def _pg_heads(db: dict[str, Any]) -> list[dict[str, Any]]:
    rows = _pg_query(db, "SELECT unit_id, seq, hash FROM core_ledgerhead ORDER BY unit_id")
    return [{"unit": u, "seq": s, "hash": h} for u, s, h in rows]


def _sqlite_tables(path: Path) -> int:
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()
        return int(row[0])


def _sqlite_heads(path: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT unit_id, seq, hash FROM core_ledgerhead ORDER BY unit_id"
        ).fetchall()
    return [{"unit": u, "seq": s, "hash": h} for u, s, h in rows]


def _restore_to_storage(archive: tarfile.TarFile, storage: Storage) -> None:
    """Put every file of the archive into the (empty) object storage under its own name."""
    for member in archive.getmembers():
        member = tarfile.data_filter(member, "/restore")  # no absolute paths, no ../ escapes
        if not member.isfile():
            continue
        handle = archive.extractfile(member)
        if handle is None:
            continue
        stored = storage.save(member.name, File(handle, name=member.name))
        if stored != member.name:
            raise BackupError(
                f"Berkas {member.name} tersimpan sebagai {stored}; pemulihan berhenti."
            )


def restore(source: Path, target: Target | None = None, say: Progress = print) -> dict[str, Any]:
    """Restore the backup in ``source`` into an empty database and an empty media directory."""
    target = target or Target()
    manifest = _read_manifest(source)
    if manifest["key_fingerprint"] != key_fingerprint():
        raise BackupError(
            "Kunci enkripsi instalasi ini bukan kunci saat cadangan dibuat: NIK dan kunci "
            "tanda tangan tidak akan terbaca. Pasang SPKT_NIK_ENCRYPTION_KEYS yang benar dulu."
        )
    db = target.db()
    engine = _engine(db)
    if engine != manifest["engine"]:
        raise BackupError(
            f"Cadangan ini dari {manifest['engine']}; basis data tujuan adalah {engine}."
        )
    media = target.media_root()
    if media is None:
        if next(_stored_names(default_storage), None) is not None:
            raise BackupError("Penyimpanan objek (S3) tidak kosong; pemulihan dibatalkan.")
    elif media.exists() and any(p.is_file() for p in media.rglob("*")):
        raise BackupError(f"Direktori berkas {media} tidak kosong; pemulihan dibatalkan.")
    say("1/3 Memeriksa basis data tujuan…")
    if engine == "postgresql":
        if _pg_tables(db):
            raise BackupError(f"Basis data {db['NAME']} tidak kosong; pulihkan ke basis data baru.")
        say("2/3 Memulihkan basis data…")
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={db['NAME']}",
                str(source / manifest["database"]["file"]),
            ],
            _libpq_env(db),
        )
        heads = _pg_heads(db)
    else:
        path = Path(db["NAME"])
        if _sqlite_tables(path):
            raise BackupError(f"Basis data {path} tidak kosong; pulihkan ke berkas baru.")
        say("2/3 Memulihkan basis data…")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / manifest["database"]["file"], path)
        heads = _sqlite_heads(path)
    say(f"  basis data: {len(heads)} rantai buku besar")
    say("3/3 Memulihkan berkas…")
    with tarfile.open(source / manifest["media"]["file"], "r:gz") as archive:
        if media is None:
            _restore_to_storage(archive, default_storage)
        else:
            media.mkdir(parents=True, exist_ok=True)
            archive.extractall(media, filter="data")  # refuses absolute paths and ../ escapes
    say(f"  berkas: {manifest['media']['files']} berkas")
    if heads != manifest["ledger_heads"]:
        raise BackupError("Kepala rantai buku besar hasil pemulihan tidak sama dengan manifes.")
    say("Selesai. Jalankan verify_ledger --anchor <berkas hash harian> pada basis data ini.")
    return manifest
