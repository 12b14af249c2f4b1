"""Navigation by role: each user sees only the pages their role may open."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spkt.accounts.secondfactor import second_factor_pending
from spkt.org.permissions import Action, can


def desk(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    if second_factor_pending(user):
        return {"nav": []}  # nothing opens before the code: no menu to lead elsewhere
    items = [(reverse("dashboard"), _("Beranda"), "dashboard")]
    if can(user, Action.LP_WRITE):  # the desk's own list of what is still to do
        items.append((reverse("worklist"), _("Daftar kerja"), "worklist"))
    if can(user, Action.MUTASI_VIEW):
        items.append((reverse("intake:inbox"), _("Kontak masuk"), "inbox"))
        items.append((reverse("fieldhelp:board"), _("Bantuan lapangan"), "fieldhelp"))
    if can(user, Action.SKTLK_ISSUE):
        items.append((reverse("documents:sktlk-new"), _("Terbitkan SKTLK"), "sktlk-new"))
    if can(user, Action.LP_WRITE):
        items.append((reverse("documents:lp-new"), _("Laporan Polisi"), "lp-new"))
    if can(user, Action.RESKRIM_QUEUE):
        items.append((reverse("documents:reskrim"), _("Reskrim"), "reskrim"))
    if can(user, Action.DOCUMENT_VIEW):
        items.append((reverse("documents:register", args=["sktlk"]), _("Register"), "register"))
    if can(user, Action.MUTASI_VIEW):
        items.append((reverse("dutylog:today"), _("Buku Mutasi"), "mutasi"))
    if can(user, Action.COMPLIANCE_VIEW):
        # The five SOP standards; the Buku Mutasi's own 1 x 24 h page is linked from there.
        items.append((reverse("anev:standards"), _("Standar SOP"), "standards"))
    if can(user, Action.REPORT_VIEW):
        items.append((reverse("reports:daily"), _("Laporan harian"), "daily"))
        items.append((reverse("anev:anev"), _("Anev"), "anev"))
        items.append((reverse("ikm:results"), _("IKM"), "ikm"))
    if user.is_staff:
        items.append((reverse("admin:index"), _("Admin"), "admin"))
    return {"nav": items}
