"""Where a document starts. An app above documents registers a source (intake: ``kontak``, a
citizen's contact): it prefills the document's form, and when the document is issued it follows
the issue inside the issuing transaction (the contact is closed with that document). Documents
import none of those apps; a form carries the source as ``kind:key`` (``kontak:42``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from spkt.documents.models import Document
from spkt.org.models import Unit, User

SOURCE_RE = re.compile(r"^(?P<kind>[a-z]{2,20}):(?P<key>[0-9]{1,12})$")


@dataclass(frozen=True)
class DocumentSource:
    # (user, unit, key) -> the form's initial data; ValidationError with the reason when the
    # source cannot be used (another station's, closed, gone).
    prefill: Callable[[User, Unit, str], dict[str, Any]]
    # (actor, document, key): the document was issued from it; runs in the issuing transaction.
    issued: Callable[[User, Document, str], None]
    # (key) -> what the desk reads on the form ("Kontak K7F3…").
    label: Callable[[str], str]


SOURCES: dict[str, DocumentSource] = {}


def register_source(kind: str, source: DocumentSource) -> None:
    SOURCES[kind] = source


def source_parse(value: str) -> tuple[DocumentSource, str]:
    match = SOURCE_RE.match(value or "")
    if match is None or match["kind"] not in SOURCES:
        raise ValidationError(_("Asal dokumen tidak dikenal."))
    return SOURCES[match["kind"]], match["key"]


def source_prefill(*, user: User, unit: Unit, value: str) -> dict[str, Any]:
    source, key = source_parse(value)
    return {**source.prefill(user, unit, key), "source": value}


def source_label(value: str) -> str:
    source, key = source_parse(value)
    return source.label(key)


def source_issued(*, actor: User, document: Document, value: str) -> None:
    if value:
        source, key = source_parse(value)
        source.issued(actor, document, key)
