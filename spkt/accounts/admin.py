"""The admin's user page, with the second-factor reset (ADR 0037). ``org.User`` is registered
here, beside the sign-in flow, so ``spkt.org`` does not depend on it."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from spkt.accounts import secondfactor
from spkt.org.models import User
from spkt.org.request_types import DeskRequest

# django-otp's own admin pages would show any user's TOTP secret (its QR) to an admin, who could
# then carry that user's second factor. Admins reset a factor instead (UserAdmin action, ADR 0037).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [*(BaseUserAdmin.fieldsets or ()), ("SPKT", {"fields": ["unit"]})]
    list_display = ["username", "first_name", "unit", "is_active"]
    list_filter = ["unit", "groups", "is_active"]
    actions = ["second_factor_reset"]

    @admin.action(description=_("Reset faktor kedua (ponsel hilang): daftar ulang saat masuk"))
    def second_factor_reset(self, request: DeskRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            secondfactor.second_factor_reset(actor=request.user, user=user)
        self.message_user(
            request,
            _("Faktor kedua %(n)d pengguna direset; mereka mendaftar ulang saat masuk.")
            % {"n": queryset.count()},
        )
