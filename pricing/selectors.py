"""Reads of price monitoring and credit, scoped to the user; shared by the pages, the API and the exports."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization
from accounts.permissions import can, is_official
from catalog.models import Product
from common.charts import Series, line_chart
from common.models import events_for
from common.numbers import param_id, parse_decimal, parse_int

from . import credit_schemes
from .detectors import labels as detector_labels
from .errors import PricingError, ValidationFailed
from .models import CreditRating, CreditRecord, Inquiry, PriceAlert, PriceObservation, ReferencePrice, ShortageAlert
from .sql import as_date, fetch, history

SORTS = {
    "severity": ["-score", "-amount_at_stake", "-pk"],
    "amount": ["-amount_at_stake", "-pk"],
    "deviation": ["-deviation", "-pk"],
    "recent": ["-last_detected_at", "-pk"],
    "oldest": ["first_detected_at", "pk"],
    "period": ["-period_start", "-score", "-pk"],
}
# status filter values: each state, and two groups — every open state (未办结) and every closed one (已办结)
STATUS_GROUPS = {
    "active": PriceAlert.OPEN_STATUSES,
    "closed": (PriceAlert.Status.RESOLVED, PriceAlert.Status.DISMISSED),
}
GROUPINGS = ("product", "hospital")
ALERT_FILTERS = (
    "kind",
    "detector",
    "severity",
    "region",
    "status",
    "assignee",
    "hospital",
    "product",
    "overdue",
    "q",
    "sort",
    "min_amount",
    "period_from",
    "period_to",
    "group",
)


def _overdue_inquiries():
    return Inquiry.objects.filter(alert=OuterRef("pk"), replied_at__isnull=True, reply_due__lt=timezone.localdate())


def alerts_visible_to(user) -> QuerySet[PriceAlert]:
    if not (can(user, "pricing.view") and is_official(user)):
        return PriceAlert.objects.none()
    return PriceAlert.objects.select_related("product", "hospital", "region", "assignee", "manufacturer").annotate(
        has_overdue=Exists(_overdue_inquiries())
    )


def unknown_filter(name: str, value) -> ValidationFailed:
    return ValidationFailed(
        _("筛选条件“%(name)s”的值“%(value)s”无效") % {"name": name, "value": str(value)[:50]},
        field=name,
        code=PricingError.UNKNOWN_FILTER_VALUE,
    )


# paging and rendering parameters every list accepts besides its filters
PAGING = frozenset({"page", "page_size", "format", "limit", "offset", "cursor"})


def refuse_unknown_parameters(params, allowed) -> None:
    """A parameter that is neither a filter of the list nor paging is refused by name (a misspelt filter, e.g.
    `observed_on__gte` where the list has none, would otherwise be silently ignored and return everything)."""
    for name in params:
        if name not in PAGING and name not in allowed:
            raise ValidationFailed(
                _("未知的筛选条件“%(name)s”") % {"name": name[:50]},
                field=name[:50],
                code=PricingError.UNKNOWN_FILTER_VALUE,
            )


def _choice(params, name: str, allowed) -> str:
    value = (params.get(name) or "").strip()
    if value and value not in allowed:
        raise unknown_filter(name, value)
    return value


def _month(params, name: str) -> date | None:
    """A month filter: 2025-03 or a date (its month)."""
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value + "-01" if len(value) == 7 else value).replace(day=1)
    except ValueError:
        raise unknown_filter(name, value) from None


def alerts_filter(qs: QuerySet[PriceAlert], params, *, user=None, form: bool = False) -> QuerySet[PriceAlert]:
    """Filters of the inbox and the API, each value checked (an unknown one is a 400 naming the filter): signal
    `kind` (or `detector`), `severity` (minimum, 1–4), `region` (a league, with its banners), `status` (a state, or
    `active` every open state, `closed` resolved or dismissed), `assignee` ("me", "none" or an id), `hospital`,
    `product`, `overdue` replies, `min_amount` (amount at stake, yuan), `period_from` / `period_to` (months the case
    covers), a text query `q`; `sort`."""
    qs = _filter_choices(qs, params, user=user, form=form)
    amount = (params.get("min_amount") or "").strip()
    if amount:
        qs = qs.filter(amount_at_stake__gte=parse_decimal(amount, field="min_amount", max_digits=16, form=form))
    start, end = _month(params, "period_from"), _month(params, "period_to")
    if start:
        qs = qs.filter(period_end__gte=start)
    if end:
        qs = qs.filter(period_start__lt=date(end.year + end.month // 12, end.month % 12 + 1, 1))
    if (params.get("overdue") or "") in ("1", "true", "on"):
        qs = qs.filter(has_overdue=True)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(product__generic_name__icontains=q)
            | Q(product__nhsa_code__startswith=q)
            | Q(hospital__name__icontains=q)
            | Q(summary__icontains=q)
        )
    sort = _choice(params, "sort", SORTS) or "severity"
    return qs.order_by(*SORTS[sort])


def _filter_choices(qs, params, *, user, form: bool):
    kind = _choice(params, "kind", detector_labels()) or _choice(params, "detector", detector_labels())
    if kind:
        qs = qs.filter(kinds__contains=[kind])
    if (params.get("severity") or "").strip():
        qs = qs.filter(
            severity__gte=parse_int(params.get("severity"), field="severity", form=form, min_value=1, max_value=4)
        )
    if params.get("region"):
        region = param_id(params, "region", form=form)
        qs = qs.filter(Q(region_id=region) | Q(region__parent_id=region))
    status = _choice(params, "status", [*PriceAlert.Status.values, *STATUS_GROUPS])
    if status in STATUS_GROUPS:
        qs = qs.filter(status__in=STATUS_GROUPS[status])
    elif status:
        qs = qs.filter(status=status)
    assignee = (params.get("assignee") or "").strip()
    if assignee == "me" and user is not None:
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee_id=param_id(params, "assignee", form=form))
    if params.get("hospital"):
        qs = qs.filter(hospital_id=param_id(params, "hospital", form=form))
    if params.get("product"):
        qs = qs.filter(product_id=param_id(params, "product", form=form))
    _choice(params, "group", GROUPINGS)
    return qs


def alert_groups(qs: QuerySet[PriceAlert], by: str) -> list[dict]:
    """The filtered cases grouped by product or by hospital: count, amount at stake, highest score."""
    field = {"product": "product", "hospital": "hospital"}[by]
    rows = (
        qs.order_by()
        .values(
            f"{field}_id",
            *(["product__generic_name", "product__specification"] if by == "product" else []),
            *(["hospital__name"] if by == "hospital" else []),
        )
        .annotate(cases=Count("pk"), amount=Sum("amount_at_stake"), top=Max("score"))
        .order_by("-top", "-amount")
    )
    out = []
    for row in rows[:200]:
        if by == "product":
            label = f"{row['product__generic_name']} {row['product__specification']}"
        else:
            label = row["hospital__name"] or _("全区")
        out.append(
            {
                "id": row[f"{field}_id"],
                "label": label,
                "cases": row["cases"],
                "amount": row["amount"],
                "top": row["top"],
            }
        )
    return out


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


def product_credit_warnings(product_ids) -> dict[int, list[str]]:
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
            _("生产企业“%(company)s”有生效的医药价格和招采失信记录（%(level)s：%(behaviour)s，自 %(start)s 起）")
            % {
                "company": record.organization.name,
                "level": rule.label,
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


# Plain-language explanations of each signal kind (shown beside its numbers on the case page).
# lazy: translated when shown, in the reader's language (not once, when the module is imported)
SIGNAL_EXPLANATIONS = {
    "peer_outlier": gettext_lazy(
        "本机构当月单价与同月采购同一产品的其他医疗机构相比明显偏高：同类机构中位价是把各机构当月单价从低到高排列后居中的价格；"
        "判断界限按各机构价格的离散程度自动放宽，且至少高出中位价 20%。"
    ),
    "peer_outlier_group": gettext_lazy(
        "与同通用名、剂型、规格的所有产品（按最小制剂单位比价）的当月中位价相比明显偏高。"
    ),
    "sudden_change": gettext_lazy(
        "本机构当月单价较其最近几个有采购月份的中位价（跳过无采购月份）明显上涨，且扣除同期全区同一产品的整体价格变动后仍明显上涨。"
    ),
    "volume_spike": gettext_lazy(
        "本机构当月采购量远高于其自身前后几个月的常规用量（已按同期全区同一产品用量的季节变化校正），超出部分的金额也达到下限。"
    ),
    "non_selected_premium": gettext_lazy("非中选产品的采购价超过同品种中选价的设定倍数。"),
    "above_listed": gettext_lazy("采购价高于当日有效的平台挂网价。"),
    "above_national_lowest": gettext_lazy("采购价高于全国最低挂网价（仅供参考）。"),
    "above_payment_standard": gettext_lazy("采购价高于医保支付标准，差额由患者负担（按政策属正常情况，仅供参考）。"),
}


def case_months(alert: PriceAlert, history: dict) -> list[dict]:
    """The case's months, oldest first: this hospital's price, the peers' median and count, the deviation in per
    cent, the money at stake (the largest of the month's signals), the signals in words, and the observations
    behind the price (date, quantity, price, source, import batch)."""
    labels = detector_labels()
    signals = list(alert.signals.order_by("month", "kind"))
    by_series = {s["month"]: s for s in history["series"]}
    months = sorted({s.month for s in signals})
    observations = _observations_by_month(alert, months)
    rows = []
    for month in months:
        own = [s for s in signals if s.month == month]
        point = by_series.get(month, {})
        price, median = point.get("own"), point.get("peers")
        main = [s for s in own if not s.informational] or own
        rows.append(
            {
                "month": month,
                "price": price,
                "median": median,
                "peers": point.get("peer_count"),
                "deviation": None if not (price and median) else round((price / median - 1) * 100, 1),
                "amount": max(s.amount_at_stake for s in main),
                "signals": [
                    {
                        "kind": s.kind,
                        "label": labels.get(s.kind, s.kind),
                        "summary": s.summary_text,
                        "informational": s.informational,
                        "strength": s.strength,
                        "score": s.score,
                        "explanation": SIGNAL_EXPLANATIONS.get(s.kind, ""),
                        "peers": _peer_names(s.evidence.get("distribution") or []),
                    }
                    for s in own
                ],
                "observations": observations.get(month, []),
            }
        )
    return rows


def _observations_by_month(alert: PriceAlert, months: list[date]) -> dict[date, list[PriceObservation]]:
    if not months or alert.hospital_id is None:
        return {}
    last = months[-1]
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    out: dict[date, list[PriceObservation]] = defaultdict(list)
    for obs in PriceObservation.objects.filter(
        product_id=alert.product_id, hospital_id=alert.hospital_id, observed_on__gte=months[0], observed_on__lt=end
    ).order_by("observed_on", "pk")[:500]:
        month = obs.observed_on.replace(day=1)
        if month in months:
            out[month].append(obs)
    return out


def _peer_names(distribution: list[dict]) -> list[dict]:
    names = dict(Organization.objects.filter(pk__in={d["hospital_id"] for d in distribution}).values_list("pk", "name"))
    return [{**d, "hospital": names.get(d["hospital_id"], d["hospital_id"])} for d in distribution]


def case_events(alert: PriceAlert) -> list:
    """The case's audit events; each says its step and states in words (`action_label`, `from_label`, `to_label`,
    from PriceAlert.EVENT_LABELS and its statuses: common.labels)."""
    return list(events_for(alert))


VOLUME_KINDS = {"volume_spike"}


def inquiry_letter(alert: PriceAlert, months: list[dict]) -> str:
    """The 函询 letter's draft: names the hospital, the product and, month by month, the prices compared (for the
    months with a price signal) and the quantities (for a volume signal: its own line, from the signal)."""
    subject = alert.hospital.name if alert.hospital else _("全区各医疗机构")
    product = f"{alert.product.generic_name} {alert.product.specification}（{alert.product.nhsa_code}）"
    names = {"subject": subject, "product": product}
    volume_only = set(alert.kinds) <= VOLUME_KINDS
    lines = [
        (
            _("关于%(subject)s采购%(product)s数量情况的函询")
            if volume_only
            else _("关于%(subject)s采购%(product)s价格情况的函询")
        )
        % names,
        "",
        (
            _("经价格监测，%(subject)s采购%(product)s的数量存在以下情况：")
            if volume_only
            else _("经价格监测，%(subject)s采购%(product)s的价格存在以下情况：")
        )
        % names,
    ]
    for row in months:
        priced = any(not s["informational"] and s["kind"] not in VOLUME_KINDS for s in row["signals"])
        if priced and row["price"] and row["median"]:
            lines.append(
                _(
                    "%(month)s：采购单价 %(price).4f 元，同期 %(peers)s 家医疗机构中位价 %(median).4f 元，高出 %(dev)s%%；"
                )
                % {
                    "month": row["month"].strftime("%Y-%m"),
                    "price": row["price"],
                    "peers": row["peers"],
                    "median": row["median"],
                    "dev": row["deviation"],
                }
            )
        for s in row["signals"]:
            if not s["informational"]:
                lines.append(f"  · {s['summary']}")
    lines += [
        "",
        _("请于回复期限前在平台说明采购量增加的原因并提供相关材料。")
        if volume_only
        else _("请于回复期限前在平台说明价格形成原因并提供相关材料。"),
    ]
    return "\n".join(lines)


def listing_price_basis(product_id: int, *, on: date, months: int) -> dict:
    """The price basis of a listing application (挂网申报), per minimum unit: each other province's latest listed or
    purchase price of the product (imported observations, source other_province, no older than `months`) and the
    national lowest listed price valid on the day (imported reference prices). Registered with procurement's
    `price_basis_providers` hook (procurement does not import pricing)."""
    since = on - timedelta(days=months * 365 // 12)
    latest: dict[str, PriceObservation] = {}
    rows = PriceObservation.objects.filter(
        product_id=product_id,
        source=PriceObservation.Source.OTHER_PROVINCE,
        observed_on__gte=since,
        observed_on__lte=on,
    ).order_by("province", "-observed_on", "unit_price")
    for row in rows.only("province", "observed_on", "unit_price"):
        latest.setdefault(row.province or _("未注明省份"), row)
    national = (
        ReferencePrice.objects.filter(
            product_id=product_id, kind=ReferencePrice.Kind.NATIONAL_LOWEST, valid_from__lte=on
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("unit_price", "-valid_from")
        .first()
    )
    return {
        "other_provinces": [
            {"province": province, "unit_price": str(row.unit_price), "observed_on": row.observed_on.isoformat()}
            for province, row in sorted(latest.items(), key=lambda item: item[1].unit_price)
        ],
        "national_lowest": (
            {
                "unit_price": str(national.unit_price),
                "source": national.source,
                "valid_from": national.valid_from.isoformat(),
            }
            if national
            else None
        ),
    }
