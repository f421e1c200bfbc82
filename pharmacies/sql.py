"""谈判药监测 in SQL (seed 003: 持续监测谈判药挂网及医保报销情况): two set-based statements over every national
negotiated drug — one row per drug, and one per drug and month. Table names come from the models' `_meta`; values
are named parameters. `pharmacies.selectors.monitoring` runs them and shapes the rows.

Parameters of both: `%(date_from)s`, `%(date_to)s` (the receipts counted, by the day accepted), `%(region)s` (a
pooling region's id, or NULL for the whole province), `%(q)s` (a LIKE pattern on the generic name or the national
code, '%%' for all); of the first also `%(today)s`, `%(expiring_until)s` and `%(only)s`.
"""

from __future__ import annotations

from psycopg.sql import SQL, Composed, Literal

from accounts.models import Organization, Region
from catalog.models import Product
from common.sql import tables
from procurement.models import Listing, ReceiptLine
from traceability.models import DispensingRecord, TraceCode

from .models import DualChannelPharmacy

ONLY = ("", "expiring", "unlisted", "unstocked", "gaps")


def _names() -> dict:
    return {
        **tables(
            product=Product,
            organization=Organization,
            region=Region,
            listing=Listing,
            receipt_line=ReceiptLine,
            designation=DualChannelPharmacy,
            designation_product=DualChannelPharmacy.products.through,
            dispensing=DispensingRecord,
            trace_code=TraceCode,
        ),
        "hospital": Literal(Organization.Kind.HOSPITAL.value),
        "pharmacy": Literal(Organization.Kind.PHARMACY.value),
        "active": Literal(Listing.Status.ACTIVE.value),
        "league": Literal(Region.Level.LEAGUE_CITY.value),
    }


# the negotiated drugs the filters select, with their maker
_DRUGS = """
drugs AS (
    SELECT p.id, p.nhsa_code, p.generic_name, p.specification, p.negotiated_from, p.negotiated_to,
           COALESCE(m.name, '') AS maker
    FROM {product} p LEFT JOIN {organization} m ON m.id = p.manufacturer_id
    WHERE p.negotiated AND (p.generic_name LIKE %(q)s OR p.nhsa_code LIKE %(q)s)
)"""

# receipt lines of those drugs in the period (and region), each with its buyer's kind and pooling region (盟市)
_STOCKED = """
stocked AS (
    SELECT rl.product_id, rl.hospital_id AS buyer, o.kind, COALESCE(rg.parent_id, rg.id) AS league,
           rl.accepted_min_units AS units, rl.amount, CAST(date_trunc('month', rl.received_on) AS date) AS month
    FROM {receipt_line} rl
    JOIN drugs d ON d.id = rl.product_id
    JOIN {organization} o ON o.id = rl.hospital_id
    JOIN {region} rg ON rg.id = o.region_id
    WHERE rl.received_on BETWEEN %(date_from)s AND %(date_to)s AND rl.accepted_min_units > 0
      AND (CAST(%(region)s AS bigint) IS NULL OR COALESCE(rg.parent_id, rg.id) = %(region)s)
)"""


