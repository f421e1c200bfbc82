"""Credit: the records a user may see, a company's standing (records with their scheme's level, its latest rating) and
the warnings shown beside manufacturers and products."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can, is_official
from catalog.models import Product
from common.markup import format_marked

from .. import credit_schemes
from ..models import CreditRating, CreditRecord


def credit_records_visible_to(user) -> QuerySet[CreditRecord]:
    qs = CreditRecord.objects.select_related("organization", "created_by", "alert").prefetch_related(
        Prefetch("products", queryset=Product.objects.select_related("manufacturer"))
    )
    if can(user, "pricing.view") and is_official(user):
        return qs
    if can(user, "pricing.own_credit") and user.organization_id:
        return qs.filter(organization_id=user.organization_id)
    return qs.none()


def credit_status(organization_id: int, *, today: date | None = None) -> dict:
    """A company's standing: active records with their scheme's level name and consequences, and its latest rating."""
    today = today or timezone.localdate()
    records = list(
        CreditRecord.objects.filter(
            organization_id=organization_id, status=CreditRecord.Status.ACTIVE, start__lte=today
        )
        .exclude(end__lt=today)
        .order_by("-start")
    )
    rows = []
    worst = None
    for record in records:
        rule = credit_schemes.level_rule(record.scheme, record.level)
        rows.append({"record": record, "level_name": rule.label if rule else record.level, "rule": rule})
        if rule and (worst is None or rule.rank > worst.rank):
            worst = rule
    rating = CreditRating.objects.filter(organization_id=organization_id).order_by("-quarter_start").first()
    return {
        "records": rows,
        "worst": worst,
        "rating": rating,
        "barred": bool(worst and worst.bar_bidding),
        "warning": bool(worst),
    }


def credit_warnings(manufacturer_ids) -> dict[int, str]:
    """manufacturer id → the level name of its most serious active record (for a warning beside its products)."""
    today = timezone.localdate()
    best: dict[int, tuple[int, str]] = {}
    records = CreditRecord.objects.filter(
        organization_id__in=set(manufacturer_ids), status=CreditRecord.Status.ACTIVE, start__lte=today
    ).exclude(end__lt=today)
    for org_id, scheme, level in records.values_list("organization_id", "scheme", "level"):
        rule = credit_schemes.level_rule(scheme, level)
        if rule and rule.rank > best.get(org_id, (0, ""))[0]:
            best[org_id] = (rule.rank, rule.label)
    return {org_id: name for org_id, (_rank, name) in best.items()}


def product_credit_warnings(product_ids, html: bool = False) -> dict[int, list[str]]:
    """product id → a warning for each active lower-level (一般/中等, 失信) credit record of its manufacturer; registered
    with `catalog.hooks` so the catalog, the ordering search and the product API show it. Two queries."""

    makers = dict(Product.objects.filter(pk__in=list(product_ids)).values_list("pk", "manufacturer_id"))
    if not makers:
        return {}
    today = timezone.localdate()
    records = (
        CreditRecord.objects.filter(
            organization_id__in=set(makers.values()), status=CreditRecord.Status.ACTIVE, start__lte=today
        )
        .exclude(end__lt=today)
        .select_related("organization")
        .order_by("organization_id", "-start", "pk")
    )
    by_maker: dict[int, list[str]] = {}
    for record in records:
        rule = credit_schemes.level_rule(record.scheme, record.level)
        if rule is None or not rule.warning:
            continue
        by_maker.setdefault(record.organization_id, []).append(
            format_marked(
                _("生产企业“%(company)s”有生效的医药价格和招采失信记录（%(level)s：%(behaviour)s，自 %(start)s 起）"),
                {
                    "company": record.organization.name,
                    "level": rule.label,
                    "behaviour": record.get_behaviour_display(),
                    "start": record.start.isoformat(),
                },
                names={"company"},
                html=html,
            )
        )
    return {pk: list(by_maker[m]) for pk, m in makers.items() if m in by_maker}
