"""Public pages: no login, no personal data beyond what the document itself shows."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache

from spkt.core.models import UnitKey
from spkt.core.pdf import qr_svg
from spkt.core.ratelimit import rate_limited
from spkt.core.signing import public_pem, verify_payload
from spkt.documents.forms import PublicLpForm, PublicSktlkForm
from spkt.documents.models import Document, PreRegistration
from spkt.documents.prereg import prereg_create
from spkt.documents.selectors import STATUS_LABELS, document_public_status
from spkt.org.models import Unit, UnitKind

if TYPE_CHECKING:
    from typing import Any

    from django.core.files.uploadedfile import UploadedFile

    from spkt.intake.models import Contact

MAX_PARAM = 2000


def _signature_holds(doc: Document, payload_b64: str, signature_b64: str) -> bool:
    key = UnitKey.objects.filter(unit=doc.unit).values_list("public_key", flat=True).first()
    if key is None or len(payload_b64) > MAX_PARAM or len(signature_b64) > MAX_PARAM:
        return False
    payload = verify_payload(key, payload_b64, signature_b64)
    return (
        payload is not None
        and payload.get("k") == doc.verify_token
        and (payload.get("n"), payload.get("t"), payload.get("a"))
        == (doc.number, doc.doc_type, doc.subject_name.upper())
    )


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    doc = (
        Document.objects.select_related("unit", "void").filter(verify_token=token).first()
        if len(token) <= 32
        else None
    )
    if doc is None:
        return render(request, "portal/verify.html", {"doc": None}, status=404)
    signed = None
    p, s = request.GET.get("p", ""), request.GET.get("s", "")
    if p or s:
        signed = _signature_holds(doc, p, s)
    status = document_public_status(doc) if signed is not False else "tampered"
    return render(
        request,
        "portal/verify.html",
        {
            "doc": doc,
            "status": status,
            "signed": signed,
            "status_label": STATUS_LABELS.get(status, STATUS_LABELS["valid"]),
        },
    )


@cache_control(public=True, max_age=3600)  # the one page proxies may keep (NoStoreMiddleware)
def public_key(request: HttpRequest, code: str) -> HttpResponse:
    """The unit's published verification key (PEM), for offline checks of QR payloads."""
    key = UnitKey.objects.filter(unit__code=code).values_list("public_key", flat=True).first()
    if key is None:
        raise Http404
    response = HttpResponse(public_pem(key), content_type="application/x-pem-file")
    response["Content-Disposition"] = f'inline; filename="spkt-{code}.pem"'
    return response


# --- Pre-registration -------------------------------------------------------------------------
RATE_LIMIT = 5  # submissions per address per window: enough for a family, not for a script
RATE_WINDOW = 600


def _rate_limited(request: HttpRequest) -> bool:
    """Pre-registrations and web messages share one count per client address."""
    return rate_limited(request, scope="prereg", limit=RATE_LIMIT, window=RATE_WINDOW)


