"""Photos from the scene on a situation report: at most three, JPEG, PNG or WebP of at most 5 MB.

Pillow is not a runtime dependency (requirements.txt), so a photo is recognised by its first
bytes; it is stored as sent and served only to those who may see the task (views.report_photo)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from spkt.fieldhelp.models import ReportPhoto, SituationReport

PHOTO_MAX = 3
PHOTO_MAX_BYTES = 5 * 1024 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


@dataclass(frozen=True)
class Photo:
    filename: str
    data: bytes


def photo_type(data: bytes) -> str | None:
    """The image type by its magic bytes, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def photos_check(photos: list[Photo]) -> list[tuple[Photo, str]]:
    """Every photo with its type, or a ValidationError naming what is wrong (nothing stored)."""
    if len(photos) > PHOTO_MAX:
        raise ValidationError(_("Paling banyak %(n)d foto per laporan situasi.") % {"n": PHOTO_MAX})
    checked = []
    for photo in photos:
        if len(photo.data) > PHOTO_MAX_BYTES:
            raise ValidationError(
                _("Foto %(name)s terlalu besar (maksimal 5 MB).") % {"name": photo.filename}
            )
        kind = photo_type(photo.data)
        if kind is None:
            raise ValidationError(
                _("Berkas %(name)s bukan foto (JPEG, PNG atau WebP).") % {"name": photo.filename}
            )
        checked.append((photo, kind))
    return checked


def photos_store(report: SituationReport, checked: list[tuple[Photo, str]]) -> None:
    for photo, kind in checked:
        # The stored name is ours: nothing the phone chose reaches the file system.
        name = f"{hashlib.sha256(photo.data).hexdigest()[:24]}.{EXTENSIONS[kind]}"
        row = ReportPhoto(report=report, content_type=kind, size=len(photo.data))
        row.file.save(name, ContentFile(photo.data), save=False)
        row.save()
