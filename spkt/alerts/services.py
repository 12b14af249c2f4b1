"""Writes of the phone alerts: subscribing a browser, queueing an alert for every device of a user,
and delivering each push with retries (the claim-and-retry shape of intake.outbox)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from datetime import timedelta
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from spkt.alerts.models import PushDelivery, PushStatus, PushSubscription
from spkt.alerts.webpush import push_post
from spkt.core import clock, retry
from spkt.org.models import User

MAX_ATTEMPTS = 8
CLAIM = timedelta(minutes=5)  # longer than any send can take (HTTP times out at 10 s)
MAX_DEVICES = 10  # per user: a phone, a tablet, a desk PC or two, and room for stale ones


def backoff(attempts: int) -> timedelta:
    return retry.backoff(attempts, first=15, cap=1800)


# --- Subscribing ---------------------------------------------------------------------------------
def _key(value: object, size: int, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 200:
        raise ValidationError(_("Kunci %(what)s tidak ada atau tidak sah.") % {"what": what})
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError(_("Kunci %(what)s tidak sah.") % {"what": what}) from None
    if len(raw) != size:
        raise ValidationError(_("Kunci %(what)s tidak sah.") % {"what": what})
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _endpoint(value: object) -> str:
    """The push service's URL: https, a host name, no credentials. Plain http only to this machine
    outside production (the tests' local push service)."""
    if not isinstance(value, str) or not value or len(value) > 1000:
        raise ValidationError(_("Alamat layanan push tidak ada atau terlalu panjang."))
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise ValidationError(_("Alamat layanan push tidak sah.")) from None
    if not host or parts.username or parts.password or parts.fragment:
        raise ValidationError(_("Alamat layanan push tidak sah."))
    if parts.scheme == "https":
        pass
    elif not (parts.scheme == "http" and _loopback(host) and not settings.PROD):
        raise ValidationError(_("Layanan push harus memakai https."))
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return value
    if settings.PROD and not address.is_global:
        raise ValidationError(_("Alamat layanan push tidak sah."))
    return value


def subscription_save(*, user: User, data: object, label: str = "") -> PushSubscription:
    """Store the browser's subscription (``PushSubscription.toJSON()``) for the user. The same
    browser subscribing again updates its keys; signed in as another user, it moves to them."""
    if not isinstance(data, dict):
        raise ValidationError(_("Data langganan notifikasi tidak sah."))
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise ValidationError(_("Kunci langganan notifikasi tidak ada."))
    endpoint = _endpoint(data.get("endpoint"))
    p256dh = _key(keys.get("p256dh"), 65, "p256dh")
    auth = _key(keys.get("auth"), 16, "auth")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), base64.urlsafe_b64decode(p256dh + "=" * (-len(p256dh) % 4))
        )
    except ValueError:
        raise ValidationError(_("Kunci %(what)s tidak sah.") % {"what": "p256dh"}) from None
    with transaction.atomic():
        others = user.push_subscriptions.exclude(endpoint=endpoint)
        if others.count() >= MAX_DEVICES:
            raise ValidationError(
                _("Sudah ada %(n)d perangkat; hapus perangkat lama lebih dulu.")
                % {"n": MAX_DEVICES}
            )
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=endpoint,
            defaults={
                "user": user,
                "p256dh": p256dh,
                "auth": auth,
                "label": label[:120],
                "failures": 0,
            },
            create_defaults={
                "user": user,
                "p256dh": p256dh,
                "auth": auth,
                "label": label[:120],
                "created_at": clock.now(),
            },
        )
    return subscription


def subscription_delete(*, user: User, pk: int) -> bool:
    """Forget one of the user's own devices; another user's is not found."""
    deleted, _rows = PushSubscription.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


# --- Queueing ------------------------------------------------------------------------------------
def alert_language() -> translation.override:
    """The language of a push: the station's working language (the reader is not the actor)."""
    return translation.override(settings.LANGUAGE_CODE)