def portal_index(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.filter(kind=UnitKind.POLSEK).order_by("name")
    return render(request, "portal/index.html", {"units": units})


def prereg_form(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """The citizen's pre-registration. From a kiosk ticket's QR (``?tiket=<tracking code>``) it
    carries the ticket: one code for the citizen, and the officer who calls the number opens
    the form already filled (issue 12, item 2)."""
    from spkt.intake.selectors import ticket_waiting
    from spkt.intake.services import ticket_preregistered

    unit = Unit.objects.filter(code=code).first()
    forms_by_kind = {"sktlk": PublicSktlkForm, "lp": PublicLpForm}
    if unit is None or kind not in forms_by_kind:
        raise Http404
    raw_ticket = (request.GET.get("tiket") or "").strip()[:20]
    ticket = ticket_waiting(unit=unit, code=raw_ticket) if raw_ticket else None
    form = forms_by_kind[kind](request.POST or None, unit=unit)
    query = "?" + urlencode({"tiket": ticket.tracking_code}) if ticket else ""
    other = "lp" if kind == "sktlk" else "sktlk"
    context = {
        "form": form,
        "unit": unit,
        "kind": kind,
        "ticket": ticket,
        "ticket_unknown": bool(raw_ticket) and ticket is None,
        "action": reverse("portal:prereg", args=[unit.code, kind]) + query,
        "other_url": reverse("portal:prereg", args=[unit.code, other]) + query,
    }
    if request.method == "POST":
        if _rate_limited(request):
            return render(
                request, "portal/prereg_form.html", {**context, "limited": True}, status=429
            )
        valid = form.is_valid()
        if context["ticket_unknown"]:
            form.add_error(
                None, _("Nomor antrean ini tidak ditemukan atau sudah selesai dilayani.")
            )
        elif valid:
            try:
                with transaction.atomic():
                    created = _prereg_create(unit, kind, form)
                    if ticket is not None:
                        ticket = ticket_preregistered(
                            unit=unit, tracking_code=ticket.tracking_code, preregistration=created
                        )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return _prereg_done(request, unit, created, ticket)
    return render(
        request,
        "portal/prereg_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _prereg_done(
    request: HttpRequest, unit: Unit, created: PreRegistration, ticket: Contact | None
) -> HttpResponse:
    """The confirmation: with a ticket, the ticket's code is the citizen's one code; without,
    the pre-registration's own. Either way a link to the page that follows it."""
    if ticket is not None:  # the citizen is in the lobby with the paper ticket: no second QR
        track_url, qr = reverse("intake:track", args=[ticket.tracking_code]), ""
    else:
        track_url = reverse("portal:prereg-track", args=[created.code])
        qr = qr_svg(created.code)
    return render(
        request,
        "portal/prereg_done.html",
        {"prereg": created, "unit": unit, "ticket": ticket, "track_url": track_url, "qr": qr},
    )


def _prereg_create(unit: Unit, kind: str, form: PublicSktlkForm | PublicLpForm) -> PreRegistration:
    d = form.cleaned_data
    if isinstance(form, PublicSktlkForm):  # kind "sktlk"
        return prereg_create(
            unit=unit,
            kind="SKTLK",
            citizen=form.citizen(),
            items=[{"kind": i.kind, "details": i.details} for i in form.items()],
            event={
                "lost_on": d["lost_on"].isoformat(),
                "lost_place": d["lost_place"],
                "chronology": d["chronology"],
            },
        )
    return prereg_create(
        unit=unit,
        kind="LP_B",
        citizen=form.citizen(),
        event={
            "when": d["event_when"].isoformat(),
            "where": d["event_where"],
            "what": d["event_what"],
            "account": d["account"],
        },
    )


MAX_FILES = 3


class _Files(forms.ClearableFileInput):
    allow_multiple_selected = True


class _FilesField(forms.FileField):
    """Up to MAX_FILES photos or documents; the attachment policy is checked by the service."""

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data or []) if f] if isinstance(data, list | tuple) else [data]
        files = [super(_FilesField, self).clean(f, initial) for f in files if f]
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("Paling banyak %(n)d lampiran.") % {"n": MAX_FILES}, code="too_many"
            )
        return files


