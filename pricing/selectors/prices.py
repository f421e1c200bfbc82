"""Prices over time: a product's monthly prices for an alert's chart (this hospital, the peers, the reference prices)
and the price basis a listing is checked against (procurement's hook)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from common.charts import Series, line_chart

from ..models import PriceAlert, PriceObservation, ReferencePrice
from ..sql import as_date, fetch, history


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
