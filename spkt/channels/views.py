"""Webhooks: the providers post here (docs/channels.md). Each view finds the account by its slug
(kept for ACCOUNT_TTL seconds), reads the raw body, checks the signature on it and that it is JSON
it can read, stores it in one INSERT and answers; the worker turns it into contacts
(spkt/channels/inbound.py: store, answer, then process).

Answers: 404 unknown or inactive account, 413 body too big, 401 no credentials, 403 wrong ones;
otherwise 200 once the payload is stored, or 503 (database away) or 500 (anything else) when it
could not be stored, so the provider delivers again. An authentic body that can never
be read (not UTF-8 or JSON, nested too deep, outside the protocol) is a permanent refusal: logged,
nothing stored, and answered so the sender does not deliver it again: 400 for our SMS gateway,
200 ``refused: …`` for Meta and Telegram, which deliver again on any answer but 2xx.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from spkt.channels import inbound, smsgate, tasks, webhooks
from spkt.channels.models import ChannelAccount, SmsGateway
from spkt.core import safejson
from spkt.core.queueing import enqueue_once
from spkt.intake.models import Channel

log = logging.getLogger(__name__)

Check = Callable[[HttpRequest, dict, bytes], None]
Precheck = Callable[[dict], None]


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _account(slug: str, channels: tuple[str, ...]) -> ChannelAccount | None:
    return (
        ChannelAccount.objects.select_related("unit")
        .filter(slug=slug, channel__in=channels, active=True)
        .first()
    )


# Webhooks come in bursts: the account and its decrypted secrets are kept in the process this long.
# A change in the admin is seen at once in this process and within ACCOUNT_TTL in the others.
ACCOUNT_TTL = 30.0
_accounts: dict[tuple[str, tuple[str, ...]], tuple[float, ChannelAccount | None, dict]] = {}


def _cached_account(slug: str, channels: tuple[str, ...]) -> tuple[ChannelAccount | None, dict]:
    now = time.monotonic()
    hit = _accounts.get((slug, channels))
    if hit is not None and now - hit[0] < ACCOUNT_TTL:
        return hit[1], hit[2]
    account = _account(slug, channels)
    secrets = account.secrets if account is not None else {}
    _accounts[(slug, channels)] = (now, account, secrets)
    return account, secrets


@receiver(post_save, sender=ChannelAccount)
@receiver(post_delete, sender=ChannelAccount)
def _forget_accounts(**kwargs: Any) -> None:
    _accounts.clear()


def _enqueue(account_id: int) -> None:
    enqueue_once("inbound", account_id, tasks.inbound_process_task)


# What tells each sender "never send this again". Meta (for up to 7 days) and Telegram (until it
# gives up, the bot's later updates queuing meanwhile) deliver again on every answer but 2xx; our
# SMS gateway protocol defines 4xx as "fix the gateway, do not retry" (docs/channels.md, 2 and 6).
# SMS Gateway for Android retries anything but 2xx for about two days, like Meta.
REFUSED_META = REFUSED_TELEGRAM = REFUSED_ANDROID = 200
REFUSED_SMS = 400


def _refused(account: ChannelAccount, status: int, reason: str) -> HttpResponse:
    """A permanent refusal of an authentic payload: logged (never its content), nothing stored."""
    log.warning("%s/%s: authentic payload refused: %s", account.channel, account.slug, reason)
    return _plain(f"refused: {reason}", status)


def _handle(
    request: HttpRequest,
    slug: str,
    channels: tuple[str, ...],
    check: Check,
    *,
    refused: int,
    precheck: Precheck | None = None,
) -> HttpResponse:
    account, secrets = _cached_account(slug, channels)
    if account is None:
        return _plain("unknown account", 404)
    try:
        body = request.body
    except RequestDataTooBig:
        return _plain("body too large", 413)
    try:
        check(request, secrets, body)
    except webhooks.SignatureMissingError:
        return _plain("signature missing", 401)
    except webhooks.SignatureInvalidError:
        log.warning("%s/%s: webhook with a wrong signature refused", account.channel, slug)
        return _plain("signature invalid", 403)
    try:
        # Lone surrogates become U+FFFD: a citizen's text cut in the middle of an emoji (an SMS
        # split into UTF-16 parts) is kept rather than refused; NULs are dropped.
        payload = safejson.loads(body, repair=True)
    except safejson.JSONRefusedError as exc:
        return _refused(account, refused, str(exc))
    if not isinstance(payload, dict):
        return _refused(account, refused, _("JSON harus berupa objek."))
    try:
        if precheck is not None:
            precheck(payload)
    except webhooks.IgnoredError as exc:
        return _plain(f"ignored: {exc}")  # logged once by the precheck, nothing stored
    except webhooks.MalformedError as exc:
        return _refused(account, refused, str(exc))
    try:
        inbound.store(account, inbound.key(account.channel, payload, body), body)
    except (OperationalError, InterfaceError):
        # The database went away (a restart, a failover): nothing stored; the provider delivers
        # again on any 5xx, and 503 says the fault is passing.
        log.warning("%s/%s: payload not stored, database unavailable", account.channel, slug)
        return _plain("retry", 503)
    except Exception:
        log.exception("%s/%s: payload not stored", account.channel, slug)
        return _plain("retry", 500)
    # The view runs in autocommit (non_atomic_requests): the row is committed, the worker sees it.
    # A failed enqueue loses nothing: the sweep takes the payload within a minute.
    try:
        _enqueue(account.pk)
    except Exception:
        log.exception("%s/%s: payload stored, processing not enqueued", account.channel, slug)
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


def _hub_signature(request: HttpRequest, secrets: dict, body: bytes) -> None:
    webhooks.hub_signature_check(
        secret=secrets.get("app_secret", ""),
        body=body,
        header=request.headers.get("X-Hub-Signature-256"),
    )


def _telegram_secret(request: HttpRequest, secrets: dict, body: bytes) -> None:
    webhooks.telegram_secret_check(
        secret=secrets.get("webhook_secret", ""),
        header=request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
    )


def _sms_signature(request: HttpRequest, secrets: dict, body: bytes) -> None:
    webhooks.sms_signature_check(
        secret=secrets.get("shared_secret", ""),
        body=body,
        timestamp=request.headers.get("X-SPKT-Timestamp"),
        signature=request.headers.get("X-SPKT-Signature"),
    )


def _android_signature(request: HttpRequest, secrets: dict, body: bytes) -> None:
    smsgate.signature_check(
        key=secrets.get("signing_key", ""),
        body=body,
        timestamp=request.headers.get("X-Timestamp"),
        signature=request.headers.get("X-Signature"),
    )


META = (Channel.FACEBOOK, Channel.INSTAGRAM)


@csrf_exempt
@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def whatsapp(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "GET":
        account = _account(slug, (Channel.WHATSAPP,))
        return _verify(request, account) if account else _plain("unknown account", 404)
    return _handle(
        request,
        slug,
        (Channel.WHATSAPP,),
        _hub_signature,
        refused=REFUSED_META,
    )


@csrf_exempt
@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def meta(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "GET":
        account = _account(slug, META)
        return _verify(request, account) if account else _plain("unknown account", 404)
    return _handle(request, slug, META, _hub_signature, refused=REFUSED_META)


@csrf_exempt
@transaction.non_atomic_requests
@require_POST
def telegram(request: HttpRequest, slug: str) -> HttpResponse:
    return _handle(
        request,
        slug,
        (Channel.TELEGRAM,),
        _telegram_secret,
        refused=REFUSED_TELEGRAM,
    )


@csrf_exempt
@transaction.non_atomic_requests
@require_POST
def sms(request: HttpRequest, slug: str) -> HttpResponse:
    """One URL for every SMS account; the account's gateway decides the protocol (a Gammu account
    is fed by its command, never over HTTP)."""
    account, _secrets = _cached_account(slug, (Channel.SMS,))
    gateway = account.sms_gateway if account is not None else ""
    if gateway == SmsGateway.ANDROID:
        return _handle(
            request,
            slug,
            (Channel.SMS,),
            _android_signature,
            refused=REFUSED_ANDROID,
            precheck=smsgate.check,
        )
    if account is not None and gateway != SmsGateway.SPKT:
        return _plain("unknown account", 404)
    return _handle(
        request,
        slug,
        (Channel.SMS,),
        _sms_signature,
        refused=REFUSED_SMS,
        precheck=webhooks.sms_check,
    )