def alert_push(*, user: User, title: str, body: str, url: str, tag: str) -> list[int]:
    """Queue an alert for every device of the user, in the caller's transaction; each push is
    sent after commit and retried by the clock until the push service takes it. Returns the ids.
    The text shows on a lock screen: callers put no personal data in it, only the link."""
    now = clock.now()
    rows = [
        PushDelivery(
            user=user,
            subscription_id=pk,
            title=title[:120],
            body=body[:400],
            url=url[:500],
            tag=tag[:64],
            created_at=now,
            next_attempt_at=now,
        )
        for pk in user.push_subscriptions.values_list("pk", flat=True)
    ]
    if not rows:
        return []
    ids = [row.pk for row in PushDelivery.objects.bulk_create(rows)]
    if None in ids:  # a database that returns no ids from a bulk insert: the clock sends them
        return []
    transaction.on_commit(lambda: _enqueue(ids))
    return ids


def push_test(*, user: User) -> int:
    """A test alert to every device of the user; returns how many devices."""
    with transaction.atomic():
        return len(
            alert_push(
                user=user,
                title=_("Uji notifikasi SPKT"),
                body=_("Notifikasi di ponsel ini berfungsi."),
                url="/notifikasi/",
                tag="spkt-test",
            )
        )


def _enqueue(ids: list[int]) -> None:
    from spkt.alerts.tasks import push_deliver_task

    for pk in ids:
        push_deliver_task(pk)


# --- Delivering ----------------------------------------------------------------------------------
def _claim(delivery_id: int) -> PushDelivery | None:
    if not retry.claim(
        PushDelivery,
        delivery_id,
        pending=PushStatus.PENDING,
        sending=PushStatus.SENDING,
        hold=CLAIM,
    ):
        return None
    return PushDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()


def push_deliver(delivery_id: int) -> str:
    """Send one push if it is due; returns its status afterwards ("" when it no longer exists)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return (
            PushDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
            or ""
        )
    sub = delivery.subscription
    now = clock.now()
    outcome = push_post(
        endpoint=sub.endpoint,
        p256dh=sub.p256dh,
        auth=sub.auth,
        message={
            "title": delivery.title,
            "body": delivery.body,
            "url": delivery.url,
            "tag": delivery.tag,
        },
    )
    attempts = delivery.attempts + 1
    if outcome.gone:
        # The browser unsubscribed or was reset: the device and its queued pushes go.
        PushSubscription.objects.filter(pk=sub.pk).delete()
        return ""
    with transaction.atomic():
        if outcome.ok:
            PushDelivery.objects.filter(pk=delivery.pk).update(
                status=PushStatus.SENT,
                attempts=attempts,
                sent_at=now,
                claimed_until=None,
                last_error="",
            )
            PushSubscription.objects.filter(pk=sub.pk).update(last_success_at=now, failures=0)
            return PushStatus.SENT
        give_up = not outcome.retry or attempts >= MAX_ATTEMPTS
        PushDelivery.objects.filter(pk=delivery.pk).update(
            status=PushStatus.FAILED if give_up else PushStatus.PENDING,
            attempts=attempts,
            claimed_until=None,
            last_error=outcome.error[:2000],
            next_attempt_at=now + backoff(attempts),
        )
        PushSubscription.objects.filter(pk=sub.pk).update(failures=F("failures") + 1)
    return PushStatus.FAILED if give_up else PushStatus.PENDING


KEEP_SENT = timedelta(days=30)


def push_sweep(*, limit: int = 200) -> int:
    """Send every push that is due (new, retry, or abandoned by a dead worker); run by the clock.
    Pushes sent a month ago go (the alerts themselves stay in their own tables)."""
    now = clock.now()
    old = PushDelivery.objects.filter(
        status=PushStatus.SENT, next_attempt_at__lt=now - KEEP_SENT
    ).values_list("pk", flat=True)[:500]
    PushDelivery.objects.filter(pk__in=list(old)).delete()
    due = PushDelivery.objects.filter(
        Q(status=PushStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=PushStatus.SENDING, claimed_until__lt=now)
    ).values_list("pk", flat=True)[:limit]
    return sum(1 for pk in list(due) if push_deliver(pk) == PushStatus.SENT)
