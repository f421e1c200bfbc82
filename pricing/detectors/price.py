"""The detectors. Each is one set-based query (CTEs) over the observations; see sql.py for the dialect pieces."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .base import PRICED_SOURCES, Detector, Finding, dec_amount, dec_price, ratio
from .sql import Scope, add_months, as_date, fetch, json_rows, median_ctes, month_of, parse_json_rows, weighted_mean


def _tables():
    from catalog.models import Product
    from procurement.models import Listing

    from ..models import PriceObservation, ReferencePrice

    return {
        "obs": PriceObservation._meta.db_table,
        "ref": ReferencePrice._meta.db_table,
        "product": Product._meta.db_table,
        "listing": Listing._meta.db_table,
    }


SOURCES_SQL = ", ".join(f"'{s}'" for s in PRICED_SOURCES)


def _observation_filter(scope: Scope, *, lookback_months: int, alias: str = "o") -> str:
    """Narrow an incremental run to the products with new observations, from `lookback_months` before the first
    month touched (the months a detector compares with). A full run reads everything."""
    if scope.full:
        return ""
    start = add_months("(SELECT min(m) FROM touched)", -lookback_months)
    return f" AND {alias}.product_id IN (SELECT product_id FROM touched) AND {alias}.observed_on >= {start}"


def _with_touched(scope: Scope, t: dict) -> tuple[str, list]:
    if scope.full:
        return "", []
    cte, params = scope.touched_cte(t["obs"])
    return cte + ", ", params


def _hospital_month_prices(t: dict, scope: Scope, *, lookback_months: int = 0, extra_columns: str = "") -> str:
    """`hp(product_id, hospital_id, m, price, qty, region_id)`: what a hospital paid for a product in a month — the
    quantity-weighted mean price (the plain mean when quantities are not known). Only what the detectors read: every
    column is carried through their sorts."""
    month = month_of("o.observed_on")
    return (
        f"hp AS (SELECT o.product_id, o.hospital_id, {month} AS m, {weighted_mean('o.unit_price', 'o.quantity')} AS price, "
        f"SUM(o.quantity) AS qty, MAX(o.region_id) AS region_id{extra_columns} "
        f"FROM {t['obs']} o WHERE o.hospital_id IS NOT NULL AND o.source IN ({SOURCES_SQL})"
        f"{_observation_filter(scope, lookback_months=lookback_months)} "
        f"GROUP BY o.product_id, o.hospital_id, {month})"
    )


def _touched_join(scope: Scope, alias: str, *, months_after: int = 0) -> str:
    """Keep only results in a touched product-month (or up to `months_after` months after one)."""
    if scope.full:
        return ""
    if months_after == 0:
        return f" JOIN touched tt ON tt.product_id = {alias}.product_id AND tt.m = {alias}.m"
    return (
        f" JOIN (SELECT DISTINCT product_id, m FROM touched UNION SELECT DISTINCT product_id, "
        f"{add_months('m', months_after)} FROM touched) tt ON tt.product_id = {alias}.product_id AND tt.m = {alias}.m"
    )


class PeerOutlier(Detector):
    """A hospital's price for a product in a month is far from what its peers paid: robust z-score
    0.6745·(x − median)/MAD above `z`, with at least `min_peers` hospitals; for smaller groups (or when most peers
    paid the very same price, MAD = 0) a ratio to the median of at least `ratio` (or at most 1/`ratio`). A finding
    must also be at least `min_deviation` away from the median, so a tight market does not flag cents.

    With `by_group=True` the peers are every product of the same generic name, dosage form and specification
    (prices are per minimum unit, so they compare), and only groups with two or more products are looked at."""

    name = "peer_outlier"
    label = _("同品种价格离群")
    defaults = {"z": 3.5, "min_peers": 5, "min_group": 3, "ratio": 2.0, "min_deviation": 0.2, "by_group": False}
    DISTRIBUTION_LIMIT = 200  # the evidence lists at most this many peers, the cheapest

    def __init__(self, name: str | None = None, **params):
        super().__init__(**params)
        if name:
            self.name = name
        if self.params["by_group"]:
            self.label = _("同通用名剂型规格组价格离群")

    def sql(self, scope: Scope) -> tuple[str, list]:
        t = _tables()
        p = self.params
        touched, params = _with_touched(scope, t)
        by_group = p["by_group"]
        if by_group:
            # the group of a product: the smallest id among the products of its generic name, form and strength
            # (an integer key, so the planner estimates the joins well)
            groups = (f"pgk AS (SELECT id AS product_id, MIN(id) OVER (PARTITION BY generic_name, dosage_form, "
                      f"specification) AS gk FROM {t['product']}), ")
            hp = _hospital_month_prices(t, _AllScope, extra_columns="")
            units = (
                "u AS (SELECT pgk.gk, hp.* FROM hp JOIN pgk ON pgk.product_id = hp.product_id), "
                "gp AS (SELECT gk, m FROM u GROUP BY gk, m HAVING COUNT(DISTINCT product_id) >= 2), "
            )
            if scope.full:
                units += "u2 AS (SELECT u.* FROM u JOIN gp ON gp.gk = u.gk AND gp.m = u.m)"
            else:
                groups += "tg AS (SELECT DISTINCT pgk.gk, t.m FROM touched t JOIN pgk ON pgk.product_id = t.product_id), "
                units += "u2 AS (SELECT u.* FROM u JOIN gp ON gp.gk = u.gk AND gp.m = u.m JOIN tg ON tg.gk = u.gk AND tg.m = u.m)"
                # read only the products of touched groups, from the first touched month
                hp = hp.replace(
                    f"o.source IN ({SOURCES_SQL})",
                    f"o.source IN ({SOURCES_SQL}) AND o.product_id IN (SELECT product_id FROM pgk WHERE gk IN "
                    f"(SELECT gk FROM tg)) AND o.observed_on >= (SELECT min(m) FROM touched)",
                )
            touched += groups
        else:
            hp = _hospital_month_prices(t, scope)
            units = f"u2 AS (SELECT hp.product_id AS gk, hp.* FROM hp{_touched_join(scope, 'hp')})"
        distribution = json_rows(["rk", "hospital_id", "product_id", "price", "qty"], decimals=("price",))
        sql = (
            f"WITH {touched}{hp}, {units}, "
            f"{median_ctes('st', 'u2', ['gk', 'm'], 'price')}, "
            f"dev AS (SELECT u2.gk, u2.m, abs(u2.price - st.med) AS d FROM u2 JOIN st ON st.gk = u2.gk AND st.m = u2.m), "
            f"{median_ctes('md', 'dev', ['gk', 'm'], 'd')}, "
            # a small table, one row per group-month: each unit is scored by one hash join with it, not by sorting the
            # units to merge them with the medians
            f"stats AS MATERIALIZED (SELECT st.gk, st.m, st.med, st.n, md.med AS mad "
            f"FROM st JOIN md ON md.gk = st.gk AND md.m = st.m WHERE st.n >= %s AND st.med > 0), "
            f"scored AS (SELECT u2.gk, u2.product_id, u2.hospital_id, u2.m, u2.price, u2.qty, u2.region_id, s.med, s.n, "
            f"s.mad, CASE WHEN s.mad > 0 THEN 0.6745 * (u2.price - s.med) / s.mad ELSE NULL END AS z "
            f"FROM u2 JOIN stats s ON s.gk = u2.gk AND s.m = u2.m), "
            f"flagged AS (SELECT * FROM scored WHERE abs(price / med - 1) >= %s AND ("
            f"(n >= %s AND mad > 0 AND abs(z) > %s) OR ((n < %s OR mad = 0) AND (price / med >= %s OR price / med <= %s)))), "
            # the peers are the evidence: the units of each flagged group-month, ranked cheapest first and gathered
            # into one JSON value per group-month, rather than sent back one row each
            f"ranked AS (SELECT u2.gk, u2.m, u2.hospital_id, u2.product_id, u2.price, u2.qty, row_number() OVER "
            f"(PARTITION BY u2.gk, u2.m ORDER BY u2.price, u2.hospital_id, u2.product_id) AS rk "
            f"FROM u2 JOIN (SELECT DISTINCT gk, m FROM flagged) fg ON fg.gk = u2.gk AND fg.m = u2.m), "
            f"peers AS (SELECT gk, m, {distribution} AS distribution FROM ranked "
            f"WHERE rk <= {int(self.DISTRIBUTION_LIMIT)} GROUP BY gk, m)"
            f" SELECT f.*, peers.distribution FROM flagged f JOIN peers ON peers.gk = f.gk AND peers.m = f.m"
        )
        params += [p["min_group"], p["min_deviation"], p["min_peers"], p["z"], p["min_peers"], p["ratio"], 1 / p["ratio"]]
        return sql, params

    def find(self, scope: Scope) -> list[Finding]:
        rows = fetch(*self.sql(scope))
        labels = {}
        if self.params["by_group"] and rows:
            from catalog.models import Product

            labels = {pk: f"{g} {f} {s}" for pk, g, f, s in Product.objects.filter(
                pk__in={r["gk"] for r in rows}).values_list("pk", "generic_name", "dosage_form", "specification")}
        distributions: dict[tuple, list[dict]] = {}
        findings = []
        for row in rows:
            m = as_date(row["m"])
            key = (row["gk"], m)
            if key not in distributions:
                distributions[key] = _distribution(row["distribution"])
            price, med = Decimal(str(row["price"])), Decimal(str(row["med"]))
            qty = int(row["qty"] or 0)
            excess = max(Decimal("0"), (price - med) * qty)
            z = None if row["z"] is None else round(float(row["z"]), 2)
            findings.append(Finding(
                detector=self.name, product_id=row["product_id"], subject_key=f"h:{row['hospital_id']}",
                hospital_id=row["hospital_id"], region_id=row["region_id"], period_start=m,
                period_end=as_date(_month_end_py(m)), deviation=ratio(price, med), observed_price=dec_price(price),
                reference_value=dec_price(med), amount_at_stake=dec_amount(excess),
                summary=f"{self.label}：单价 {dec_price(price)} 为同组中位数 {dec_price(med)} 的 "
                        f"{(price / med):.2f} 倍" + (f"（稳健 z = {z}）" if z is not None else ""),
                evidence={
                    "kind": "peer", "params": self.params, "month": m.isoformat(), "price": str(dec_price(price)),
                    "median": str(dec_price(med)), "mad": str(dec_price(row["mad"])), "z": z, "peers": int(row["n"]),
                    "quantity": qty, "group": labels.get(row["gk"]) if self.params["by_group"] else None,
                    "distribution": distributions[key],
                },
            ))
        return findings


def _distribution(text: str) -> list[dict]:
    """The evidence's peer list, cheapest first, from the query's JSON rows [rank, hospital, product, price, quantity]."""
    return [
        {"hospital_id": hospital_id, "product_id": product_id, "price": str(dec_price(price)), "quantity": int(qty or 0)}
        for _, hospital_id, product_id, price, qty in sorted(parse_json_rows(text))
    ]


class _AllScopeType(Scope):
    pass


_AllScope = _AllScopeType(full=True)


def _month_end_py(m):
    from calendar import monthrange

    return m.replace(day=monthrange(m.year, m.month)[1])


class SuddenChange(Detector):
    """A product's median price in a month is at least `rise` above its median in the previous month — at one
    hospital, and province-wide (异常变动). `min_observations` per month guards against a single odd receipt."""

    name = "sudden_change"
    label = _("价格异常变动")
    defaults = {"rise": 0.30, "min_observations": 1, "province_wide": True}

    def sql(self, scope: Scope) -> tuple[str, list]:
        t = _tables()
        touched, params = _with_touched(scope, t)
        month = month_of("o.observed_on")
        base = (
            f"base AS (SELECT o.product_id, o.hospital_id, {month} AS m, o.unit_price, o.quantity FROM {t['obs']} o "
            f"WHERE o.hospital_id IS NOT NULL AND o.source IN ({SOURCES_SQL}){_observation_filter(scope, lookback_months=1)})"
        )
        qty = (
            "hq AS (SELECT product_id, hospital_id, m, SUM(quantity) AS qty FROM base GROUP BY product_id, hospital_id, m), "
            "pq AS (SELECT product_id, m, SUM(quantity) AS qty FROM base GROUP BY product_id, m)"
        )
        prev_h = add_months("cur.m", -1)
        sql = (
            f"WITH {touched}{base}, {qty}, {median_ctes('hm', 'base', ['product_id', 'hospital_id', 'm'], 'unit_price')}, "
            f"{median_ctes('pm', 'base', ['product_id', 'm'], 'unit_price')} "
            f"SELECT 'h' AS level, cur.product_id, cur.hospital_id, cur.m, cur.med AS price, prev.med AS prev_price, "
            f"cur.n, hq.qty FROM hm cur JOIN hm prev ON prev.product_id = cur.product_id "
            f"AND prev.hospital_id = cur.hospital_id AND prev.m = {prev_h} "
            f"JOIN hq ON hq.product_id = cur.product_id AND hq.hospital_id = cur.hospital_id AND hq.m = cur.m"
            f"{_touched_join(scope, 'cur', months_after=1)} "
            f"WHERE prev.med > 0 AND cur.med >= prev.med * %s AND cur.n >= %s AND prev.n >= %s"
        )
        params += [1 + self.params["rise"], self.params["min_observations"], self.params["min_observations"]]
        if self.params["province_wide"]:
            sql += (
                f" UNION ALL SELECT 'p' AS level, cur.product_id, NULL, cur.m, cur.med, prev.med, cur.n, pq.qty "
                f"FROM pm cur JOIN pm prev ON prev.product_id = cur.product_id AND prev.m = {prev_h} "
                f"JOIN pq ON pq.product_id = cur.product_id AND pq.m = cur.m{_touched_join(scope, 'cur', months_after=1)} "
                f"WHERE prev.med > 0 AND cur.med >= prev.med * %s AND cur.n >= %s AND prev.n >= %s"
            )
            params += [1 + self.params["rise"], self.params["min_observations"], self.params["min_observations"]]
        return sql, params

    def find(self, scope: Scope) -> list[Finding]:
        findings = []
        for row in fetch(*self.sql(scope)):
            m = as_date(row["m"])
            price, prev = Decimal(str(row["price"])), Decimal(str(row["prev_price"]))
            qty = int(row["qty"] or 0)
            hospital = row["hospital_id"] if row["level"] == "h" else None
            where = "本机构" if hospital else "全区"
            findings.append(Finding(
                detector=self.name, product_id=row["product_id"], subject_key=f"h:{hospital}" if hospital else "province",
                hospital_id=hospital, period_start=m, period_end=_month_end_py(m), deviation=ratio(price, prev),
                observed_price=dec_price(price), reference_value=dec_price(prev),
                amount_at_stake=dec_amount(max(Decimal("0"), (price - prev) * qty)),
                summary=f"{self.label}：{where}中位价由上月 {dec_price(prev)} 升至 {dec_price(price)}"
                        f"（+{(price / prev - 1) * 100:.0f}%）",
                evidence={"kind": "change", "params": self.params, "level": "hospital" if hospital else "province",
                          "month": m.isoformat(), "median": str(dec_price(price)), "previous_median": str(dec_price(prev)),
                          "observations": int(row["n"]), "quantity": qty},
            ))
        return findings


class AboveReference(Detector):
    """A hospital paid more than a reference for the product on that day: its listed price on the platform, the
    national lowest listed price, or the insurance payment standard (each can be turned off), beyond `tolerance`."""

    name = "above_reference"
    label = _("高于参考价格")
    defaults = {"listed": True, "national_lowest": True, "payment_standard": True, "tolerance": 0.0}

    def sql(self, scope: Scope) -> tuple[str, list]:
        t = _tables()
        touched, params = _with_touched(scope, t)
        kinds = [k for k in ("national_lowest", "payment_standard") if self.params[k]]
        parts = []
        if kinds:
            in_kinds = ", ".join(f"'{k}'" for k in kinds)
            parts.append(f"SELECT product_id, kind, unit_price AS ref, valid_from, valid_to FROM {t['ref']} WHERE kind IN ({in_kinds})")
        if self.params["listed"]:
            parts.append(f"SELECT product_id, 'listed' AS kind, unit_price AS ref, valid_from, valid_to FROM {t['listing']}")
        if not parts:
            return "", []
        month = month_of("o.observed_on")
        sql = (
            f"WITH {touched}refs AS ({' UNION ALL '.join(parts)}), "
            f"hits AS (SELECT o.product_id, o.hospital_id, {month} AS m, r.kind, o.unit_price, r.ref, o.quantity, o.region_id "
            f"FROM {t['obs']} o JOIN refs r ON r.product_id = o.product_id AND o.observed_on >= r.valid_from "
            f"AND (r.valid_to IS NULL OR o.observed_on <= r.valid_to) "
            f"WHERE o.hospital_id IS NOT NULL AND o.source IN ({SOURCES_SQL}) AND o.unit_price > r.ref * %s"
            f"{_observation_filter(scope, lookback_months=0)}), "
            f"agg AS (SELECT product_id, hospital_id, m, kind, MAX(unit_price) AS price, MIN(ref) AS ref, "
            f"SUM((unit_price - ref) * quantity) AS excess, SUM(quantity) AS qty, COUNT(*) AS n, MAX(region_id) AS region_id "
            f"FROM hits GROUP BY product_id, hospital_id, m, kind) "
            f"SELECT agg.* FROM agg{_touched_join(scope, 'agg')}"
        )
        params.append(1 + self.params["tolerance"])
        return sql, params

    def find(self, scope: Scope) -> list[Finding]:
        sql, params = self.sql(scope)
        if not sql:
            return []
        labels = {"listed": "挂网价", "national_lowest": "全国最低挂网价", "payment_standard": "医保支付标准"}
        by_key: dict[tuple, list[dict]] = defaultdict(list)
        for row in fetch(sql, params):
            by_key[(row["product_id"], row["hospital_id"], as_date(row["m"]))].append(row)
        findings = []
        for (product_id, hospital_id, m), rows in by_key.items():
            worst = max(rows, key=lambda r: Decimal(str(r["price"])) / Decimal(str(r["ref"])))
            price, ref = Decimal(str(worst["price"])), Decimal(str(worst["ref"]))
            excess = max(Decimal(str(r["excess"] or 0)) for r in rows)
            findings.append(Finding(
                detector=self.name, product_id=product_id, subject_key=f"h:{hospital_id}", hospital_id=hospital_id,
                region_id=worst["region_id"], period_start=m, period_end=_month_end_py(m), deviation=ratio(price, ref),
                observed_price=dec_price(price), reference_value=dec_price(ref), amount_at_stake=dec_amount(excess),
                summary=f"{self.label}：单价 {dec_price(price)} 高于{labels[worst['kind']]} {dec_price(ref)}"
                        + (f" 等 {len(rows)} 项参考价" if len(rows) > 1 else ""),
                evidence={"kind": "reference", "params": self.params, "month": m.isoformat(), "references": [
                    {"kind": r["kind"], "label": labels[r["kind"]], "reference": str(dec_price(r["ref"])),
                     "max_price": str(dec_price(r["price"])), "observations": int(r["n"]),
                     "excess_amount": str(dec_amount(r["excess"]))}
                    for r in sorted(rows, key=lambda r: r["kind"])
                ]},
            ))
        return findings


class NonSelectedPremium(Detector):
    """A product of a tendered lot that was not selected is bought at more than `factor` × the lot's awarded
    price (the reference price of kind VBP awarded, `selected = false`, that the award sync writes)."""

    name = "non_selected_premium"
    label = _("非中选产品价格过高")
    defaults = {"factor": 2.0}

    def sql(self, scope: Scope) -> tuple[str, list]:
        t = _tables()
        touched, params = _with_touched(scope, t)
        month = month_of("o.observed_on")
        sql = (
            f"WITH {touched}hits AS (SELECT o.product_id, o.hospital_id, {month} AS m, o.unit_price, r.unit_price AS ref, "
            f"o.quantity, o.region_id, r.lot_label FROM {t['obs']} o JOIN {t['ref']} r ON r.product_id = o.product_id "
            f"AND r.kind = 'vbp_awarded' AND r.selected = %s AND o.observed_on >= r.valid_from "
            f"AND (r.valid_to IS NULL OR o.observed_on <= r.valid_to) "
            f"WHERE o.hospital_id IS NOT NULL AND o.source IN ({SOURCES_SQL}) AND o.unit_price > r.unit_price * %s"
            f"{_observation_filter(scope, lookback_months=0)}), "
            f"agg AS (SELECT product_id, hospital_id, m, MAX(unit_price) AS price, MIN(ref) AS ref, "
            f"SUM((unit_price - ref) * quantity) AS excess, SUM(quantity) AS qty, COUNT(*) AS n, MAX(region_id) AS region_id, "
            f"MAX(lot_label) AS lot_label FROM hits GROUP BY product_id, hospital_id, m) "
            f"SELECT agg.* FROM agg{_touched_join(scope, 'agg')}"
        )
        params += [False, self.params["factor"]]
        return sql, params

    def find(self, scope: Scope) -> list[Finding]:
        findings = []
        for row in fetch(*self.sql(scope)):
            m = as_date(row["m"])
            price, ref = Decimal(str(row["price"])), Decimal(str(row["ref"]))
            findings.append(Finding(
                detector=self.name, product_id=row["product_id"], subject_key=f"h:{row['hospital_id']}",
                hospital_id=row["hospital_id"], region_id=row["region_id"], period_start=m, period_end=_month_end_py(m),
                deviation=ratio(price, ref), observed_price=dec_price(price), reference_value=dec_price(ref),
                amount_at_stake=dec_amount(row["excess"]),
                summary=f"{self.label}：非中选产品单价 {dec_price(price)}，为中选价 {dec_price(ref)} 的 {price / ref:.2f} 倍",
                evidence={"kind": "non_selected", "params": self.params, "month": m.isoformat(),
                          "awarded_price": str(dec_price(ref)), "max_price": str(dec_price(price)),
                          "lot": row["lot_label"], "observations": int(row["n"]), "quantity": int(row["qty"] or 0)},
            ))
        return findings


class VolumeSpike(Detector):
    """A hospital's monthly quantity of a high-price product is more than `factor` × its median over the previous
    `trailing_months` months (months with purchases; at least `min_months` of them) — possible diversion. High
    price: a 高值耗材, or a weighted unit price of at least `min_unit_price`."""

    name = "volume_spike"
    label = _("采购量异常激增")
    defaults = {"factor": 3.0, "trailing_months": 6, "min_months": 3, "min_unit_price": 20.0}

    def sql(self, scope: Scope) -> tuple[str, list]:
        t = _tables()
        p = self.params
        touched, params = _with_touched(scope, t)
        hp = _hospital_month_prices(t, scope, lookback_months=p["trailing_months"])
        sql = (
            f"WITH {touched}{hp}, "
            f"pairs AS (SELECT cur.product_id, cur.hospital_id, cur.m, prev.qty AS pq FROM hp cur JOIN hp prev "
            f"ON prev.product_id = cur.product_id AND prev.hospital_id = cur.hospital_id "
            f"AND prev.m >= {add_months('cur.m', -int(p['trailing_months']))} AND prev.m < cur.m"
            f"{_touched_join(scope, 'cur')}), "
            f"{median_ctes('tr', 'pairs', ['product_id', 'hospital_id', 'm'], 'pq')} "
            f"SELECT cur.product_id, cur.hospital_id, cur.m, cur.qty, cur.price, cur.region_id, tr.med, tr.n "
            f"FROM hp cur JOIN tr ON tr.product_id = cur.product_id AND tr.hospital_id = cur.hospital_id AND tr.m = cur.m "
            f"JOIN {t['product']} g ON g.id = cur.product_id "
            f"WHERE tr.n >= %s AND tr.med > 0 AND cur.qty > tr.med * %s AND (cur.price >= %s OR g.high_value = %s)"
        )
        params += [p["min_months"], p["factor"], p["min_unit_price"], True]
        return sql, params

    def find(self, scope: Scope) -> list[Finding]:
        findings = []
        for row in fetch(*self.sql(scope)):
            m = as_date(row["m"])
            qty, med = Decimal(str(row["qty"])), Decimal(str(row["med"]))
            price = Decimal(str(row["price"]))
            findings.append(Finding(
                detector=self.name, product_id=row["product_id"], subject_key=f"h:{row['hospital_id']}",
                hospital_id=row["hospital_id"], region_id=row["region_id"], period_start=m, period_end=_month_end_py(m),
                deviation=ratio(qty, med), observed_price=dec_price(price), reference_value=None,
                amount_at_stake=dec_amount((qty - med) * price),
                summary=f"{self.label}：本月采购 {int(qty)}，为前期月中位数 {med.normalize():f} 的 {qty / med:.1f} 倍",
                evidence={"kind": "volume", "params": self.params, "month": m.isoformat(), "quantity": int(qty),
                          "trailing_median": str(med.normalize()), "trailing_months": int(row["n"]),
                          "unit_price": str(dec_price(price))},
            ))
        return findings


__all__ = ["AboveReference", "NonSelectedPremium", "PeerOutlier", "SuddenChange", "VolumeSpike"]
