"""Channel accounts in the admin. Secrets are write-only: the form shows which ones are set, never
their values; a blank field keeps the stored value. Every change of secrets is audit-logged (by
name only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spkt.channels import gammu, inbound, smsgate, tasks, webform
from spkt.channels.models import (
    ChannelAccount,
    InboundPayload,
    InboundStatus,
    SmsGateway,
    WebSubmission,
)
from spkt.core.audit import audit_log
from spkt.core.publicurl import public_url
from spkt.intake.models import Channel

SECRETS = {
    "verify_token": _("Token verifikasi webhook (WhatsApp, Facebook, Instagram)"),
    "app_secret": _(
        "App secret Meta, untuk memeriksa tanda tangan (WhatsApp, Facebook, Instagram)"
    ),
    "access_token": _("Access token (WhatsApp, Facebook, Instagram)"),
    "bot_token": _("Token bot (Telegram)"),
    "webhook_secret": _("Secret token webhook (Telegram)"),
    "shared_secret": _("Kunci bersama gateway (SMS, protokol SPKT)"),
    "gateway_password": _("Password API gateway (SMS Gateway for Android)"),
    "signing_key": _("Signing key webhook (SMS Gateway for Android)"),
}
if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

META = ("verify_token", "app_secret", "access_token")
# What each channel cannot work without: secrets, then config keys.
REQUIRED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Channel.WHATSAPP: (META, ("phone_number_id",)),
    Channel.FACEBOOK: (META, ()),
    Channel.INSTAGRAM: (META, ()),
    Channel.TELEGRAM: (("bot_token", "webhook_secret"), ()),
    Channel.SMS: (("shared_secret",), ("send_url",)),
}
# An SMS account's needs depend on its gateway (config "gateway", docs/channels.md 6).
SMS_REQUIRED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    SmsGateway.ANDROID: (("gateway_password", "signing_key"), ("api_url", "username")),
    SmsGateway.GAMMU: ((), ("gammu_config",)),
    SmsGateway.SPKT: (("shared_secret",), ("send_url",)),
}
URL_KEYS = ("api_base", "send_url", "api_url")
WEBHOOKS: dict[str, str] = {
    Channel.WHATSAPP: "channels:whatsapp-webhook",
    Channel.FACEBOOK: "channels:meta-webhook",
    Channel.INSTAGRAM: "channels:meta-webhook",
    Channel.TELEGRAM: "channels:telegram-webhook",
    Channel.SMS: "channels:sms-webhook",
}


def _secret(name: str) -> forms.CharField:
    """A write-only field: never rendered with its value."""
    return forms.CharField(
        label=SECRETS[name],
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Kosongkan untuk mempertahankan nilai yang tersimpan."),
    )


class ChannelAccountForm(forms.ModelForm):
    channel = forms.ChoiceField(label=_("saluran"), choices=Channel.choices)
    verify_token = _secret("verify_token")
    app_secret = _secret("app_secret")
    access_token = _secret("access_token")
    bot_token = _secret("bot_token")
    webhook_secret = _secret("webhook_secret")
    shared_secret = _secret("shared_secret")
    gateway_password = _secret("gateway_password")
    signing_key = _secret("signing_key")
    forget = forms.MultipleChoiceField(
        label=_("Hapus rahasia"),
        choices=[(name, name) for name in SECRETS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ChannelAccount
        fields = ["unit", "channel", "name", "slug", "config", "active"]

    def clean_config(self) -> dict:
        config = self.cleaned_data.get("config") or {}
        if not isinstance(config, dict):
            raise forms.ValidationError(_("Konfigurasi harus berupa objek JSON."))
        for key in URL_KEYS:
            value = config.get(key)
            if value and not (isinstance(value, str) and value.startswith(("https://", "http://"))):
                raise forms.ValidationError(
                    _("%(key)s harus berupa alamat http(s).") % {"key": key}
                )
        gateway = config.get("gateway")
        if gateway is not None and gateway not in SmsGateway.values:
            raise forms.ValidationError(
                _("gateway harus salah satu dari: %(values)s")
                % {"values": ", ".join(SmsGateway.values)}
            )
        path = config.get("gammu_config")
        if path is not None and not (isinstance(path, str) and path.startswith("/")):
            raise forms.ValidationError(_("gammu_config harus berupa path absolut."))
        # Telegram: take messages from groups the bot is in (docs/channels.md 5); a JSON boolean,
        # so "false" or 0 cannot be read as on.
        groups = config.get("telegram_groups")
        if groups is not None and not isinstance(groups, bool):
            raise forms.ValidationError(_("telegram_groups harus true atau false."))
        return config

    def clean(self) -> dict:
        cleaned = super().clean() or self.cleaned_data
        values = self.new_secrets()
        secrets_needed, config_needed = REQUIRED.get(cleaned.get("channel") or "", ((), ()))
        if cleaned.get("channel") == Channel.SMS and isinstance(cleaned.get("config"), dict):
            gateway = cleaned["config"].get("gateway") or SmsGateway.SPKT
            secrets_needed, config_needed = SMS_REQUIRED.get(gateway, ((), ()))
        for name in secrets_needed:
            if not values.get(name):
                self.add_error(name, _("Wajib untuk saluran ini."))
        config = cleaned.get("config") or {}
        missing = [key for key in config_needed if not config.get(key)]
        if missing and "config" not in self.errors:
            self.add_error(
                "config",
                _("Wajib diisi untuk saluran ini: %(keys)s") % {"keys": ", ".join(missing)},
            )
        return cleaned

    def new_secrets(self) -> dict:
        """The stored secrets with this form's changes applied."""
        values = dict(self.instance.secrets) if self.instance.pk else {}
        for name in self.cleaned_data.get("forget") or []:
            values.pop(name, None)
        for name in SECRETS:
            if self.cleaned_data.get(name):
                values[name] = self.cleaned_data[name]
        return values

    def changed_secrets(self) -> list[str]:
        before = dict(self.instance.secrets) if self.instance.pk else {}
        after = self.new_secrets()
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    form = ChannelAccountForm
    list_display = ["name", "channel", "unit", "slug", "active"]
    list_filter = ["channel", "active"]
    list_select_related = ["unit"]
    search_fields = ["name", "slug"]
    readonly_fields = ["webhook_url", "secrets_set"]
    actions = ["test_connection"]
    fieldsets = [
        (None, {"fields": ["unit", "channel", "name", "slug", "active", "config"]}),
        (_("Webhook"), {"fields": ["webhook_url"]}),
        (_("Rahasia"), {"fields": ["secrets_set", *SECRETS, "forget"]}),
    ]

    @admin.display(description=_("alamat webhook"))
    def webhook_url(self, obj: ChannelAccount | None) -> str:
        name = WEBHOOKS.get(obj.channel) if obj and obj.pk else None
        if obj is not None and obj.channel == Channel.SMS and obj.sms_gateway == SmsGateway.GAMMU:
            name = None  # fed by manage.py gammu_receive, not over HTTP
        if not name or obj is None:
            return "—"
        return public_url(reverse(name, args=[obj.slug]))

    @admin.action(description=_("Uji koneksi gateway SMS"), permissions=["change"])
    def test_connection(self, request: HttpRequest, queryset: QuerySet[ChannelAccount]) -> None:
        """Ask each selected SMS account's gateway whether it can be reached (docs/channels.md 6):
        the Android app's webhook list with the stored credentials, or Gammu's configuration,
        folders, hooks and running daemon."""
        text: StrOrPromise
        for account in queryset.select_related("unit").order_by("pk"):
            if account.channel != Channel.SMS:
                ok, text = False, _("Uji koneksi hanya untuk akun SMS.")
            elif account.sms_gateway == SmsGateway.ANDROID:
                ok, text = smsgate.connection_check(account, self.webhook_url(account))
            elif account.sms_gateway == SmsGateway.GAMMU:
                ok, text = gammu.connection_check(account)
            else:
                ok, text = False, _("Protokol SPKT: uji dari sisi gateway Anda sendiri.")
            self.message_user(
                request,
                f"{account.name}: {text}",
                messages.SUCCESS if ok else messages.ERROR,
            )

    @admin.display(description=_("rahasia tersimpan"))
    def secrets_set(self, obj: ChannelAccount | None) -> str:
        names = sorted(obj.secrets) if obj and obj.pk else []
        return ", ".join(names) or "—"

    def save_model(
        self, request: HttpRequest, obj: ChannelAccount, form: ChannelAccountForm, change: bool
    ) -> None:
        changed = form.changed_secrets()
        obj.set_secrets(form.new_secrets())
        super().save_model(request, obj, form, change)
        if changed:
            audit_log(
                action="channels.account.secrets_changed",
                actor=request.user,
                unit=obj.unit,
                target=obj,
                data={"names": changed},
                request=request,
            )


