"""The printed Buku Mutasi (Typst): a shift's or a day's book as the paper book reads."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from spkt.core.audit import audit_log
from spkt.core.booktext import book_language
from spkt.core.pdf import render_pdf
from spkt.core.timeutil import duty_day_bounds, local, tanggal
from spkt.dutylog import selectors
from spkt.dutylog.models import Handover, Mutasi, Shift
from spkt.dutylog.services import categories_for
from spkt.org.models import Unit


def _entries(entries: list[Mutasi], labels: dict[str, str]) -> list[dict]:
    numbers = {e.pk: n for n, e in enumerate(entries, start=1)}
    return [
        {
            "no": numbers[e.pk],
            "time": local(e.at).strftime("%d-%m %H.%M"),
            "category": labels.get(e.category, e.category),
            "text": e.text,
            "red": e.red,
            # Entries the system writes (web messages, webhooks, clock alerts) have no author.
            "author": str(e.author.get_full_name() or e.author.username)
            if e.author
            else _("Sistem"),
            "corrects": numbers.get(e.corrects_id, 0) if e.corrects_id else 0,
            "corrected": bool(e.corrections.all()),
        }
        for e in entries
    ]


def _shift_block(shift: Shift) -> dict:
    ho = (
        Handover.objects.filter(outgoing=shift)
        .select_related("outgoing_confirmed_by", "incoming_confirmed_by", "incoming__regu")
        .first()
    )
    return {
        "regu": str(shift.regu or "-"),
        "span": f"{local(shift.starts_at):%d-%m-%Y %H.%M} – {local(shift.ends_at):%d-%m-%Y %H.%M}",
        "ka_spkt": str(shift.ka_spkt or "-"),
        "pawas": str(shift.pawas or "-"),
        "roll_call": [
            {"name": str(r.person), "present": r.present, "reason": r.reason}
            for r in shift.roll_call.select_related("person")
        ],
        "handover": None
        if ho is None or ho.confirmed_at is None
        else {
            "to": str(ho.incoming.regu or "-"),
            "at": f"{local(ho.confirmed_at):%d-%m-%Y %H.%M}",
            "out": str(ho.outgoing_confirmed_by),
            "in": str(ho.incoming_confirmed_by),
            "notes": ho.notes,
            "items": [
                {
                    "kind": i.get_kind_display(),
                    "label": i.label,
                    "serial": i.serial,
                    "expected": i.expected,
                    "counted": i.counted,
                    "reason": i.discrepancy_reason,
                    "extra": " ".join(
                        x
                        for x in (
                            f"{i.odometer} km" if i.odometer is not None else "",
                            i.fuel,
                            i.condition,
                        )
                        if x
                    ),
                }
                for i in ho.items.all()
            ],
        },
    }


def book_data(*, unit: Unit, shift: Shift | None = None, day: date | None = None) -> dict:
    with book_language():  # the printed book is Indonesian whatever the UI says
        labels = {c.code: c.label for c in categories_for(unit).values()}
        if shift is not None:
            entries = list(selectors.shift_entries(shift=shift))
            title = f"Dinas {local(shift.starts_at):%d-%m-%Y}"
            shifts = [_shift_block(shift)]
            head = selectors.seal_head(shift=shift)
        else:
            if day is None:
                raise ValueError("book_data needs a shift or a day")
            entries = list(selectors.day_entries(unit=unit, day=day))
            start, end = duty_day_bounds(day, unit.shift_start_hour)
            title = f"Hari dinas {tanggal(day)}"
            shifts = [
                _shift_block(s)
                for s in Shift.objects.filter(
                    unit=unit, starts_at__lt=end, ends_at__gt=start
                ).order_by("starts_at")
            ]
            head = selectors.day_head(unit=unit, day=day)
        return {
            "letterhead": unit.letterhead(),
            "title": title,
            "shifts": shifts,
            "entries": _entries(entries, labels),
            "head": None
            if head is None
            else {
                "seq": head.seq,
                "hash": head.hash,
                "until": f"{local(head.until):%d-%m-%Y %H.%M} WITA",
                "label": "Hash segel buku dinas" if shift is not None else "Hash kepala hari",
            },
        }


def book_pdf_response(
    request: HttpRequest, *, unit: Unit, shift: Shift | None = None, day: date | None = None
) -> HttpResponse:
    pdf = render_pdf("mutasi.typ", book_data(unit=unit, shift=shift, day=day))
    audit_log(
        action="dutylog.book.printed",
        actor=request.user,
        unit=unit,
        request=request,
        data={"shift": shift.pk if shift else None, "day": day.isoformat() if day else None},
    )
    the_day = day if day is not None or shift is None else local(shift.starts_at).date()
    name = f"buku-mutasi-{unit.code}-{the_day.isoformat() if the_day else ''}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
