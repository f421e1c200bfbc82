"""The detectors. Each is one set-based query over the observations (`pricing.sql.detectors`); here its rows become
findings."""

from __future__ import annotations

import math
from calendar import monthrange
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from catalog.models import Product
from common import rules
from common.messages import Message

from ..sql import as_date, fetch, parse_json_rows
from ..sql import detectors as statements
from ..sql.detectors import Scope
from .base import Detector, Finding, dec_amount, dec_price, ratio, strength_of


def informational_kinds() -> set[str]:
    """Signal kinds that are legitimate by design: they inform a case, never open one (setting
    PRICE_INFORMATIONAL_SIGNALS). Above a payment standard: the patient pays the difference; above the national lowest
    listed price: another province's price, a reference rather than a rule."""
    return set(rules.prices().informational_signals)


class PeerOutlier(Detector):
    """A hospital's price for a product in a month is far from what its peers paid: robust z-score
    0.6745·(x − median)/MAD above `z`, with at least `min_peers` hospitals; for smaller groups (or when most peers
    paid the very same price, MAD = 0) a ratio to the median of at least `ratio` (or at most 1/`ratio`). A finding
    must also be at least `min_deviation` away from the median, so a tight market does not flag cents. Only prices
    above the peers are findings unless `low_side`.

    With `by_group=True` the peers are every product of the same generic name, dosage form and specification
    (prices are per minimum unit, so they compare), and only groups with two or more products are looked at."""

    name = "peer_outlier"
    label = _("同品种价格离群")
    defaults = {
        "z": 3.5,
        "min_peers": 5,
        "min_group": 3,
        "ratio": 1.5,
        "min_deviation": 0.25,
        "by_group": False,
        "low_side": False,
    }
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
        rows = fetch(*self.sql(scope), **statements.run_settings(scope))
        labels = {}
        if self.params["by_group"] and rows:
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
            threshold = self._threshold(float(med), float(row["mad"] or 0), int(row["n"]))
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
                    strength=strength_of(float(price / med), threshold),
                    summary=Message(
                        gettext_noop(
                            "%(label)s：单价 %(price)s 为同类机构中位价 %(median)s 的 %(times)s 倍（%(n)s 家机构）"
                        ),
                        {
                            "label": Message.label(self.label),
                            "price": str(dec_price(price)),
                            "median": str(dec_price(med)),
                            "times": f"{(price / med):.2f}",
                            "n": int(row["n"]),
                        },
                    ),
                    evidence={
                        "kind": "peer",
                        "params": self.params,
                        "month": m.isoformat(),
                        "price": str(dec_price(price)),
                        "median": str(dec_price(med)),
                        "mad": str(dec_price(row["mad"])),
                        "z": z,
                        "threshold_ratio": round(threshold, 4),
                        "peers": int(row["n"]),
                        "quantity": qty,
                        "group": labels.get(row["gk"]) if self.params["by_group"] else None,
                        "distribution": distributions[key],
                    },
                )
            )
        return findings

    def _threshold(self, med: float, mad: float, n: int) -> float:
        """The price ratio to the median at which a unit of this group-month is flagged."""
        p = self.params
        floor = 1 + p["min_deviation"]
        if n >= p["min_peers"] and mad > 0:
            return max(floor, 1 + p["z"] * mad / (0.6745 * med))
        return max(floor, p["ratio"])


def _distribution(text: str) -> list[dict]:
    """The evidence's peer list, cheapest first, from the query's JSON rows [rank, hospital, product, price, quantity]
    (the price already rounded to a unit price's places by the query: quantizing each of the peers here was a third of
    the detector's Python time)."""
    return [
        {
            "hospital_id": hospital_id,
            "product_id": product_id,
            "price": str(price),
            "quantity": int(qty or 0),
        }
        for _, hospital_id, product_id, price, qty in sorted(parse_json_rows(text))
    ]


def _month_end_py(m):
    return m.replace(day=monthrange(m.year, m.month)[1])