class ReasonFilter(admin.SimpleListFilter):
    """The payloads that failed, by the kind of error (its text up to the first colon)."""

    title = _("galat")
    parameter_name = "reason"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        errors = (
            InboundPayload.objects.exclude(error="")
            .order_by()
            .values_list("error", flat=True)
            .distinct()[:200]
        )
        kinds = sorted({error.split(":", 1)[0][:60] for error in errors})
        return [(kind, kind) for kind in kinds[:20]]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[InboundPayload]
    ) -> QuerySet[InboundPayload]:
        value = self.value()
        return queryset.filter(error__startswith=value) if value else queryset


@admin.register(InboundPayload)
class InboundPayloadAdmin(admin.ModelAdmin):
    """The webhook payloads as stored, and the dead letters: payloads the worker could not
    process after MAX_ATTEMPTS, with the reason. "Proses ulang" sends them through again."""

    list_display = ["id", "account", "received_at", "status", "attempts", "short_error"]
    list_filter = ["status", ReasonFilter, "account__channel"]
    list_select_related = ["account"]
    search_fields = ["key", "error"]
    readonly_fields = [
        "account",
        "received_at",
        "key",
        "status",
        "attempts",
        "next_attempt_at",
        "processed_at",
        "error",
        "body",
    ]
    actions = ["reprocess"]
    date_hierarchy = "received_at"

    @admin.display(description=_("galat"))
    def short_error(self, obj: InboundPayload) -> str:
        return obj.error[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description=_("Proses ulang payload terpilih"), permissions=["change"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        ids = list(queryset.exclude(status=InboundStatus.DONE).values_list("pk", flat=True))
        accounts = inbound.reprocess(InboundPayload.objects.filter(pk__in=ids))
        for account_id in accounts:
            tasks.inbound_process_task(account_id)
        audit_log(
            action="channels.inbound.reprocessed",
            actor=request.user,
            data={"payloads": ids[:100], "count": len(ids)},
            request=request,
        )
        self.message_user(
            request,
            _("%(count)d payload dikirim untuk diproses ulang.") % {"count": len(ids)},
            messages.SUCCESS,
        )


@admin.register(WebSubmission)
class WebSubmissionAdmin(admin.ModelAdmin):
    """Web form submissions as stored, and the dead letters: submissions the worker could not turn
    into contacts after MAX_ATTEMPTS, with the reason. "Proses ulang" sends them through again."""

    list_display = [
        "id",
        "unit",
        "tracking_code",
        "received_at",
        "status",
        "attempts",
        "short_error",
    ]
    list_filter = ["status"]
    list_select_related = ["unit"]
    search_fields = ["tracking_code", "error"]
    readonly_fields = [
        "unit",
        "key",
        "tracking_code",
        "received_at",
        "sender_name",
        "reply_to",
        "body",
        "files",
        "status",
        "attempts",
        "next_attempt_at",
        "processed_at",
        "error",
    ]
    actions = ["reprocess"]
    date_hierarchy = "received_at"

    @admin.display(description=_("galat"))
    def short_error(self, obj: WebSubmission) -> str:
        return obj.error[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description=_("Proses ulang kiriman terpilih"), permissions=["change"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        ids = list(queryset.exclude(status=InboundStatus.DONE).values_list("pk", flat=True))
        units = webform.reprocess(WebSubmission.objects.filter(pk__in=ids))
        for unit_id in units:
            tasks.webform_process_task(unit_id)
        audit_log(
            action="channels.webform.reprocessed",
            actor=request.user,
            data={"submissions": ids[:100], "count": len(ids)},
            request=request,
        )
        self.message_user(
            request,
            _("%(count)d kiriman dikirim untuk diproses ulang.") % {"count": len(ids)},
            messages.SUCCESS,
        )
