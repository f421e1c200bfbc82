"""线上采购率: the share of a hospital's purchases made on the platform, drugs and high-value consumables apart.

    share = online / (online + off-platform), by amount (yuan)
    online = receipts (accepted amount) − returns, on the platform, in the month
    off-platform = what the hospital reported buying elsewhere (OffPlatformPurchase), in the month

Per hospital or per pooling region (盟市: a hospital in a banner/county counts for its league), per month or over the
whole period, against the targets in `settings.ONLINE_SHARE_TARGETS` (seed 000: drugs ≥ 90 %, high-value consumables
≥ 80 %). One SQL statement: the denormalised receipt, return and off-platform rows (UNION ALL) grouped by hospital or
league, month and class — Python only builds one object per resulting group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection

from .models import GoodsReturnLine, OffPlatformPurchase, ReceiptLine, SupplyClass

MEASURED = (SupplyClass.DRUG, SupplyClass.HIGH_VALUE_CONSUMABLE)
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


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


def _month_sql(column: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _as_amount(value) -> Decimal:
    if isinstance(value, Decimal):  # PostgreSQL's numeric sums
        return value.quantize(CENT)
    return Decimal(str(value or 0)).quantize(CENT)


def online_share(*, date_from: date, date_to: date, by: str = "hospital", per_month: bool = True,
                 hospital_ids: Iterable[int] | None = None, region_id: int | None = None) -> list[ShareRow]:
    """Rows for every hospital (or region) × month × measured class that bought anything in [date_from, date_to]
    (months are whole: date_from is taken from its month's first day). One grouped SQL statement."""
    if by not in ("hospital", "region"):
        raise ValueError("by must be 'hospital' or 'region'")
    vendor = connection.vendor
    params: list = []

    def branch(table: str, day: str, amount: str, online: bool) -> str:
        month = day if table == OffPlatformPurchase._meta.db_table else _month_sql(day, vendor)
        columns = f"{amount} AS online, 0 AS offline" if online else f"0 AS online, {amount} AS offline"
        sql = (f"SELECT hospital_id, {month if per_month else 'NULL'} AS month, supply_class, {columns} "
               f"FROM {table} WHERE {day} >= %s AND {day} <= %s AND supply_class IN (%s, %s)")
        params.extend([month_start(date_from), date_to, *MEASURED])
        if hospital_ids is not None:
            ids = [int(i) for i in hospital_ids] or [0]
            sql += f" AND hospital_id IN ({', '.join(['%s'] * len(ids))})"
            params.extend(ids)
        return sql

    union = " UNION ALL ".join([
        branch(ReceiptLine._meta.db_table, "received_on", "amount", True),
        branch(GoodsReturnLine._meta.db_table, "returned_on", "-amount", True),
        branch(OffPlatformPurchase._meta.db_table, "month", "amount", False),
    ])
    if by == "region":
        key, name, joins = "COALESCE(r.parent_id, o.region_id)", "lr.name", (
            "LEFT JOIN accounts_region lr ON lr.id = COALESCE(r.parent_id, o.region_id)")
    else:
        key, name, joins = "o.id", "o.name", ""
    where = ""
    if region_id is not None:
        where = "WHERE (o.region_id = %s OR r.parent_id = %s)"
        params.extend([region_id, region_id])
    # the name is grouped by too (it follows from the key): an aggregate over it made PostgreSQL sort every row
    # for a group aggregate instead of hashing them
    sql = (f"SELECT {key} AS k, {name} AS name, s.month, s.supply_class, SUM(s.online), SUM(s.offline) "
           f"FROM ({union}) s JOIN accounts_organization o ON o.id = s.hospital_id "
           f"LEFT JOIN accounts_region r ON r.id = o.region_id {joins} {where} "
           f"GROUP BY {key}, {name}, s.month, s.supply_class")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [
            ShareRow(key=k, name=n or "", month=_as_date(m), supply_class=sc, online=_as_amount(on),
                     offline=_as_amount(off))
            for k, n, m, sc, on, off in cursor.fetchall()
        ]
    rows.sort(key=lambda r: (r.name, r.key, r.month or date.min, r.supply_class))
    return rows
