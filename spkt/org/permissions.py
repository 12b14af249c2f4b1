"""Who may do what, where. Every view and API endpoint asks here, so the rules live in one place.

Station isolation: a user acts on their own unit and reads their unit and everything below it. An
object of a unit the user cannot see is reported as "not found" (404), never as "forbidden", so ids
of other stations reveal nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from spkt.org.models import Role, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from spkt.org.models import User


class Action(StrEnum):
    SKTLK_ISSUE = "sktlk.issue"
    DOCUMENT_VIEW = "document.view"
    MUTASI_VIEW = "mutasi.view"
    REPORT_VIEW = "report.view"
    DOCUMENT_VOID = "document.void"
    MUTASI_WRITE = "mutasi.write"
    SHIFT_RUN = "shift.run"
    ROSTER_PLAN = "roster.plan"
    COMPLIANCE_VIEW = "compliance.view"
    LP_WRITE = "lp.write"
    LP_REVIEW = "lp.review"
    RESKRIM_QUEUE = "reskrim.queue"
    FIELD_WRITE = "field.write"
    IKM_KIOSK = "ikm.kiosk"
    REPORT_SUBMIT = "report.submit"
    REPORT_ACK = "report.ack"


_ALL_STAFF = frozenset(Role.values)
ACTION_ROLES: dict[Action, frozenset[str]] = {
    Action.SKTLK_ISSUE: frozenset({Role.ANGGOTA_JAGA, Role.KA_SPKT}),
    Action.DOCUMENT_VIEW: _ALL_STAFF,
    Action.MUTASI_VIEW: _ALL_STAFF,
    Action.REPORT_VIEW: _ALL_STAFF,
    Action.DOCUMENT_VOID: frozenset({Role.KA_SPKT, Role.KAPOLSEK}),
    Action.MUTASI_WRITE: frozenset({Role.ANGGOTA_JAGA, Role.KA_SPKT}),
    # Opening a shift and counting a handover; confirming needs both heads' own passwords.
    Action.SHIFT_RUN: frozenset({Role.ANGGOTA_JAGA, Role.KA_SPKT}),
    Action.ROSTER_PLAN: frozenset({Role.KA_SPKT, Role.KAPOLSEK, Role.ADMIN}),
    Action.COMPLIANCE_VIEW: frozenset({Role.PENILAI, Role.KAPOLSEK, Role.KA_SPKT, Role.ADMIN}),
    Action.LP_WRITE: frozenset({Role.ANGGOTA_JAGA, Role.KA_SPKT}),
    # The case review (gelar awal) and the progress notes the reporter reads.
    Action.LP_REVIEW: frozenset({Role.RESKRIM}),
    Action.RESKRIM_QUEUE: frozenset({Role.RESKRIM, Role.KA_SPKT, Role.KAPOLSEK, Role.PENILAI}),
    # Field help: request, dispatch and follow a task (the desk; the assigned officer too).
    Action.FIELD_WRITE: frozenset({Role.ANGGOTA_JAGA, Role.KA_SPKT}),
    # The survey tablet at the desk, opened by the officer for the citizens in front of them.
    Action.IKM_KIOSK: frozenset({Role.ANGGOTA_JAGA, Role.KA_SPKT}),
    # The daily report: the Ka SPKT sends it, the Kapolsek (or whoever holds the role: acting)
    # acknowledges it.
    Action.REPORT_SUBMIT: frozenset({Role.KA_SPKT}),
    Action.REPORT_ACK: frozenset({Role.KAPOLSEK}),
}
# Actions that change a unit's records: only at the user's own unit, never at a unit below.
WRITE_ACTIONS = frozenset(
    {
        Action.SKTLK_ISSUE,
        Action.DOCUMENT_VOID,
        Action.MUTASI_WRITE,
        Action.SHIFT_RUN,
        Action.ROSTER_PLAN,
        Action.LP_WRITE,
        Action.LP_REVIEW,
        Action.FIELD_WRITE,
        Action.IKM_KIOSK,
        Action.REPORT_SUBMIT,
        Action.REPORT_ACK,
    }
)


def visible_units(user: User | AnonymousUser) -> QuerySet[Unit]:
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    if user.unit is None:  # no query when there is no unit
        return Unit.objects.none()
    return Unit.objects.filter(path__startswith=user.unit.path)


def can(user: User | AnonymousUser, action: Action, unit: Unit | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return action not in WRITE_ACTIONS
    if not user.has_role(*ACTION_ROLES[action]):
        return False
    if unit is None:
        return True
    if action in WRITE_ACTIONS:
        return unit.pk == user.unit_id
    return user.unit is not None and unit.path.startswith(user.unit.path)


def require(user: User | AnonymousUser, action: Action, unit: Unit | None = None) -> None:
    """Raise 404 for a unit out of sight, 403 for a visible unit the role may not act on."""
    if unit is not None and not visible_units(user).filter(pk=unit.pk).exists():
        raise Http404
    if not can(user, action, unit):
        raise PermissionDenied


def acting_unit(user: User) -> Unit:
    """The unit a desk write happens at: the user's own."""
    if user.unit is None:
        raise PermissionDenied
    return user.unit
