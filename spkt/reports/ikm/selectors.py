"""Reads of the survey: a link's invitation, and the index of a set of units over a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core import signing
from django.db.models import Count, Q, Sum

from spkt.reports.ikm.index import IkmResult, ikm_compute, minimum_sample
from spkt.reports.ikm.models import (
    SCORE_FIELDS,
    AgeBand,
    Education,
    Gender,
    Occupation,
    ServiceKind,
    SurveyInvitation,
    SurveyResponse,
)
from spkt.reports.ikm.questions import ELEMENT_NAMES
from spkt.reports.ikm.services import SALT

COMMENTS_SHOWN = 50


def invitation_by_token(token: str) -> SurveyInvitation | None:
    """The invitation a link names, or None when the token is forged, malformed or unknown."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _, nonce = value.partition(".")
    if not pk.isdigit() or len(pk) > 18:
        return None
    return SurveyInvitation.objects.select_related("unit").filter(pk=int(pk), nonce=nonce).first()


@dataclass
class ElementRow:
    number: int
    name: str
    nrr: Decimal
    weighted: Decimal


@dataclass
class IkmSummary:
    """What the results page, its PDF, the API and the daily report read. ``ikm`` and
    ``category`` are None for a period without responses."""

    start: datetime
    end: datetime
    service: str | None
    responses: int
    services: int  # services given in the period (the population of the sample)
    minimum_sample: int
    result: IkmResult | None
    elements: list[ElementRow] = field(default_factory=list)
    profile: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)
    comments: list[SurveyResponse] = field(default_factory=list)

    @property
    def ikm(self) -> Decimal | None:
        return self.result.ikm if self.result else None

    @property
    def category(self) -> str | None:
        return self.result.category if self.result else None

    @property
    def performance(self) -> str | None:
        return self.result.performance if self.result else None

    @property
    def sample_reached(self) -> bool:
        return self.responses >= self.minimum_sample and self.responses > 0


PROFILE = (
    ("gender", Gender),
    ("age_band", AgeBand),
    ("education", Education),
    ("occupation", Occupation),
)


def services_count(
    *, unit_ids: list[int], start: datetime, end: datetime, service: str | None = None
) -> int:
    """Services given in the period: documents issued plus contacts closed. An STTLP is the
    receipt of an LP already counted, and a contact closed with its SKTLK/LP is that document,
    so neither is counted twice. Kiosk answers are about any desk service: the total."""
    from spkt.documents.models import DocType, Document
    from spkt.intake.models import Contact, Status

    docs = Document.objects.filter(unit_id__in=unit_ids, issued_at__gte=start, issued_at__lt=end)
    contacts = Contact.objects.filter(
        unit_id__in=unit_ids,
        status=Status.CLOSED,
        closed_at__gte=start,
        closed_at__lt=end,
        outcome_document=None,
    )
    if service == ServiceKind.SKTLK:
        return docs.filter(doc_type=DocType.SKTLK).count()
    if service == ServiceKind.LP:
        return docs.filter(doc_type__in=[DocType.LP_A, DocType.LP_B]).count()
    if service == ServiceKind.STTLP:
        return docs.filter(doc_type=DocType.STTLP).count()
    if service == ServiceKind.CONTACT:
        return contacts.count()
    return docs.exclude(doc_type=DocType.STTLP).count() + contacts.count()


def ikm_summary(
    *, unit_ids: list[int], start: datetime, end: datetime, service: str | None = None
) -> IkmSummary:
    """The index of the responses of ``unit_ids`` submitted in [start, end)."""
    responses = SurveyResponse.objects.filter(
        unit_id__in=unit_ids, submitted_at__gte=start, submitted_at__lt=end
    )
    if service:
        responses = responses.filter(service=service)
    totals = responses.aggregate(n=Count("pk"), **{name: Sum(name) for name in SCORE_FIELDS})
    n = totals["n"]
    result = ikm_compute([totals[name] or 0 for name in SCORE_FIELDS], n)
    population = services_count(unit_ids=unit_ids, start=start, end=end, service=service)
    summary = IkmSummary(
        start=start,
        end=end,
        service=service,
        responses=n,
        services=population,
        minimum_sample=minimum_sample(population),
        result=result,
    )
    if result is None:
        return summary
    summary.elements = [
        ElementRow(i + 1, str(ELEMENT_NAMES[i]), result.nrr[i], result.nrr_weighted[i])
        for i in range(len(SCORE_FIELDS))
    ]
    # One query for the whole profile; aliases by position (choice values such as "50+" are not
    # identifiers).
    values = {name: [*choices.values, ""] for name, choices in PROFILE}
    aggregates = {
        f"{name}_{i}": Count("pk", filter=Q(**{name: value}))
        for name, options in values.items()
        for i, value in enumerate(options)
    }
    counted = responses.aggregate(**aggregates)
    for name, choices in PROFILE:
        labels = [str(label) for label in choices.labels] + [_unstated()]
        field = SurveyResponse._meta.get_field(name)
        title = str(getattr(field, "verbose_name", name)).capitalize()  # a column: it has one
        rows = [(label, counted[f"{name}_{i}"]) for i, label in enumerate(labels)]
        summary.profile.append((title, rows))
    summary.comments = list(
        responses.exclude(comment="").order_by("-submitted_at", "-pk")[:COMMENTS_SHOWN]
    )
    return summary


def _unstated() -> str:
    from django.utils.translation import gettext

    return gettext("Tidak diisi")
