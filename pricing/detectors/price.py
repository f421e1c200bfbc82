"""The detectors. Each is one set-based query over the observations (`pricing.sql.detectors`); here its rows become
findings."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from ..sql import as_date, fetch, parse_json_rows
from ..sql import detectors as statements
from ..sql.detectors import Scope
from .base import Detector, Finding, dec_amount, dec_price, ratio


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

    def sql(self, scope: Scope):
        return statements.peer_outliers(scope, self.params, distribution_limit=self.DISTRIBUTION_LIMIT)

    def find(self, scope: Scope) -> list[Finding]:
        rows = fetch(*self.sql(scope))
        labels = {}
        if self.params["by_group"] and rows:
            from catalog.models import Product

            labels = {
                pk: f"{g} {f} {s}"
                for pk, g, f, s in Product.objects.filter(pk__in={r["gk"] for r in rows}).values_list(
                    "pk", "generic_name", "dosage_form", "specification"
                )
            }
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
            findings.append(
                Finding(
                    detector=self.name,
                    product_id=row["product_id"],
                    subject_key=f"h:{row['hospital_id']}",
                    hospital_id=row["hospital_id"],
                    region_id=row["region_id"],
                    period_start=m,
                    period_end=_month_end_py(m),
                    deviation=ratio(price, med),
                    observed_price=dec_price(price),
                    reference_value=dec_price(med),
                    amount_at_stake=dec_amount(excess),
                    summary=f"{self.label}：单价 {dec_price(price)} 为同组中位数 {dec_price(med)} 的 "
                    f"{(price / med):.2f} 倍" + (f"（稳健 z = {z}）" if z is not None else ""),
                    evidence={
                        "kind": "peer",
                        "params": self.params,
                        "month": m.isoformat(),
                        "price": str(dec_price(price)),
                        "median": str(dec_price(med)),
                        "mad": str(dec_price(row["mad"])),
                        "z": z,
                        "peers": int(row["n"]),
                        "quantity": qty,
                        "group": labels.get(row["gk"]) if self.params["by_group"] else None,
                        "distribution": distributions[key],
                    },
                )
            )
        return findings


def _distribution(text: str) -> list[dict]:
    """The evidence's peer list, cheapest first, from the query's JSON rows [rank, hospital, product, price, quantity]."""
    return [
        {
            "hospital_id": hospital_id,
            "product_id": product_id,
            "price": str(dec_price(price)),
            "quantity": int(qty or 0),
        }
        for _, hospital_id, product_id, price, qty in sorted(parse_json_rows(text))
    ]


def _month_end_py(m):
    from calendar import monthrange

    return m.replace(day=monthrange(m.year, m.month)[1])


class SuddenChange(Detector):
    """A product's median price in a month is at least `rise` above its median in the previous month — at one
    hospital, and province-wide (异常变动). `min_observations` per month guards against a single odd receipt."""

    name = "sudden_change"
    label = _("价格异常变动")
    defaults = {"rise": 0.30, "min_observations": 1, "province_wide": True}

    def sql(self, scope: Scope):
        return statements.sudden_changes(scope, self.params)

    def find(self, scope: Scope) -> list[Finding]:
        findings = []
        for row in fetch(*self.sql(scope)):
            m = as_date(row["m"])
            price, prev = Decimal(str(row["price"])), Decimal(str(row["prev_price"]))
            qty = int(row["qty"] or 0)
            hospital = row["hospital_id"] if row["level"] == "h" else None
            where = "本机构" if hospital else "全区"
            findings.append(
                Finding(
                    detector=self.name,
                    product_id=row["product_id"],
                    subject_key=f"h:{hospital}" if hospital else "province",
                    hospital_id=hospital,
                    period_start=m,
                    period_end=_month_end_py(m),
                    deviation=ratio(price, prev),
                    observed_price=dec_price(price),
                    reference_value=dec_price(prev),
                    amount_at_stake=dec_amount(max(Decimal("0"), (price - prev) * qty)),
                    summary=f"{self.label}：{where}中位价由上月 {dec_price(prev)} 升至 {dec_price(price)}"
                    f"（+{(price / prev - 1) * 100:.0f}%）",
                    evidence={
                        "kind": "change",
                        "params": self.params,
                        "level": "hospital" if hospital else "province",
                        "month": m.isoformat(),
                        "median": str(dec_price(price)),
                        "previous_median": str(dec_price(prev)),
                        "observations": int(row["n"]),
                        "quantity": qty,
                    },
                )
            )
        return findings


class AboveReference(Detector):
    """A hospital paid more than a reference for the product on that day: its listed price on the platform, the
    national lowest listed price, or the insurance payment standard (each can be turned off), beyond `tolerance`."""

    name = "above_reference"
    label = _("高于参考价格")
    defaults = {"listed": True, "national_lowest": True, "payment_standard": True, "tolerance": 0.0}

    def sql(self, scope: Scope):
        return statements.above_reference(scope, self.params)

    def find(self, scope: Scope) -> list[Finding]:
        statement = self.sql(scope)
        if statement is None:
            return []
        labels = {"listed": "挂网价", "national_lowest": "全国最低挂网价", "payment_standard": "医保支付标准"}
        by_key: dict[tuple, list[dict]] = defaultdict(list)
        for row in fetch(*statement):
            by_key[(row["product_id"], row["hospital_id"], as_date(row["m"]))].append(row)
        findings = []
        for (product_id, hospital_id, m), rows in by_key.items():
            worst = max(rows, key=lambda r: Decimal(str(r["price"])) / Decimal(str(r["ref"])))
            price, ref = Decimal(str(worst["price"])), Decimal(str(worst["ref"]))
            excess = max(Decimal(str(r["excess"] or 0)) for r in rows)
            findings.append(
                Finding(
                    detector=self.name,
                    product_id=product_id,
                    subject_key=f"h:{hospital_id}",
                    hospital_id=hospital_id,
                    region_id=worst["region_id"],
                    period_start=m,
                    period_end=_month_end_py(m),
                    deviation=ratio(price, ref),
                    observed_price=dec_price(price),
                    reference_value=dec_price(ref),
                    amount_at_stake=dec_amount(excess),
                    summary=f"{self.label}：单价 {dec_price(price)} 高于{labels[worst['kind']]} {dec_price(ref)}"
                    + (f" 等 {len(rows)} 项参考价" if len(rows) > 1 else ""),
                    evidence={
                        "kind": "reference",
                        "params": self.params,
                        "month": m.isoformat(),
                        "references": [
                            {
                                "kind": r["kind"],
                                "label": labels[r["kind"]],
                                "reference": str(dec_price(r["ref"])),
                                "max_price": str(dec_price(r["price"])),
                                "observations": int(r["n"]),
                                "excess_amount": str(dec_amount(r["excess"])),
                            }
                            for r in sorted(rows, key=lambda r: r["kind"])
                        ],
                    },
                )
            )
        return findings


class NonSelectedPremium(Detector):
    """A product of a tendered lot that was not selected is bought at more than `factor` × the lot's awarded
    price (the reference price of kind VBP awarded, `selected = false`, that the award sync writes)."""

    name = "non_selected_premium"
    label = _("非中选产品价格过高")
    defaults = {"factor": 2.0}

    def sql(self, scope: Scope):
        return statements.non_selected_premiums(scope, self.params)

    def find(self, scope: Scope) -> list[Finding]:
        findings = []
        for row in fetch(*self.sql(scope)):
            m = as_date(row["m"])
            price, ref = Decimal(str(row["price"])), Decimal(str(row["ref"]))
            findings.append(
                Finding(
                    detector=self.name,
                    product_id=row["product_id"],
                    subject_key=f"h:{row['hospital_id']}",
                    hospital_id=row["hospital_id"],
                    region_id=row["region_id"],
                    period_start=m,
                    period_end=_month_end_py(m),
                    deviation=ratio(price, ref),
                    observed_price=dec_price(price),
                    reference_value=dec_price(ref),
                    amount_at_stake=dec_amount(row["excess"]),
                    summary=f"{self.label}：非中选产品单价 {dec_price(price)}，为中选价 {dec_price(ref)} 的 {price / ref:.2f} 倍",
                    evidence={
                        "kind": "non_selected",
                        "params": self.params,
                        "month": m.isoformat(),
                        "awarded_price": str(dec_price(ref)),
                        "max_price": str(dec_price(price)),
                        "lot": row["lot_label"],
                        "observations": int(row["n"]),
                        "quantity": int(row["qty"] or 0),
                    },
                )
            )
        return findings


class VolumeSpike(Detector):
    """A hospital's monthly quantity of a high-price product is more than `factor` × its median over the previous
    `trailing_months` months (months with purchases; at least `min_months` of them) — possible diversion. High
    price: a 高值耗材, or a weighted unit price of at least `min_unit_price`."""

    name = "volume_spike"
    label = _("采购量异常激增")
    defaults = {"factor": 3.0, "trailing_months": 6, "min_months": 3, "min_unit_price": 20.0}

    def sql(self, scope: Scope):
        return statements.volume_spikes(scope, self.params)

    def find(self, scope: Scope) -> list[Finding]:
        findings = []
        for row in fetch(*self.sql(scope)):
            m = as_date(row["m"])
            qty, med = Decimal(str(row["qty"])), Decimal(str(row["med"]))
            price = Decimal(str(row["price"]))
            findings.append(
                Finding(
                    detector=self.name,
                    product_id=row["product_id"],
                    subject_key=f"h:{row['hospital_id']}",
                    hospital_id=row["hospital_id"],
                    region_id=row["region_id"],
                    period_start=m,
                    period_end=_month_end_py(m),
                    deviation=ratio(qty, med),
                    observed_price=dec_price(price),
                    reference_value=None,
                    amount_at_stake=dec_amount((qty - med) * price),
                    summary=f"{self.label}：本月采购 {int(qty)}，为前期月中位数 {med.normalize():f} 的 {qty / med:.1f} 倍",
                    evidence={
                        "kind": "volume",
                        "params": self.params,
                        "month": m.isoformat(),
                        "quantity": int(qty),
                        "trailing_median": str(med.normalize()),
                        "trailing_months": int(row["n"]),
                        "unit_price": str(dec_price(price)),
                    },
                )
            )
        return findings


__all__ = ["AboveReference", "NonSelectedPremium", "PeerOutlier", "SuddenChange", "VolumeSpike"]