class SuddenChange(Detector):
    """异常变动: a hospital's price in a month at least `rise` above its robust baseline — the median of its last
    `baseline_months` months with purchases (empty months skipped, within `lookback_months`, at least `min_history`)
    — on its own and net of the market's move that month (the median move of the product's hospitals, when at least
    `min_market` of them have a baseline). With `province_wide`, the product's median over hospitals at least
    `province_rise` above its own baseline."""

    name = "sudden_change"
    label = _("价格异常变动")
    defaults = {
        "rise": 0.30,
        "baseline_months": 3,
        "lookback_months": 6,
        "min_history": 2,
        "min_market": 5,
        "province_wide": True,
        "province_rise": 0.30,
    }

    def sql(self, scope: Scope):
        return statements.sudden_changes(scope, self.params)

    def find(self, scope: Scope) -> list[Finding]:
        return [self._finding(row) for row in fetch(*self.sql(scope), **statements.run_settings(scope))]

    def _finding(self, row: dict) -> Finding:
        m = as_date(row["m"])
        price, base = Decimal(str(row["price"])), Decimal(str(row["base"]))
        own, market = float(row["own"]), float(row["market"])
        qty = int(row["qty"] or 0)
        hospital = row["hospital_id"] if row["level"] == "h" else None
        net = own / market if market > 0 else own
        rise = self.params["rise"] if hospital else self.params["province_rise"]
        where = _("本机构") if hospital else _("全区")
        return Finding(
            detector=self.name,
            product_id=row["product_id"],
            subject_key=f"h:{hospital}" if hospital else "province",
            hospital_id=hospital,
            region_id=row["region_id"],
            period_start=m,
            period_end=_month_end_py(m),
            deviation=ratio(price, base),
            observed_price=dec_price(price),
            reference_value=dec_price(base),
            amount_at_stake=dec_amount(max(Decimal("0"), (price - base) * qty)),
            strength=strength_of(min(own, net), 1 + rise),
            summary=Message(
                gettext_noop(
                    "%(label)s：%(where)s价格由近 %(k)s 个采购月的中位价 %(base)s 升至 %(price)s"
                    "（+%(own)s%%，扣除同期市场变动后 +%(net)s%%）"
                ),
                {
                    "label": Message.label(self.label),
                    "where": Message.label(where),
                    "k": int(row["k"]),
                    "base": str(dec_price(base)),
                    "price": str(dec_price(price)),
                    "own": f"{(own - 1) * 100:.0f}",
                    "net": f"{(net - 1) * 100:.0f}",
                },
            ),
            evidence={
                "kind": "change",
                "params": self.params,
                "level": "hospital" if hospital else "province",
                "month": m.isoformat(),
                "price": str(dec_price(price)),
                "baseline": str(dec_price(base)),
                "baseline_months": int(row["k"]),
                "own_move": round(own, 4),
                "market_move": round(market, 4),
                "market_hospitals": int(row["market_n"] or 0),
                "net_move": round(net, 4),
                "quantity": qty,
            },
        )


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
        labels = {"listed": _("挂网价"), "national_lowest": _("全国最低挂网价"), "payment_standard": _("医保支付标准")}
        informational = informational_kinds()
        by_key: dict[tuple, list[dict]] = defaultdict(list)
        # no JIT: the join with the references' validity and the published standards is estimated at a cost that
        # triggers it, and compiling took 3 s of a statement that runs in 0.5 s at scale 0.1 (once per part of a scan)
        for row in fetch(*statement, **{**statements.run_settings(scope), "jit": False}):
            by_key[(row["product_id"], row["hospital_id"], as_date(row["m"]), row["kind"])].append(row)
        findings = []
        for (product_id, hospital_id, m, kind), rows in by_key.items():
            worst = max(rows, key=lambda r: Decimal(str(r["price"])) / Decimal(str(r["ref"])))
            price, ref = Decimal(str(worst["price"])), Decimal(str(worst["ref"]))
            excess = max(Decimal(str(r["excess"] or 0)) for r in rows)
            findings.append(
                Finding(
                    detector=f"above_{kind}",
                    informational=f"above_{kind}" in informational,
                    strength=strength_of(float(price / ref), 1 + max(self.params["tolerance"], 0.05)),
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
                    summary=Message(
                        gettext_noop("%(label)s：单价 %(price)s 高于%(reference)s %(ref)s（+%(pct)s%%）"),
                        {
                            "label": Message.label(self.label),
                            "price": str(dec_price(price)),
                            "reference": Message.label(labels[kind]),
                            "ref": str(dec_price(ref)),
                            "pct": f"{(price / ref - 1) * 100:.0f}",
                        },
                    ),
                    evidence={
                        "kind": "reference",
                        "params": self.params,
                        "month": m.isoformat(),
                        "references": [
                            {
                                "kind": r["kind"],
                                "label": str(labels[r["kind"]]),
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
        for row in fetch(*self.sql(scope), **statements.run_settings(scope)):
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
                    strength=strength_of(float(price / ref), self.params["factor"]),
                    summary=Message(
                        gettext_noop("%(label)s：非中选产品单价 %(price)s，为中选价 %(ref)s 的 %(times)s 倍"),
                        {
                            "label": Message.label(self.label),
                            "price": str(dec_price(price)),
                            "ref": str(dec_price(ref)),
                            "times": f"{price / ref:.2f}",
                        },
                    ),
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
    """采购量异常激增 (possible diversion): a hospital's monthly quantity far above its own usual months, on a log scale
    (a trimmed mean of its other months with purchases within `window_months`, at least `min_history`), net of the
    market's move that month (seasonality, province-wide shifts), in complete months only (the month in progress is
    judged by the first scan after it closes); both relative (≥ `factor` ×, ≥ `z` spreads, the
    spread counting the months' noise — the hospital's own, shrunk towards the product's across its hospitals
    (`pool_weight`, `pool_min_quantity`, `pool_min_hospitals`) —, the baseline's and small counts' Poisson noise) and absolute (the extra units
    worth ≥ `min_excess_amount` yuan). Products priced at least `min_unit_price` a unit, and 高值耗材."""

    name = "volume_spike"
    label = _("采购量异常激增")
    defaults = {
        "factor": 3.0,
        "z": 3.5,
        "window_months": 11,
        "min_history": 3,
        "min_market": 5,
        "min_scale": 0.2,
        "pool_weight": 20.0,
        "pool_min_quantity": 20.0,
        "pool_min_hospitals": 3,
        "min_excess_amount": 1000.0,
        "min_unit_price": 0.0,
    }

    def sql(self, scope: Scope):
        """The statement for the complete months the scope concerns (`statements.volume_scope`); None when there is
        nothing to judge (every new observation in the month in progress)."""
        narrowed = statements.volume_scope(scope)
        return None if narrowed is None else statements.volume_spikes(narrowed, self.params)

    def has_work(self, scope: Scope, new_observations: int) -> bool:
        # a month closed since the last scan is judged now, whether or not anything new arrived
        return new_observations > 0 or statements.month_closed(scope)

    def find(self, scope: Scope) -> list[Finding]:
        statement = self.sql(scope)
        if statement is None:
            return []
        # compiled when it reads every month: a full scan's, or the first scan after a month closed
        run = statements.run_settings(statements.volume_scope(scope))
        return [self._finding(row) for row in fetch(*statement, **run)]

    def _finding(self, row: dict) -> Finding:
        m = as_date(row["m"])
        qty, price = Decimal(str(row["qty"])), Decimal(str(row["price"]))
        base, market = float(row["base"]), float(row["market"])
        usual = Decimal(str(round(math.exp(base), 1)))
        expected = Decimal(str(round(math.exp(base + market), 1)))
        net = float(row["r"])
        spread = float(row["spread"])
        return Finding(
            detector=self.name,
            product_id=row["product_id"],
            subject_key=f"h:{row['hospital_id']}",
            hospital_id=row["hospital_id"],
            region_id=row["region_id"],
            period_start=m,
            period_end=_month_end_py(m),
            deviation=ratio(qty, expected),
            observed_price=dec_price(price),
            reference_value=None,
            amount_at_stake=dec_amount((qty - expected) * price),
            # two thresholds, relative and robust: the strength is the lesser margin past them
            strength=min(
                strength_of(math.exp(net), self.params["factor"]),
                Decimal(str(round(net / spread / self.params["z"], 2))),
            ),
            summary=Message(
                gettext_noop("%(label)s：本月采购 %(qty)s，为本机构常规月用量 %(usual)s 的 %(times)s 倍"),
                {
                    "label": Message.label(self.label),
                    "qty": int(qty),
                    "usual": f"{expected.normalize():f}",
                    "times": f"{math.exp(net):.1f}",
                },
            ),
            evidence={
                "kind": "volume",
                "params": self.params,
                "month": m.isoformat(),
                "quantity": int(qty),
                "usual_quantity": str(usual.normalize()),
                "expected_quantity": str(expected.normalize()),
                "market_move": round(math.exp(market), 4),
                "history_months": int(row["k"]),
                "spread": round(math.exp(spread), 4),
                "robust_z": round(net / spread, 2),
                "unit_price": str(dec_price(price)),
            },
        )


__all__ = ["AboveReference", "NonSelectedPremium", "PeerOutlier", "SuddenChange", "VolumeSpike"]
