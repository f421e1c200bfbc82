"""线上采购率: the share of a hospital's purchases made on the platform, drugs and high-value consumables apart.

    share = online / (online + off-platform), by amount (yuan)
    online = receipts (accepted amount) − returns, on the platform, in the month
    off-platform = what the hospital reported buying elsewhere (OffPlatformPurchase), in the month

Per hospital or per pooling region (盟市: a hospital in a banner/county counts for its league), per month or over the
whole period, against the targets in `settings.ONLINE_SHARE_TARGETS` (seed 000: drugs ≥ 90 %, high-value consumables
≥ 80 %). Three grouped SQL aggregates over the denormalised receipt, return and off-platform tables — the work grows
with the number of groups, not with the number of rows, in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import DateField, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from accounts.models import Organization, Region

from .models import GoodsReturnLine, OffPlatformPurchase, ReceiptLine, SupplyClass

MEASURED = (SupplyClass.DRUG, SupplyClass.HIGH_VALUE_CONSUMABLE)
HUNDRED = Decimal("100")


@dataclass
class ShareRow:
    key: int  # hospital id or region id
    name: str
    month: date | None  # None: the whole period
    supply_class: str
    online: Decimal
    offline: Decimal

    @property
    def total(self) -> Decimal:
        return self.online + self.offline

    @property
    def share(self) -> Decimal | None:
        """Percent with 2 decimals; None when nothing was bought."""
        if self.total <= 0:
            return None
        return (self.online * HUNDRED / self.total).quantize(Decimal("0.01"))

    @property
    def target(self) -> int | None:
        return settings.ONLINE_SHARE_TARGETS.get(self.supply_class)

    @property
    def meets_target(self) -> bool | None:
        share, target = self.share, self.target
        if share is None or target is None:
            return None
        return share >= target

    @property
    def supply_class_label(self) -> str:
        return str(SupplyClass(self.supply_class).label)


def month_start(day: date) -> date:
    return day.replace(day=1)


def _grouped(qs, *, day_field: str, amount_field: str, by: str, per_month: bool, hospital_field: str = "hospital"):
    if by == "region":
        qs = qs.annotate(_key=Coalesce(F(f"{hospital_field}__region__parent_id"), F(f"{hospital_field}__region_id")))
    else:
        qs = qs.annotate(_key=F(f"{hospital_field}_id"))
    fields = ["_key", "supply_class"]
    if per_month:
        qs = qs.annotate(_month=TruncMonth(day_field, output_field=DateField()))
        fields.append("_month")
    return qs.values(*fields).annotate(_amount=Sum(amount_field)).values_list(*fields, "_amount").order_by()


def online_share(*, date_from: date, date_to: date, by: str = "hospital", per_month: bool = True,
                 hospital_ids: Iterable[int] | None = None, region_id: int | None = None) -> list[ShareRow]:
    """Rows for every hospital (or region) × month × measured class that bought anything in [date_from, date_to]
    (months are whole: date_from is taken from its month's first day)."""
    if by not in ("hospital", "region"):
        raise ValueError("by must be 'hospital' or 'region'")
    start = month_start(date_from)
    receipts = ReceiptLine.objects.filter(received_on__gte=start, received_on__lte=date_to, supply_class__in=MEASURED)
    returns = GoodsReturnLine.objects.filter(returned_on__gte=start, returned_on__lte=date_to, supply_class__in=MEASURED)
    offline = OffPlatformPurchase.objects.filter(month__gte=start, month__lte=date_to, supply_class__in=MEASURED)
    if hospital_ids is not None:
        ids = list(hospital_ids)
        receipts, returns, offline = (q.filter(hospital_id__in=ids) for q in (receipts, returns, offline))
    if region_id is not None:
        in_region = Q(hospital__region_id=region_id) | Q(hospital__region__parent_id=region_id)
        receipts, returns, offline = (q.filter(in_region) for q in (receipts, returns, offline))
    totals: dict[tuple, list[Decimal]] = {}

    def add(rows, index: int, sign: int) -> None:
        for key, supply_class, *rest in rows:
            amount = rest[-1] or Decimal("0")
            month = rest[0] if per_month else None
            if isinstance(month, datetime):
                month = month.date()
            slot = totals.setdefault((key, month, supply_class), [Decimal("0"), Decimal("0")])
            slot[index] += sign * amount

    add(_grouped(receipts, day_field="received_on", amount_field="amount", by=by, per_month=per_month), 0, 1)
    add(_grouped(returns, day_field="returned_on", amount_field="amount", by=by, per_month=per_month), 0, -1)
    add(_grouped(offline, day_field="month", amount_field="amount", by=by, per_month=per_month), 1, 1)
    model = Region if by == "region" else Organization
    names = dict(model.objects.filter(pk__in={k for k, _, _ in totals}).values_list("pk", "name"))
    rows = [
        ShareRow(key=key, name=names.get(key, ""), month=month, supply_class=supply_class, online=values[0],
                 offline=values[1])
        for (key, month, supply_class), values in totals.items()
    ]
    rows.sort(key=lambda r: (r.name, r.key, r.month or date.min, r.supply_class))
    return rows
