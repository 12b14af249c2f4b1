"""Webhooks: the providers post here (docs/channels.md). Each view finds the account by its slug,
reads the raw body, checks the signature on it, parses JSON and hands the payload to its adapter.

Answers: 404 unknown or inactive account, 413 body too big, 401 no credentials, 403 wrong ones,
400 not JSON; otherwise 200 — also when a message was refused, because sending it again would not
help — or 500 when something unexpected failed, so the provider delivers again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from spkt.channels import webhooks
from spkt.channels.models import ChannelAccount
from spkt.intake.models import Channel

log = logging.getLogger(__name__)

Check = Callable[[HttpRequest, ChannelAccount, bytes], None]
Adapter = Callable[[ChannelAccount, dict], webhooks.Tally]


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _account(slug: str, channels: tuple[str, ...]) -> ChannelAccount | None:
    return (
        ChannelAccount.objects.select_related("unit")
        .filter(slug=slug, channel__in=channels, active=True)
        .first()
    )


def _handle(
    request: HttpRequest, slug: str, channels: tuple[str, ...], check: Check, adapter: Adapter
) -> HttpResponse:
    account = _account(slug, channels)
    if account is None:
        return _plain("unknown account", 404)
    try:
        body = request.body
    except RequestDataTooBig:
        return _plain("body too large", 413)
    try:
        check(request, account, body)
    except webhooks.SignatureMissingError:
        return _plain("signature missing", 401)
    except webhooks.SignatureInvalidError:
        log.warning("%s/%s: webhook with a wrong signature refused", account.channel, slug)
        return _plain("signature invalid", 403)
    try:
        payload = json.loads(body)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
        return _plain("malformed JSON", 400)
    if not isinstance(payload, dict):
        return _plain("malformed JSON", 400)
    try:
        tally = adapter(account, payload)
    except webhooks.MalformedError as exc:
        return _plain(f"malformed payload: {exc}", 400)
    if tally.failed:
        return _plain("retry", 500)
    return _plain("ok")


def _verify(request: HttpRequest, account: ChannelAccount) -> HttpResponse:
    """Meta's subscription handshake: echo hub.challenge when hub.verify_token is ours."""
    expected = account.secrets.get("verify_token", "")
    given = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and webhooks.secrets_equal(given, expected)
    ):
        return _plain(request.GET.get("hub.challenge", ""))
    return _plain("verification refused", 403)


def _hub_signature(request: HttpRequest, account: ChannelAccount, body: bytes) -> None:
    webhooks.hub_signature_check(
        secret=account.secrets.get("app_secret", ""),
        body=body,
        header=request.headers.get("X-Hub-Signature-256"),
    )


def _telegram_secret(request: HttpRequest, account: ChannelAccount, body: bytes) -> None:
    webhooks.telegram_secret_check(
        secret=account.secrets.get("webhook_secret", ""),
        header=request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
    )


def _sms_signature(request: HttpRequest, account: ChannelAccount, body: bytes) -> None:
    webhooks.sms_signature_check(
        secret=account.secrets.get("shared_secret", ""),
        body=body,
        timestamp=request.headers.get("X-SPKT-Timestamp"),
        signature=request.headers.get("X-SPKT-Signature"),
    )


META = (Channel.FACEBOOK, Channel.INSTAGRAM)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "GET":
        account = _account(slug, (Channel.WHATSAPP,))
        return _verify(request, account) if account else _plain("unknown account", 404)
    return _handle(request, slug, (Channel.WHATSAPP,), _hub_signature, webhooks.whatsapp_receive)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "GET":
        account = _account(slug, META)
        return _verify(request, account) if account else _plain("unknown account", 404)
    return _handle(request, slug, META, _hub_signature, webhooks.meta_receive)


@csrf_exempt
@require_POST
def telegram(request: HttpRequest, slug: str) -> HttpResponse:
    return _handle(request, slug, (Channel.TELEGRAM,), _telegram_secret, webhooks.telegram_receive)


@csrf_exempt
@require_POST
def sms(request: HttpRequest, slug: str) -> HttpResponse:
    return _handle(request, slug, (Channel.SMS,), _sms_signature, webhooks.sms_receive)
