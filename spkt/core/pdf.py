"""PDF rendering with Typst. Templates live in templates/typst/; data goes in as one JSON input, so
nothing a citizen types is ever interpolated into markup."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from typing import Any

import segno
import typst
from django.conf import settings

from spkt.core.canonical import canonical_json

TYPST_ROOT = Path(settings.BASE_DIR) / "templates" / "typst"
_local = threading.local()


def _compiler(template: str) -> typst.Compiler:
    # A warm compiler per template and thread: Typst caches fonts and parsed markup between calls.
    compilers: dict[str, typst.Compiler] | None = getattr(_local, "compilers", None)
    if compilers is None:
        compilers = _local.compilers = {}
    if template not in compilers:
        compilers[template] = typst.Compiler(
            str(TYPST_ROOT / template), root=str(TYPST_ROOT), ignore_system_fonts=True
        )
    return compilers[template]


def render_pdf(template: str, data: dict[str, Any]) -> bytes:
    pdf = _compiler(template).compile(format="pdf", sys_inputs={"data": canonical_json(data)})
    if not isinstance(pdf, bytes):  # a PDF is one document
        raise TypeError(f"Typst returned {type(pdf).__name__} for a PDF")
    return pdf


def render_png(template: str, data: dict[str, Any], *, ppi: int = 96) -> list[bytes]:
    pages = _compiler(template).compile(
        format="png", ppi=ppi, sys_inputs={"data": canonical_json(data)}
    )
    if pages is None:
        raise TypeError("Typst returned no pages")
    return pages if isinstance(pages, list) else [pages]


def qr_svg(text: str) -> str:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", xmldecl=False, svgns=True, border=2)
    return buffer.getvalue().decode()


def qr_svg_scalable(text: str) -> str:
    """The QR for a web page: qr_svg has a fixed size in modules (33 px); a viewBox instead of
    width and height lets CSS show it large."""
    svg = qr_svg(text)
    found = re.search(r'width="(\d+)" height="(\d+)"', svg)
    if found is None:
        return svg
    w, h = found.groups()
    return svg.replace(found.group(0), f'viewBox="0 0 {w} {h}"', 1)
