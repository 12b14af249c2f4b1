"""Desk pages for activity 1 (the inbox of every channel, the walk-in queue, phone and letters) and
the public kiosk, lobby display and tracking page: parse, check permission, call one service,
render."""

from __future__ import annotations

import mimetypes
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spkt.core.audit import audit_log
from spkt.core.decorators import desk_login_required
from spkt.core.errors import flash_errors
from spkt.core.pdf import qr_svg_scalable
from spkt.core.publicurl import public_url
from spkt.core.ratelimit import rate_limited
from spkt.dutylog.selectors import shift_on_duty
from spkt.intake import selectors, services
from spkt.intake.forms import AcknowledgeForm, CloseForm, LetterForm, LinkForm, PhoneForm, ReplyForm
from spkt.intake.models import Channel, Contact, Delivery, Message, OutboxStatus, Outcome, Status
from spkt.intake.outbox import outbox_retry
from spkt.intake.routes import reply_route
from spkt.org.models import Unit
from spkt.org.permissions import Action, acting_unit, can, require
from spkt.org.request_types import DeskRequest, HtmxRequest
from spkt.org.selectors import unit_selected

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
KIOSK_LIMIT = 30  # tickets per client address per window: a busy morning, not a script
KIOSK_WINDOW = 600


# --- Inbox --------------------------------------------------------------------------------------
@desk_login_required
@require_GET
def inbox(request: DeskRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.MUTASI_VIEW, unit)
    can_write = can(request.user, Action.MUTASI_WRITE, unit)
    # The squad on duty heads the list, so a desk screen that never reloads shows the handover.
    shift = shift_on_duty(unit=unit)
    etag = None
    if request.htmx:
        # The list polls every 15 s; most polls find nothing new and cost one aggregate query.
        on_duty = f"{shift.pk}:{shift.ka_spkt_id}" if shift else "-"
        salt = f"{request.user.pk}:{can_write}:{request.LANGUAGE_CODE}:{on_duty}"
        etag = quote_etag(selectors.inbox_etag(unit=unit, salt=salt))
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _poll_headers(not_modified, etag)
    context = {
        "unit": unit,
        "inbox": selectors.inbox(unit=unit),
        "shift": shift,
        "can_write": can_write,
        "called": selectors.tickets_called(unit=unit, limit=1),
        "waiting_tickets": selectors.tickets_waiting(unit=unit),
        "phone_form": PhoneForm(),
    }
    if etag is None:
        return render(request, "intake/inbox.html", context)
    return _poll_headers(render(request, "intake/inbox.html#rows", context), etag)


def _poll_headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["HX-Request"])
    return response


@desk_login_required
@require_POST
def ticket_call(request: DeskRequest) -> HttpResponse:
    unit = acting_unit(request.user)
    require(request.user, Action.MUTASI_WRITE, unit)
    contact = services.ticket_call_next(actor=request.user, unit=unit)
    if contact is None:
        messages.info(request, _("Tidak ada antrean yang menunggu."))
        return redirect("intake:inbox")
    messages.success(request, _("Nomor antrean %(t)s dipanggil.") % {"t": contact.queue_ticket})
    return redirect("intake:detail", pk=contact.pk)


# --- One contact --------------------------------------------------------------------------------
def _detail(
    request: DeskRequest, contact: Contact, *, status: int = 200, **forms: BaseForm
) -> HttpResponse:
    thread = selectors.contact_thread(contact=contact)
    is_open = contact.status != Status.CLOSED
    can_write = can(request.user, Action.MUTASI_WRITE, contact.unit) and is_open
    if request.htmx:
        return render(
            request,
            "intake/detail.html#thread",
            {
                "contact": contact,
                "thread": thread,
                "can_write": can_write,
                "failed": Delivery.FAILED,
            },
        )
    digits = "".join(ch for ch in contact.sender_address if ch.isdigit())
    phone_like = contact.channel in (Channel.SMS, Channel.WHATSAPP, Channel.PHONE)
    # The document starts from this contact (prefilled) and issuing it closes the contact.
    source = {"sumber": f"kontak:{contact.pk}"}
    sktlk_url = reverse("documents:sktlk-new") + "?" + urlencode(source)
    if phone_like and 6 <= len(digits) <= 20:
        sktlk_url += "&" + urlencode({"cari": digits})
    context = {
        "contact": contact,
        "thread": thread,
        "can_write": can_write,
        "is_open": is_open,
        "route": reply_route(contact),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "ack_form": forms.get("ack_form") or AcknowledgeForm(),
        "close_form": forms.get("close_form") or CloseForm(unit=contact.unit),
        "link_form": forms.get("link_form"),
        "quick_replies": _quick_replies(contact),
        "documents": selectors.documents_for_outcome(unit=contact.unit) if can_write else [],
        "sktlk_url": sktlk_url,
        "lp_url": reverse("documents:lp-new") + "?" + urlencode({"model": "B", **source}),
        "track_url": public_url(reverse("intake:track", args=[contact.tracking_code])),
        "field_help": Outcome.FIELD_HELP,
        "failed": Delivery.FAILED,
    }
    return render(request, "intake/detail.html", context, status=status)