def drug_rows() -> Composed:
    """Per negotiated drug: its code, names, maker and agreement dates (and whether the agreement ends by
    `%(expiring_until)s`); its listings in force on `%(today)s` (count, lowest and highest unit price); the hospitals
    and pharmacies that accepted it in the period, the units and amount accepted (all, and pharmacies' units); the
    live 双通道 designations that serve it (all negotiated drugs, or this one named); the dispensing/settlement
    records of its traceability codes imported from the insurance platform in the period; and the pooling regions
    (盟市, in the region filter) where nobody accepted it. `%(only)s` keeps the expiring, unlisted, unstocked drugs or
    those with some region without stock ("" keeps all). One statement; ordered by generic name and specification."""
    return SQL(
        "WITH"
        + _DRUGS
        + ","
        + _STOCKED
        + """,
listed AS (
    SELECT l.product_id, COUNT(*) AS listings, MIN(l.unit_price) AS min_price, MAX(l.unit_price) AS max_price
    FROM {listing} l JOIN drugs d ON d.id = l.product_id
    WHERE l.status = {active} AND l.valid_from <= %(today)s AND (l.valid_to IS NULL OR l.valid_to >= %(today)s)
    GROUP BY l.product_id
),
per_drug AS (
    SELECT product_id,
           COUNT(DISTINCT buyer) FILTER (WHERE kind = {hospital}) AS hospitals,
           COUNT(DISTINCT buyer) FILTER (WHERE kind = {pharmacy}) AS pharmacies,
           CAST(SUM(units) AS bigint) AS units, SUM(amount) AS amount,
           CAST(COALESCE(SUM(units) FILTER (WHERE kind = {pharmacy}), 0) AS bigint) AS pharmacy_units,
           ARRAY_AGG(DISTINCT league) AS leagues
    FROM stocked GROUP BY product_id
),
dual AS (
    SELECT d.id AS product_id, COUNT(DISTINCT dc.id) AS designations
    FROM drugs d
    JOIN {designation} dc ON dc.revoked_at IS NULL AND dc.valid_from <= %(today)s
         AND (dc.valid_to IS NULL OR dc.valid_to >= %(today)s)
         AND (CAST(%(region)s AS bigint) IS NULL OR dc.region_id = %(region)s)
         AND (dc.all_negotiated OR EXISTS (
             SELECT 1 FROM {designation_product} x WHERE x.dualchannelpharmacy_id = dc.id AND x.product_id = d.id))
    GROUP BY d.id
),
dispensed AS (
    SELECT tc.product_id, COUNT(*) AS records
    FROM {dispensing} dr JOIN {trace_code} tc ON tc.id = dr.trace_code_id JOIN drugs d ON d.id = tc.product_id
    JOIN {organization} o ON o.id = dr.organization_id JOIN {region} rg ON rg.id = o.region_id
    WHERE dr.dispensed_on BETWEEN %(date_from)s AND %(date_to)s
      AND (CAST(%(region)s AS bigint) IS NULL OR COALESCE(rg.parent_id, rg.id) = %(region)s)
    GROUP BY tc.product_id
),
report AS (
    SELECT d.id, d.nhsa_code, d.generic_name, d.specification, d.maker, d.negotiated_from, d.negotiated_to,
           COALESCE(d.negotiated_to <= %(expiring_until)s, FALSE) AS expiring,
           COALESCE(l.listings, 0) AS listings, l.min_price, l.max_price,
           COALESCE(s.hospitals, 0) AS hospitals, COALESCE(s.pharmacies, 0) AS pharmacies,
           COALESCE(s.units, 0) AS units, COALESCE(s.amount, 0.00) AS amount,
           COALESCE(s.pharmacy_units, 0) AS pharmacy_units,
           COALESCE(dl.designations, 0) AS designations, COALESCE(ds.records, 0) AS dispensed,
           ARRAY(SELECT lg.name FROM {region} lg
                 WHERE lg.level = {league} AND (CAST(%(region)s AS bigint) IS NULL OR lg.id = %(region)s)
                   AND NOT (lg.id = ANY(COALESCE(s.leagues, ARRAY[]::bigint[])))
                 ORDER BY lg.sort_order, lg.code) AS regions_without
    FROM drugs d
    LEFT JOIN listed l ON l.product_id = d.id
    LEFT JOIN per_drug s ON s.product_id = d.id
    LEFT JOIN dual dl ON dl.product_id = d.id
    LEFT JOIN dispensed ds ON ds.product_id = d.id
)
SELECT * FROM report
WHERE (%(only)s = '' OR (%(only)s = 'expiring' AND expiring) OR (%(only)s = 'unlisted' AND listings = 0)
       OR (%(only)s = 'unstocked' AND units = 0) OR (%(only)s = 'gaps' AND cardinality(regions_without) > 0))
ORDER BY generic_name, specification, id"""
    ).format(**_names())


def monthly_rows() -> Composed:
    """Per negotiated drug and month of the period (by the day accepted): the units hospitals and pharmacies
    accepted and the amount, in the region filter; only drug × month with some receipt. Ordered by drug and month."""
    return SQL(
        "WITH"
        + _DRUGS
        + ","
        + _STOCKED
        + """
SELECT s.product_id, d.generic_name, d.specification, s.month,
       CAST(COALESCE(SUM(s.units) FILTER (WHERE s.kind = {hospital}), 0) AS bigint) AS hospital_units,
       CAST(COALESCE(SUM(s.units) FILTER (WHERE s.kind = {pharmacy}), 0) AS bigint) AS pharmacy_units,
       SUM(s.amount) AS amount
FROM stocked s JOIN drugs d ON d.id = s.product_id
GROUP BY s.product_id, d.generic_name, d.specification, s.month
ORDER BY d.generic_name, d.specification, s.product_id, s.month"""
    ).format(**_names())
