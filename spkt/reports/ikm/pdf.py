"""The results in the official report layout (Typst, templates/typst/ikm.typ)."""

from __future__ import annotations

from django.http import HttpResponse

from spkt.core.booktext import book_language
from spkt.core.pdf import render_pdf
from spkt.org.models import Unit
from spkt.reports.ikm.index import category_of
from spkt.reports.ikm.models import ServiceKind
from spkt.reports.ikm.period import Period
from spkt.reports.ikm.questions import ELEMENT_NAMES
from spkt.reports.ikm.selectors import IkmSummary


def summary_data(*, unit: Unit, period: Period, summary: IkmSummary) -> dict:
    with book_language():  # official documents are Indonesian whatever the UI says
        service = str(ServiceKind(summary.service).label) if summary.service else "Semua layanan"
        return {
            "letterhead": unit.letterhead(),
            "title": "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT",
            "unit_name": unit.name,
            "period": period.label,
            "service": service,
            "responses": summary.responses,
            "services": summary.services,
            "minimum_sample": summary.minimum_sample,
            "sample_reached": summary.sample_reached,
            "has_data": summary.result is not None,
            "elements": [
                {
                    "number": row.number,
                    "name": str(ELEMENT_NAMES[row.number - 1]),
                    "nrr": str(row.nrr),
                    "weighted": str(row.weighted),
                }
                for row in summary.elements
            ],
            "weighted_total": str(summary.result.nrr_weighted_total) if summary.result else "",
            "ikm": str(summary.ikm) if summary.ikm is not None else "",
            "category": summary.category or "",
            "performance": category_of(summary.ikm)[1] if summary.ikm is not None else "",
        }


def summary_pdf(*, unit: Unit, period: Period, summary: IkmSummary) -> HttpResponse:
    pdf = render_pdf("ikm.typ", summary_data(unit=unit, period=period, summary=summary))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"ikm-{unit.code}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
