"""线上采购率: the share of a hospital's purchases made on the platform, drugs and high-value consumables apart.

    share = online / (online + off-platform), by amount (yuan)
    online = receipts (accepted amount) − returns, on the platform, in the month
    off-platform = what the hospital reported buying elsewhere (OffPlatformPurchase), in the month

Per hospital or per pooling region (盟市: a hospital in a banner/county counts for its league), per month or over the
whole period, against the targets in `settings.ONLINE_SHARE_TARGETS` (seed 000: drugs ≥ 90 %, high-value consumables
≥ 80 %). One SQL statement (`procurement.sql.online_share`): the denormalised receipt, return and off-platform rows (UNION ALL) grouped by hospital or
league, month and class — Python only builds one object per resulting group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter

from django.conf import settings

from common.replicas import report_connection, report_reads

from .models import SupplyClass
from .sql.online_share import share_statement

MEASURED = (SupplyClass.DRUG, SupplyClass.HIGH_VALUE_CONSUMABLE)
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


@dataclass(slots=True)
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
        total = self.online + self.offline
        if total <= 0:
            return None
        return (self.online * HUNDRED / total).quantize(CENT)

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


def online_share(
    *,
    date_from: date,
    date_to: date,
    by: str = "hospital",
    per_month: bool = True,
    hospital_ids: Iterable[int] | None = None,
    region_id: int | None = None,
) -> list[ShareRow]:
    """Rows for every hospital (or region) × month × measured class that bought anything in [date_from, date_to]
    (months are whole: date_from is taken from its month's first day). One grouped SQL statement
    (`procurement.sql.online_share`)."""
    if by not in ("hospital", "region"):
        raise ValueError("by must be 'hospital' or 'region'")
    statement = share_statement(
        by_region=by == "region",
        per_month=per_month,
        some_hospitals=hospital_ids is not None,
        in_region=region_id is not None,
    )
    params = {
        "month_from": month_start(date_from),
        "date_to": date_to,
        "classes": [c.value for c in MEASURED],
        "hospital_ids": [int(i) for i in hospital_ids] if hospital_ids is not None else [],
        "region_id": region_id,
    }
    # a report: read on the replica when there is one (common.replicas)
    with report_reads(), report_connection().cursor() as cursor:
        cursor.execute(statement, params)
        found = cursor.fetchall()
    # By name, key, month and class; in Python, so the order does not depend on the database's collation. The
    # months of one call are all dates or all empty (the whole period), and two empty ones compare equal.
    found.sort(key=itemgetter(1, 0, 2, 3))
    return [ShareRow(*r) for r in found]  # the statement's columns are the row's fields, in order
