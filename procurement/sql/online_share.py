"""线上采购率 in SQL: one grouped statement over the receipt, return and off-platform rows (see
`procurement.online_share` for the figures)."""

from __future__ import annotations

from psycopg.sql import SQL, Composed, Identifier, Literal

from accounts.models import Organization, Region
from common.sql import table, tables

from ..models import GoodsReturnLine, OffPlatformPurchase, ReceiptLine

NAMES = tables(organization=Organization, region=Region)

_ROWS = SQL("""SELECT hospital_id, {month} AS month, supply_class, {online} AS online, {offline} AS offline
FROM {source}
WHERE {day} BETWEEN %(month_from)s::date AND %(date_to)s::date AND supply_class = ANY(%(classes)s::text[]) {hospitals}""")

# (model, its day column, amount on the platform, amount off it): receipts count, returns count against, and the
# off-platform purchases are reported per month (their day is the month's first)
_SOURCES = (
    (ReceiptLine, "received_on", SQL("amount"), SQL("0")),
    (GoodsReturnLine, "returned_on", SQL("-amount"), SQL("0")),
    (OffPlatformPurchase, "month", SQL("0"), SQL("amount")),
)

_BY_HOSPITAL = {"key": SQL("o.id"), "name": SQL("o.name"), "league": SQL("")}
# a hospital of a banner or county counts for its league (the parent region)
_BY_REGION = {
    "key": SQL("COALESCE(r.parent_id, o.region_id)"),
    "name": SQL("lr.name"),
    "league": SQL("LEFT JOIN {region} lr ON lr.id = COALESCE(r.parent_id, o.region_id)").format(**NAMES),
}


def _month(model, day: str, per_month: bool) -> Composed:
    column = Identifier(model._meta.get_field(day).column)
    if not per_month:
        return SQL("CAST(NULL AS date)").format()
    if model is OffPlatformPurchase:
        return SQL("{}").format(column)
    return SQL("CAST(date_trunc('month', {}) AS date)").format(column)


def share_statement(*, by_region: bool, per_month: bool, some_hospitals: bool, in_region: bool) -> Composed:
    """Per hospital (or pooling region), month (or the whole period when not `per_month`) and supply class in
    `%(classes)s`: its name, the amount bought on the platform (receipt lines' accepted amount minus return lines',
    by the day received or returned) and off it (the off-platform purchases reported for the month), both to the cent,
    from the first
    day of the month of `%(month_from)s` to `%(date_to)s`. With `some_hospitals` only the hospitals in
    `%(hospital_ids)s`; with `in_region` only hospitals of `%(region_id)s` or of the regions under it."""
    hospitals = SQL("AND hospital_id = ANY(%(hospital_ids)s::bigint[])") if some_hospitals else SQL("")
    flows = SQL(" UNION ALL ").join(
        _ROWS.format(
            month=_month(model, day, per_month),
            online=online,
            offline=offline,
            source=table(model),
            day=Identifier(model._meta.get_field(day).column),
            hospitals=hospitals,
        )
        for model, day, online, offline in _SOURCES
    )
    # the targets are the medical institutions' (seed 000): a pharmacy's purchases are not counted (docs/pharmacies.md)
    region = SQL("AND (o.region_id = %(region_id)s OR r.parent_id = %(region_id)s)") if in_region else SQL("")
    # the name is grouped by too (it follows from the key): an aggregate over it made PostgreSQL sort every row for a
    # group aggregate instead of hashing them. The totals come rounded to the cent (a group of integer zeros would
    # otherwise sum to 0, not 0.00), so the caller builds its rows without converting any figure
    return SQL("""
SELECT {key} AS k, COALESCE({name}, '') AS name, s.month, s.supply_class, ROUND(SUM(s.online), 2), ROUND(SUM(s.offline), 2)
FROM ({flows}) s
JOIN {organization} o ON o.id = s.hospital_id
LEFT JOIN {region} r ON r.id = o.region_id {league}
WHERE o.kind = {hospital} {in_region}
GROUP BY {key}, {name}, s.month, s.supply_class""").format(
        **NAMES,
        **(_BY_REGION if by_region else _BY_HOSPITAL),
        flows=flows,
        in_region=region,
        hospital=Literal(Organization.Kind.HOSPITAL.value),
    )