def _quick_replies(contact: Contact) -> list[tuple[str, str]]:
    track = public_url(reverse("intake:track", args=[contact.tracking_code]))
    unit = contact.unit.name
    return [
        (
            _("Laporan diterima"),
            _(
                "Terima kasih, laporan Anda kami terima. Nomor pelacakan: %(code)s. "
                "Perkembangannya dapat diikuti di %(url)s"
            )
            % {"code": contact.tracking_code, "url": track},
        ),
        (
            _("Datang ke SPKT"),
            _("Silakan datang ke SPKT %(unit)s dengan membawa KTP.") % {"unit": unit},
        ),
        (_("Petugas menuju lokasi"), _("Petugas kami segera menuju lokasi.")),
        (
            _("Minta lokasi"),
            _("Mohon kirimkan alamat lengkap atau lokasi kejadian agar kami dapat membantu."),
        ),
        (
            _("Darurat: 110"),
            _("Untuk keadaan darurat, segera hubungi Call Center Polri 110 (bebas pulsa)."),
        ),
    ]


@desk_login_required
@require_GET
def contact_detail(request: DeskRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    require(request.user, Action.MUTASI_VIEW, contact.unit)
    return _detail(request, contact)


def _contact_for_write(request: DeskRequest, pk: int) -> Contact:
    """404 for a contact out of sight, 403 for a role that may only read."""
    contact = selectors.contact_get(user=request.user, pk=pk)
    require(request.user, Action.MUTASI_WRITE, contact.unit)
    return contact


@desk_login_required
@require_POST
def contact_claim(request: DeskRequest, pk: int) -> HttpResponse:
    contact = _contact_for_write(request, pk)
    try:
        services.contact_claim(actor=request.user, contact=contact)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("intake:inbox")
    return redirect("intake:detail", pk=contact.pk)


@desk_login_required
@require_POST
def contact_reply(request: DeskRequest, pk: int) -> HttpResponse:
    contact = _contact_for_write(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            message = services.contact_reply(
                actor=request.user, contact=contact, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _reply_said(request, contact, message)
            return redirect("intake:detail", pk=contact.pk)
    return _detail(request, contact, status=400, reply_form=form)


def _reply_said(request: DeskRequest, contact: Contact, message: Message) -> None:
    """Tell the desk what happened to the reply, read back after the commit: a worker that runs at
    once (or a fast one) may already have sent it or failed; otherwise it waits in the outbox.
    Never "sent" when it was not."""
    item = message.outbox
    item.refresh_from_db()
    said = {
        "channel": item.get_channel_display(),
        "address": contact.sender_address or contact.external_thread or "-",
    }
    if item.status == OutboxStatus.SENT:
        messages.success(request, _("Balasan terkirim lewat %(channel)s ke %(address)s.") % said)
    elif item.status == OutboxStatus.FAILED:
        messages.error(
            request,
            _(
                "Balasan tersimpan tetapi gagal dikirim lewat %(channel)s ke %(address)s. "
                "Periksa akun saluran, lalu tekan Kirim ulang."
            )
            % said,
        )
    else:
        messages.info(
            request,
            _(
                "Balasan diantrekan untuk dikirim lewat %(channel)s ke %(address)s; statusnya "
                "tampil di percakapan."
            )
            % said,
        )


@desk_login_required
@require_POST
def contact_acknowledge(request: DeskRequest, pk: int) -> HttpResponse:
    contact = _contact_for_write(request, pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.contact_acknowledge(
                actor=request.user, contact=contact, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Tanggapan langsung dicatat."))
            return redirect("intake:detail", pk=contact.pk)
    return _detail(request, contact, status=400, ack_form=form)


@desk_login_required
@require_POST
def contact_close(request: DeskRequest, pk: int) -> HttpResponse:
    contact = _contact_for_write(request, pk)
    form = CloseForm(request.POST, unit=contact.unit)
    if form.is_valid() and form.cleaned_data["outcome"] == Outcome.FIELD_HELP:
        # Not closed silently: the desk confirms the field-help task, which closes the contact.
        return redirect(reverse("fieldhelp:task-new") + "?" + urlencode({"kontak": contact.pk}))
    if form.is_valid():
        try:
            closed = services.contact_close(
                actor=request.user,
                contact=contact,
                outcome=form.cleaned_data["outcome"],
                document=form.cleaned_data["document"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Kontak %(code)s selesai: %(outcome)s.")
                % {"code": closed.tracking_code, "outcome": closed.get_outcome_display()},
            )
            return redirect("intake:inbox")
    return _detail(request, contact, status=400, close_form=form)


@desk_login_required
@require_POST
def contact_link(request: DeskRequest, pk: int) -> HttpResponse:
    contact = _contact_for_write(request, pk)
    form = LinkForm(request.POST, contact=contact)
    if form.is_valid():
        try:
            services.contact_link(actor=request.user, contact=contact, to=form.cleaned_data["to"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Kontak ditautkan sebagai satu kejadian."))
            return redirect("intake:detail", pk=contact.pk)
    return _detail(request, contact, status=400, link_form=form)


@desk_login_required
@require_POST
def message_retry(request: DeskRequest, pk: int) -> HttpResponse:
    message = selectors.message_get(user=request.user, pk=pk)
    contact = message.contact
    require(request.user, Action.MUTASI_WRITE, contact.unit)
    item = getattr(message, "outbox", None)
    if item is None or item.status != OutboxStatus.FAILED:
        messages.error(request, _("Pesan ini tidak dalam status gagal terkirim."))
        return redirect("intake:detail", pk=contact.pk)
    outbox_retry(item=item)
    messages.success(request, _("Pesan dijadwalkan untuk dikirim ulang."))
    return redirect("intake:detail", pk=contact.pk)


def _file_response(
    file: FieldFile, *, content_type: str, filename: str, inline: bool
) -> FileResponse:
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    return FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=filename
    )


@desk_login_required
@require_GET
def attachment_download(request: DeskRequest, pk: int) -> FileResponse:
    att = selectors.attachment_get(user=request.user, pk=pk)
    contact = att.message.contact
    require(request.user, Action.MUTASI_VIEW, contact.unit)
    inline = request.GET.get("inline") == "1" and att.content_type in INLINE_TYPES
    if not inline:
        audit_log(
            action="intake.attachment.downloaded",
            actor=request.user,
            unit=contact.unit,
            target=att,
            request=request,
        )
    return _file_response(
        att.file, content_type=att.content_type, filename=att.filename, inline=inline
    )


# --- Phone and letters --------------------------------------------------------------------------
@desk_login_required
@require_http_methods(["GET", "POST"])
def phone_log(request: DeskRequest) -> HttpResponse:
    unit = acting_unit(request.user)
    require(request.user, Action.MUTASI_WRITE, unit)
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.phone_log(
                actor=request.user,
                unit=unit,
                caller=form.cleaned_data["caller"],
                name=form.cleaned_data["name"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Telepon dicatat (%(code)s).") % {"code": contact.tracking_code}
            )
            return redirect("intake:detail", pk=contact.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/phone_form.html", {"form": form, "unit": unit}, status=status)


@desk_login_required
@require_GET
def letter_list(request: DeskRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.MUTASI_VIEW, unit)
    page = Paginator(selectors.letters(unit=unit), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/letters.html",
        {"page": page, "unit": unit, "can_write": can(request.user, Action.MUTASI_WRITE, unit)},
    )


@desk_login_required
@require_http_methods(["GET", "POST"])
def letter_new(request: DeskRequest) -> HttpResponse:
    unit = acting_unit(request.user)
    require(request.user, Action.MUTASI_WRITE, unit)
    form = LetterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            letter = services.letter_register(
                actor=request.user,
                unit=unit,
                sender=d["sender"],
                subject=d["subject"],
                letter_number=d["letter_number"],
                letter_date=d["letter_date"],
                scan=d["scan"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Surat dicatat dengan nomor agenda %(n)s.") % {"n": letter.agenda_number},
            )
            return redirect("intake:letters")
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/letter_form.html", {"form": form, "unit": unit}, status=status)


@desk_login_required
@require_GET
def letter_scan(request: DeskRequest, pk: int) -> FileResponse:
    letter = selectors.letter_get(user=request.user, pk=pk)
    require(request.user, Action.MUTASI_VIEW, letter.unit)
    if not letter.scan:
        raise Http404
    name = (letter.scan.name or "").rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    audit_log(
        action="intake.letter.scan_downloaded",
        actor=request.user,
        unit=letter.unit,
        target=letter,
        request=request,
    )
    return _file_response(letter.scan, content_type=content_type, filename=name, inline=False)


# --- Public: kiosk, lobby display, tracking -----------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(Unit, code=code)
    if request.method == "POST":
        if rate_limited(request, scope="kiosk", limit=KIOSK_LIMIT, window=KIOSK_WINDOW):
            return render(request, "intake/kiosk.html", {"unit": unit, "limited": True}, status=429)
        contact = services.ticket_issue(unit=unit)
        return redirect("intake:kiosk-ticket", code=unit.code, tracking=contact.tracking_code)
    return render(request, "intake/kiosk.html", {"unit": unit})


@never_cache
@require_GET
def kiosk_ticket(request: HttpRequest, code: str, tracking: str) -> HttpResponse:
    unit = get_object_or_404(Unit, code=code)
    contact = selectors.kiosk_ticket(unit=unit, code=tracking)
    track_url = public_url(reverse("intake:track", args=[contact.tracking_code]))
    # The QR opens the pre-registration carrying this ticket: one code for the citizen, and the
    # officer who calls the number finds the form filled (issue 12, item 2).
    ticket = "?" + urlencode({"tiket": contact.tracking_code})
    prereg_url = public_url(reverse("portal:prereg", args=[unit.code, "sktlk"]) + ticket)
    return render(
        request,
        "intake/kiosk_ticket.html",
        {
            "unit": unit,
            "contact": contact,
            "track_url": track_url,
            "qr": qr_svg_scalable(prereg_url),
            "prereg_url": prereg_url,
        },
    )


@never_cache
@require_GET
def lobby(request: HtmxRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(Unit, code=code)
    context = {
        "unit": unit,
        "called": selectors.tickets_called(unit=unit),
        "waiting": selectors.tickets_waiting(unit=unit),
    }
    template = "intake/lobby.html#board" if request.htmx else "intake/lobby.html"
    return render(request, template, context)


@never_cache
@require_GET
def track(request: HtmxRequest, code: str) -> HttpResponse:
    """Public: the citizen follows a contact with its tracking code. Their own messages and the
    replies meant for them; no internal notes, no officer names."""
    contact = selectors.contact_public(code=code)
    if contact is None:
        # A web form message the worker has not filed yet: received, not unknown (ADR 0040).
        received = selectors.received_pending(code=code)
        return render(
            request,
            "intake/track.html",
            {"contact": None, "received": received},
            status=200 if received else 404,
        )
    context = {
        "contact": contact,
        "received": None,
        "thread": selectors.public_thread(contact=contact),
        "waiting": contact.channel == Channel.WALKIN
        and contact.called_at is None
        and contact.status != Status.CLOSED,
        # The pre-registration carries the ticket (issue 12, item 2).
        "prereg_sktlk": reverse("portal:prereg", args=[contact.unit.code, "sktlk"])
        + "?"
        + urlencode({"tiket": contact.tracking_code}),
        "prereg_lp": reverse("portal:prereg", args=[contact.unit.code, "lp"])
        + "?"
        + urlencode({"tiket": contact.tracking_code}),
    }
    if request.htmx:
        # 286 tells HTMX to stop polling: the number was called (or the contact closed).
        status = 200 if context["waiting"] else 286
        return render(request, "intake/track.html#status", context, status=status)
    return render(request, "intake/track.html", context)