class WebMessageForm(forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=120)
    reply_to = forms.CharField(label=_("No. HP atau email untuk balasan"), max_length=120)
    message = forms.CharField(
        label=_("Pesan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = _FilesField(  # type: ignore[assignment]  # a form field named like BaseForm.files
        label=_("Lampiran (foto atau PDF, maksimal 3, masing-masing 10 MB)"),
        required=False,
        widget=_Files(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    # Drawn each time the form is shown: a double click or a resent form is one message.
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_reply_to(self) -> str:
        value = self.cleaned_data["reply_to"].strip()
        digits = "".join(c for c in value if c.isdigit())
        if "@" in value:
            forms.EmailField().clean(value)
        elif len(digits) < 8:
            raise ValidationError(_("Isi nomor HP atau alamat email yang benar."))
        return value

    def clean_token(self) -> str:
        from spkt.channels.webform import TOKEN, new_token

        value = self.cleaned_data["token"]
        if not value:
            return new_token()  # a client without the page's token: stored, never deduplicated
        if not TOKEN.fullmatch(value):
            raise ValidationError(_("Formulir tidak sah. Muat ulang halaman lalu kirim lagi."))
        return value


def _web_message_done(request: HttpRequest, unit: Unit, code: str) -> HttpResponse:
    """Post/Redirect/Get: the answer to a stored message is a 303 to its confirmation page, so a
    reload or the back button never offers to send the form again."""
    response = redirect("portal:web-message-done", code=unit.code, tracking=code)
    response.status_code = 303
    return response


def web_message_done(request: HttpRequest, code: str, tracking: str) -> HttpResponse:
    """The confirmation with the tracking code, for a message this unit's form really stored."""
    from spkt.channels import webform

    unit = webform.form_unit(code)
    if (
        unit is None
        or not (6 <= len(tracking) <= 12 and tracking.isalnum())
        or not webform.WebSubmission.objects.filter(unit=unit, tracking_code=tracking).exists()
    ):
        raise Http404
    return render(request, "portal/web_message_done.html", {"code": tracking, "unit": unit})


@transaction.non_atomic_requests
def web_message(request: HttpRequest, code: str) -> HttpResponse:
    """The public web form: one channel among the others, on the same 5-minute clock. Stored in
    one INSERT and answered with its tracking code; the worker makes the contact (ADR 0040)."""
    from spkt.channels import webform
    from spkt.intake.services import IncomingFile

    unit = webform.form_unit(code)
    if unit is None:
        raise Http404
    if request.method != "POST":
        form = WebMessageForm(initial={"token": webform.new_token()})
        return render(request, "portal/web_message.html", {"form": form, "unit": unit})
    form = WebMessageForm(request.POST, request.FILES)
    valid = form.is_valid()
    if _rate_limited(request):
        # The same form sent again (a double click, a reload) still gets its code.
        token = form.cleaned_data.get("token") if valid else None
        earlier = (
            webform.WebSubmission.objects.filter(unit=unit, key=token).first() if token else None
        )
        if earlier is not None:
            return _web_message_done(request, unit, earlier.tracking_code)
        return render(
            request,
            "portal/web_message.html",
            {"form": form, "unit": unit, "limited": True},
            status=429,
        )
    if valid:
        d = form.cleaned_data
        try:
            files = [IncomingFile(f.name, f.content_type or "", f.read()) for f in d["files"]]
            submission = webform.submit(
                unit=unit,
                key=d["token"],
                name=d["name"],
                reply_to=d["reply_to"],
                body=d["message"],
                files=files,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            webform.enqueue(unit.pk)
            return _web_message_done(request, unit, submission.tracking_code)
    return render(request, "portal/web_message.html", {"form": form, "unit": unit}, status=400)


def track_entry(request: HttpRequest) -> HttpResponse:
    """Public: type the code from an STTLP (an LP's progress) or from a message, a kiosk ticket or
    a contact's reply (the contact's status), and go to its page."""
    from spkt.documents.models import DocType, Document
    from spkt.intake.models import Contact

    raw = (request.GET.get("kode") or "").strip().upper()
    if not raw:
        return render(request, "portal/track_entry.html", {"code": ""})
    if 6 <= len(raw) <= 12 and raw.isalnum():
        if Document.objects.filter(
            tracking_code=raw, doc_type__in=[DocType.LP_A, DocType.LP_B]
        ).exists():
            return redirect("portal:track", code=raw)
        contact = Contact.objects.filter(tracking_code__iexact=raw).values_list(
            "tracking_code", flat=True
        )
        if contact:
            return redirect("intake:track", code=contact[0])
        from spkt.intake.selectors import received_pending

        received = received_pending(code=raw)
        if received is not None:  # a web form message not filed yet: its page says so
            return redirect("intake:track", code=received.tracking_code)
        if PreRegistration.objects.filter(code=raw).exists():
            return redirect("portal:prereg-track", code=raw)
    return render(
        request, "portal/track_entry.html", {"code": raw[:20], "not_found": True}, status=404
    )


@never_cache
def prereg_track(request: HttpRequest, code: str) -> HttpResponse:
    """Public: what became of a pre-registration — waiting at the desk, served (with the LP's
    own tracking page once there is one) or expired. Nothing personal is shown."""
    from spkt.core import clock

    code = code.strip().upper()
    found = (
        PreRegistration.objects.select_related("unit", "document").filter(code=code).first()
        if len(code) <= 10
        else None
    )
    if found is None:
        return render(request, "portal/prereg_track.html", {"prereg": None}, status=404)
    document = found.document
    lp_code = (
        document.tracking_code
        if document is not None and document.doc_type in ("LP_A", "LP_B")
        else ""
    )
    if found.used_at is not None:
        state = "used"
    elif found.expires_at < clock.now():
        state = "expired"
    else:
        state = "waiting"
    return render(
        request,
        "portal/prereg_track.html",
        {"prereg": found, "state": state, "document": document, "lp_code": lp_code},
    )
