"""Error pages in Indonesian (English when chosen), for people, not stack traces."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from spkt.core.dates import DateInputError


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A refusal that explains itself (a date out of range) says why; others stay generic.
    if isinstance(exception, DateInputError) and exception.args:
        message = str(exception.args[0])
    else:
        message = _("Data yang dikirim tidak valid atau terlalu besar. Tidak ada yang disimpan.")
    return _page(request, 400, _("Permintaan tidak dapat diproses"), message)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request, 403, _("Akses ditolak"), _("Peran Anda tidak berwenang membuka halaman ini.")
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Tidak ditemukan"),
        _("Halaman atau data yang dicari tidak ada, atau bukan milik satuan Anda."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        403,
        _("Formulir kedaluwarsa"),
        _(
            "Formulir tidak dapat diverifikasi (CSRF). Muat ulang halaman lalu kirim "
            "lagi. Tidak ada yang disimpan."
        ),
    )
