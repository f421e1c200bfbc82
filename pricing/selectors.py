"""Reads of price monitoring and credit, scoped to the user; shared by the pages, the API and the exports."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can, is_official
from common.numbers import param_id, parse_int

from . import credit_schemes
from .models import CreditRating, CreditRecord, Inquiry, PriceAlert, ReferencePrice, ShortageAlert
from .sql import as_date, fetch, history

SORTS = {
    "severity": ["-severity", "-amount_at_stake", "-pk"],
    "amount": ["-amount_at_stake", "-pk"],
    "deviation": ["-deviation", "-pk"],
    "recent": ["-last_detected_at", "-pk"],
    "oldest": ["first_detected_at", "pk"],
    "period": ["-period_start", "-severity", "-pk"],
}


def _overdue_inquiries():
    return Inquiry.objects.filter(alert=OuterRef("pk"), replied_at__isnull=True, reply_due__lt=timezone.localdate())


def alerts_visible_to(user) -> QuerySet[PriceAlert]:
    if not (can(user, "pricing.view") and is_official(user)):
        return PriceAlert.objects.none()
    return PriceAlert.objects.select_related("product", "hospital", "region", "assignee", "manufacturer").annotate(
        has_overdue=Exists(_overdue_inquiries())
    )


def alerts_filter(qs: QuerySet[PriceAlert], params, *, user=None, form: bool = False) -> QuerySet[PriceAlert]:
    """Filters of the inbox and the API: detector, severity (minimum), region, status (or "open" for every open
    state), assignee ("me", "none" or an id), hospital, product, overdue replies, a text query; sort."""
    get = params.get
    if get("detector"):
        qs = qs.filter(detector=get("detector"))
    if get("severity"):
        qs = qs.filter(
            severity__gte=parse_int(
                get("severity"), field="severity", form=form, column=PriceAlert._meta.get_field("severity")
            )
        )
    if get("region"):
        region = param_id(params, "region", form=form)
        qs = qs.filter(Q(region_id=region) | Q(region__parent_id=region))
    status = get("status") or ""
    if status == "open":
        qs = qs.filter(status__in=PriceAlert.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    assignee = get("assignee") or ""
    if assignee == "me" and user is not None:
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee_id=param_id(params, "assignee", form=form))
    if get("hospital"):
        qs = qs.filter(hospital_id=param_id(params, "hospital", form=form))
    if get("product"):
        qs = qs.filter(product_id=param_id(params, "product", form=form))
    if get("overdue") in ("1", "true", "on"):
        qs = qs.filter(has_overdue=True)
    q = (get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(product__generic_name__icontains=q)
            | Q(product__nhsa_code__startswith=q)
            | Q(hospital__name__icontains=q)
            | Q(summary__icontains=q)
        )
    return qs.order_by(*SORTS.get(get("sort") or "severity", SORTS["severity"]))


def inquiries_visible_to(user) -> QuerySet[Inquiry]:
    qs = Inquiry.objects.select_related("alert", "alert__product", "recipient", "sent_by", "replied_by")
    if can(user, "pricing.view") and is_official(user):
        return qs
    if can(user, "pricing.answer_inquiry") and user.organization_id:
        return qs.filter(recipient_id=user.organization_id)
    return qs.none()


def credit_records_visible_to(user) -> QuerySet[CreditRecord]:
    qs = CreditRecord.objects.select_related("organization", "created_by", "alert").prefetch_related("products")
    if can(user, "pricing.view") and is_official(user):
        return qs
    if can(user, "pricing.own_credit") and user.organization_id:
        return qs.filter(organization_id=user.organization_id)
    return qs.none()


def shortage_alerts_visible_to(user) -> QuerySet[ShortageAlert]:
    if not (can(user, "pricing.view") and is_official(user)):
        return ShortageAlert.objects.none()
    return ShortageAlert.objects.select_related("product").prefetch_related("hospitals")


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
        rows.append({"record": record, "level_name": rule.name if rule else record.level, "rule": rule})
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
            best[org_id] = (rule.rank, rule.name)
    return {org_id: name for org_id, (_rank, name) in best.items()}


def product_credit_warnings(product_ids) -> dict[int, list[str]]:
    """product id → a warning for each active lower-level (一般/中等, 失信) credit record of its manufacturer; registered
    with `catalog.hooks` so the catalog, the ordering search and the product API show it. Two queries."""
    from catalog.models import Product

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
            _("生产企业“%(company)s”有生效的医药价格和招采失信记录（%(level)s：%(behaviour)s，自 %(start)s 起）")
            % {
                "company": record.organization.name,
                "level": rule.name,
                "behaviour": record.get_behaviour_display(),
                "start": record.start.isoformat(),
            }
        )
    return {pk: list(by_maker[m]) for pk, m in makers.items() if m in by_maker}


def price_history(alert: PriceAlert, *, months: int = 18) -> dict:
    """The product's monthly prices for the alert page's chart: this hospital's mean paid price, the median of every
    hospital (the peers), and the reference prices over time. Two aggregate queries."""
    end = alert.period_end
    first = end.year * 12 + end.month - 1 - (months - 1)
    start = date(first // 12, first % 12 + 1, 1)
    rows = fetch(
        history.monthly_prices(),
        {"product": alert.product_id, "start": start, "end": end, "hospital": alert.hospital_id or 0},
    )
    series = [
        {
            "month": as_date(r["m"]),
            "peers": float(r["med"]),
            "peer_count": int(r["n"]),
            "own": None if r["own"] is None else float(r["own"]),
        }
        for r in rows
    ]
    references = defaultdict(list)
    for ref in (
        ReferencePrice.objects.filter(product_id=alert.product_id)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start), valid_from__lte=end)
        .order_by("valid_from")
    ):
        references[ref.get_kind_display()].append(
            {"from": max(ref.valid_from, start), "to": min(ref.valid_to or end, end), "price": float(ref.unit_price)}
        )
    return {"series": series, "references": dict(references), "start": start, "end": end}


def price_chart(history: dict):
    """The alert page's chart (common.charts, server-side SVG): this hospital's monthly price, the peers' median,
    and each reference price as its own dashed line over the months it was in force."""
    from django.utils.translation import gettext as _

    from common.charts import Series, line_chart

    series = history["series"]
    if not series:
        return None
    months = [s["month"] for s in series]

    def money(value):
        return None if value is None else f"¥{value:,.4f}"

    lines = [
        Series(_("本机构"), [s["own"] for s in series], dashed=False),
        Series(_("同类机构中位价"), [s["peers"] for s in series], dashed=True),
    ]
    for label, segments in history["references"].items():
        values = []
        for m in months:
            price = None
            for seg in segments:
                if seg["from"].replace(day=1) <= m <= seg["to"]:
                    price = seg["price"]
            values.append(price)
        lines.append(Series(label, values))
    for line in lines:
        line.formatted = [money(v) for v in line.values]
    return line_chart(
        title=_("本机构价格、同类机构中位价与参考价格的月度走势"),
        x_title=_("月份"),
        y_title=_("单价（元/最小制剂单位）"),
        x_labels=[f"{m:%Y-%m}" for m in months],
        series=lines,
        value_formatter=lambda v: f"¥{v:,.4f}",
    )
