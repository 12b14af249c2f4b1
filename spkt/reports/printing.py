"""The daily report as a PDF (Typst, templates/typst/daily_report.typ).

The QR carries the report's own address in SPKT (the detail page, behind login): an honest
pointer to the record, not a public verification like the SKTLK's signed token, since a daily
report is an internal paper.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from spkt.core.audit import audit_log
from spkt.core.booktext import book_language
from spkt.core.pdf import qr_svg, render_pdf
from spkt.core.publicurl import public_url
from spkt.core.timeutil import hari, local, tanggal
from spkt.org.models import Personnel, Role, User
from spkt.reports.models import DailyReport


def _signature(user: User | None, post: str) -> dict[str, str]:
    person = getattr(user, "personnel", None) if user is not None else None
    if person is None:
        name = (user.get_full_name() or user.username).upper() if user else "-"
        return {"post": post, "name": name, "pangkat": "", "nrp": "-"}
    return person.signature(post=post)


def _kapolsek(report: DailyReport) -> User | None:
    if report.acknowledged_by is not None:
        return report.acknowledged_by
    person = (
        Personnel.objects.filter(
            unit=report.unit, user__groups__name=Role.KAPOLSEK, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    return person.user if person else None


@book_language()  # printed: Indonesian whatever the screen's language
def report_data(report: DailyReport) -> dict:
    url = public_url(reverse("reports:detail", args=[report.pk]))
    submitted = local(report.submitted_at)
    return {
        "letterhead": report.unit.letterhead(),
        "title": "LAPORAN HARIAN",
        "day": f"{hari(report.day)}, {tanggal(report.day)}",
        "figures": report.snapshot,
        "situation": report.situation,
        "remarks": report.remarks,
        "matters": report.matters,
        "disposisi": report.disposisi,
        "submitted": f"{submitted:%d-%m-%Y %H.%M} WITA",
        "submit_minutes": f"{report.submit_minutes:.1f}",
        "submit_met": report.submit_met,
        "acknowledged": f"{local(report.acknowledged_at):%d-%m-%Y %H.%M} WITA"
        if report.acknowledged_at
        else "",
        "addenda": [
            {"at": f"{local(a.at):%d-%m-%Y %H.%M}", "text": a.text} for a in report.addenda.all()
        ],
        "place_date": f"{report.unit.city or report.unit.name}, {tanggal(submitted.date())}",
        "signer": _signature(report.submitted_by, "KA SPKT"),
        "chief": _signature(_kapolsek(report), "KAPOLSEK"),
        "qr_svg": qr_svg(url),
        "url": url,
    }


def report_pdf_response(request: HttpRequest, report: DailyReport) -> HttpResponse:
    pdf = render_pdf("daily_report.typ", report_data(report))
    audit_log(
        action="reports.daily.printed",
        actor=request.user,
        unit=report.unit,
        target=report,
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"laporan-harian-{report.unit.code}-{report.day.isoformat()}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
