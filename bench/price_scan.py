"""The price scan over a province-size year of observations, next to a hand-written SQL floor, with the detectors'
precision and recall on planted anomalies.

The generator writes (with COPY) `--observations` observations (default 5,000,000): products × hospitals × 12 months,
two observations per hospital-month, prices around a base with 3 % noise. It plants, and records, anomalies:

- price units: a hospital-month of a product at 1.5–4 × the base (truth for the peer outlier, for the sudden change
  when the previous month is normal, for the above-reference detector on products with a payment standard, for the
  non-selected premium on products with a lot's awarded price, and for the group detector on products sold in pairs);
- province jumps: every hospital's price of a product × 1.5 from one month (sudden change, province-wide and at each
  hospital);
- volume spikes: a hospital-month of a high-price product at 5 × the usual quantity.

It then times the full scan (every detector) and, in the same run, a hand-written SQL query computing the same
per-product-month hospital prices, medians and MADs as the peer detector and flagging the same hospital-months by the
same rule and parameters (goal: peer detector ≤ 1.5 × the floor; the two must flag the very same hospital-months, or
the line is DIFFERENT);
adds one day's observations and times the incremental scan (its ratio to the full scan); and compares each detector's
alerts with the planted truth (goal ≥ 0.9 precision and recall). Everything it creates is removed at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yaoxie_bench .venv/bin/python -m bench.price_scan [--observations N]
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from bench.common import bench_database_name, digest, peak_rss_mb, pg_connect, print_table, setup_django, timer

GOAL_FLOOR = 1.5
GOAL_QUALITY = 0.9
MARK = "BENCH-PS"
MONTHS = [date(2025, m, 1) for m in range(1, 13)]
# The world's size besides its products (read when it is built; the tests shrink it): the hospitals buying each
# product, two observations a month each, and the hospitals of the province.
BUYERS_PER_PRODUCT = 104
MIN_HOSPITALS = 500
NOISE = 0.03


def _month_index(day: date) -> int:
    return day.month - 1


def build_world(observations: int, seed: int = 11, *, create: bool = True) -> dict:
    """Hospitals and products for the run, the reference prices, and the plan of anomalies (the truth). With
    ``create=False`` the world a run before created is read back (its hospitals and products, by their mark) and the
    same plan drawn again from the same seed: how a later step of ``python -m bench.generate --step`` writes its
    share of the observations."""
    from django.utils import timezone

    from accounts.models import Organization, Region
    from accounts.uscc import make_uscc
    from catalog.models import Product
    from pricing.models import ReferencePrice

    rng = random.Random(seed)
    per_unit = 2
    hospitals_per_product = BUYERS_PER_PRODUCT
    products_n = max(10, observations // (hospitals_per_product * len(MONTHS) * per_unit))
    hospitals_n = max(hospitals_per_product + 10, MIN_HOSPITALS)
    region = Region.objects.filter(parent__isnull=True).order_by("code").first()
    # drawn in this order whether the world is created or read back: the plan's draws follow
    maker_uscc = make_uscc(rng, division_code=region.code)
    hospital_usccs = [make_uscc(rng, division_code=region.code) for _ in range(hospitals_n)]
    if not create:
        return _world_read_back(seed, rng, products_n, hospitals_per_product)
    maker = Organization.objects.create(kind="manufacturer", name=f"{MARK} 制药", region=region, uscc=maker_uscc)
    Organization.objects.bulk_create(
        [
            Organization(
                kind="hospital",
                name=f"{MARK} 医院{i:04d}",
                region=region,
                hospital_level="3",
                hospital_type="general",
                ownership="public",
                uscc=hospital_usccs[i],
            )
            for i in range(hospitals_n)
        ],
        batch_size=1000,
    )
    hospitals = list(
        Organization.objects.filter(name__startswith=f"{MARK} 医院").order_by("pk").values_list("pk", flat=True)
    )
    products = []
    for i in range(products_n):
        paired = i % 4 < 2  # half the products come in pairs of one generic name, form and strength
        group = f"P{i // 2:05d}" if paired else f"U{i:05d}"
        products.append(
            Product(
                category="chemical",
                nhsa_code=f"XB{i:021d}",
                generic_name=f"{MARK}品种{group}",
                dosage_form="片剂",
                specification="10mg",
                pack_size=10,
                min_unit="片",
                pack_unit="盒",
                manufacturer=maker,
                remarks=MARK,
            )
        )
    Product.objects.bulk_create(products, batch_size=2000)
    products = list(Product.objects.filter(remarks=MARK).order_by("pk"))
    world = {"maker": maker, "products": products, "hospitals": hospitals, "rng": rng, "seed": seed}
    refs = _plan(world, hospitals_per_product)
    ReferencePrice.objects.bulk_create(refs, batch_size=2000)
    with pg_connect(autocommit=True) as conn:  # fresh statistics, as autovacuum would keep them
        for model in (Organization, Product, ReferencePrice):
            conn.execute(f"ANALYZE {model._meta.db_table}")
    world["plan"]["created_at"] = timezone.now() - timedelta(days=2)
    return world


def _world_read_back(seed: int, rng: random.Random, products_n: int, hospitals_per_product: int) -> dict:
    from accounts.models import Organization
    from catalog.models import Product

    maker = Organization.objects.get(kind="manufacturer", name=f"{MARK} 制药")
    hospitals = list(
        Organization.objects.filter(name__startswith=f"{MARK} 医院").order_by("pk").values_list("pk", flat=True)
    )
    products = list(Product.objects.filter(remarks=MARK).order_by("pk"))
    if len(products) != products_n:
        raise SystemExit(f"the price world holds {len(products)} products, not {products_n}: generate its world first")
    world = {"maker": maker, "products": products, "hospitals": hospitals, "rng": rng, "seed": seed}
    _plan(world, hospitals_per_product)
    return world


def _plan(world: dict, hospitals_per_product: int) -> list:
    """The plan of prices and anomalies (``world["plan"]``), drawn from the world's generator; returns the reference
    prices to store (unsaved)."""
    from pricing.models import ReferencePrice

    rng, products, hospitals = world["rng"], world["products"], world["hospitals"]
    plan = {
        "base": {},
        "paired": set(),
        "payment": set(),
        "awarded": set(),
        "high": set(),
        "units": {},
        "province": {},
        "spikes": set(),
        "buyers": {},
    }
    refs = []
    for i, p in enumerate(products):
        high = i % 20 == 3  # a high-price product (≥ ¥20 a unit), watched for volume spikes; never paired
        base = rng.uniform(60, 400) if high else rng.uniform(0.5, 18)
        if i % 4 == 1:  # the second of a pair costs what the first does
            base = plan["base"][products[i - 1].pk]
        plan["base"][p.pk] = base
        if i % 4 < 2:
            plan["paired"].add(p.pk)
        if high:
            plan["high"].add(p.pk)
        if i % 5 == 0:
            plan["payment"].add(p.pk)
            refs.append(
                ReferencePrice(
                    product=p,
                    kind="payment_standard",
                    unit_price=Decimal(f"{base * 1.25:.4f}"),
                    valid_from=MONTHS[0],
                    source=MARK,
                )
            )
        elif i % 5 == 1:
            plan["awarded"].add(p.pk)
            refs.append(
                ReferencePrice(
                    product=p,
                    kind="vbp_awarded",
                    selected=False,
                    lot_label=MARK,
                    unit_price=Decimal(f"{base / 1.6:.4f}"),
                    valid_from=MONTHS[0],
                    source=MARK,
                )
            )
        plan["buyers"][p.pk] = rng.sample(hospitals, hospitals_per_product)
        if i % 4 >= 2 and not high and rng.random() < 0.02:
            plan["province"][p.pk] = rng.randint(2, 11)  # from this month on, every hospital pays × 1.5
        for h in plan["buyers"][p.pk]:
            for m in range(len(MONTHS)):
                if rng.random() < 0.0015:
                    plan["units"][(p.pk, h, m)] = rng.uniform(1.5, 4.0)
                elif high and m >= 6 and rng.random() < 0.004:
                    plan["spikes"].add((p.pk, h, m))
    world["plan"] = plan
    return refs


def write_observations(
    world: dict,
    *,
    day_only: date | None = None,
    created_at=None,
    products: range | None = None,
    before_commit=None,
    analyze: bool = True,
) -> int:
    """COPY the year's observations (or, with `day_only`, one more day's) into the table. The year's noise is drawn
    product by product from a generator seeded with the world's seed and the product's place, so ``products`` (a
    range of places in ``world["products"]``) writes the very rows a whole run writes for them: the year can be
    written in chunks, each its own transaction (``before_commit(cursor, rows)`` runs in it just before the commit)."""
    from pricing.models import PriceObservation

    plan, rng = world["plan"], world["rng"]
    table = PriceObservation._meta.db_table
    columns = (
        "product_id",
        "hospital_id",
        "region_id",
        "province",
        "observed_on",
        "unit_price",
        "quantity",
        "amount",
        "source",
        "import_batch",
        "created_at",
    )
    region_id = world["maker"].region_id
    created_at = created_at or plan["created_at"]
    written = 0
    with pg_connect() as conn, conn.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for i in products if products is not None else range(len(world["products"])):
                p = world["products"][i]
                if day_only is None:
                    rng = random.Random(world["seed"] * 1_000_003 + i)
                base = plan["base"][p.pk]
                for h in plan["buyers"][p.pk]:
                    high = p.pk in plan["high"]
                    usual = 40 if high else 500
                    months = range(len(MONTHS)) if day_only is None else [_month_index(day_only)]
                    for m in months:
                        factor = plan["units"].get((p.pk, h, m), 1.0)
                        if p.pk in plan["province"] and m >= plan["province"][p.pk]:
                            factor *= 1.5
                        qty = usual * (5 if (p.pk, h, m) in plan["spikes"] else 1)
                        count = 2 if day_only is None else (1 if rng.random() < 0.1 else 0)
                        for k in range(count):
                            price = round(base * factor * (1 + rng.gauss(0, NOISE)), 4)
                            day = day_only or MONTHS[m] + timedelta(days=3 + 12 * k)
                            q = max(1, int(qty / 2 * rng.uniform(0.9, 1.1)))
                            copy.write_row(
                                (
                                    p.pk,
                                    h,
                                    region_id,
                                    "",
                                    day,
                                    price,
                                    q,
                                    round(price * q, 2),
                                    "off_platform",
                                    MARK,
                                    created_at,
                                )
                            )
                            written += 1
        if before_commit is not None:
            before_commit(cur, written)
        conn.commit()
    if analyze:
        with pg_connect(autocommit=True) as conn:
            conn.execute(f"ANALYZE {table}")
    return written


def truth(world: dict) -> dict[str, set]:
    """The keys each detector should find, from the plan (detector → {(product, subject, month index)}).

    A price above the payment standard is informational by default (`PRICE_INFORMATIONAL_SIGNALS`: the patient pays
    the difference): it informs a hospital's open case and never opens one. A province-wide move above the standard is
    then expected only at the hospitals whose case a price unit opens (the peer detector runs before the references);
    the others' months are legitimate and nobody's case."""
    from pricing.detectors.price import informational_kinds

    plan = world["plan"]
    price_units = set(plan["units"])
    payment_informs_only = "above_payment_standard" in informational_kinds()
    with_case = {(p, h) for p, h, _m in price_units}
    out: dict[str, set] = defaultdict(set)
    for p, h, m in price_units:
        out["peer_outlier"].add((p, f"h:{h}", m))
        if p in plan["paired"]:
            out["peer_outlier_group"].add((p, f"h:{h}", m))
        if m > 0 and (p, h, m - 1) not in price_units:
            out["sudden_change"].add((p, f"h:{h}", m))
        if p in plan["payment"]:
            out["above_reference"].add((p, f"h:{h}", m))
        if p in plan["awarded"]:
            out["non_selected_premium"].add((p, f"h:{h}", m))
    for p, start in plan["province"].items():
        # a province-wide move is the province's change, not each hospital's (the hospitals' are net of the market)
        out["sudden_change"].add((p, "province", start))
        for h in plan["buyers"][p]:
            for m in range(start, len(MONTHS)):
                if p in plan["payment"] and (not payment_informs_only or (p, h) in with_case):
                    out["above_reference"].add((p, f"h:{h}", m))
                if p in plan["awarded"]:
                    out["non_selected_premium"].add((p, f"h:{h}", m))
    for p, h, m in plan["spikes"]:
        out["volume_spike"].add((p, f"h:{h}", m))
    return out


FLOOR_SQL = """
WITH hp AS (
  SELECT o.product_id, o.hospital_id, CAST(date_trunc('month', o.observed_on) AS date) AS m,
         CASE WHEN SUM(o.quantity) > 0 THEN SUM(o.unit_price * o.quantity) / SUM(o.quantity) ELSE AVG(o.unit_price) END AS price
  FROM pricing_priceobservation o
  WHERE o.hospital_id IS NOT NULL AND o.source IN ('platform_receipt', 'off_platform')
  GROUP BY 1, 2, 3),
st AS (SELECT product_id, m, percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS med, count(*) AS n FROM hp GROUP BY 1, 2),
dev AS (SELECT hp.product_id, hp.m, abs(hp.price - st.med) AS d FROM hp JOIN st USING (product_id, m)),
md AS (SELECT product_id, m, percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS mad FROM dev GROUP BY 1, 2)
SELECT hp.product_id, hp.hospital_id, hp.m FROM hp JOIN st USING (product_id, m) JOIN md USING (product_id, m)
WHERE st.n >= %(min_group)s AND st.med > 0 AND hp.price / st.med - 1 >= %(min_deviation)s
  AND ((st.n >= %(min_peers)s AND md.mad > 0 AND 0.6745 * (hp.price - st.med) / md.mad > %(z)s)
       OR ((st.n < %(min_peers)s OR md.mad = 0) AND hp.price / st.med >= %(ratio)s))
"""


def floor_params(detector) -> dict:
    """The peer detector's own parameters (defaults or settings), so that the floor flags by the same rule."""
    p = detector.params
    return {
        "min_group": p["min_group"],
        "min_deviation": p["min_deviation"],
        "min_peers": p["min_peers"],
        "z": p["z"],
        "ratio": p["ratio"],
        "inverse": 1 / p["ratio"],
    }


def flagged_work(units) -> dict:
    """The hospital-months a path flagged: how many, and which (fingerprinted)."""
    keys = {(int(p), int(h), m.isoformat()[:7]) for p, h, m in units}
    return {"flagged hospital-months": len(keys), "which": digest(keys)}


def finding_units(findings) -> list[tuple]:
    return [(f.product_id, f.hospital_id, f.period_start) for f in findings]


def score(world: dict, scan_ids: list[int]) -> list[list]:
    """Each detector's signals (one per kind, subject and month, on the cases) against the planted truth; the
    reference detector's kinds (above a listing, a payment standard, the national lowest) count as one."""
    from pricing.models import Signal

    month_of = {m: i for i, m in enumerate(MONTHS)}
    found: dict[str, set] = defaultdict(set)
    product_ids = [p.pk for p in world["products"]]
    for kind, p, subject, month in Signal.objects.filter(alert__product_id__in=product_ids).values_list(
        "kind", "alert__product_id", "alert__subject_key", "month"
    ):
        detector = "above_reference" if kind.startswith("above_") else kind
        found[detector].add((p, subject, month_of[month]))
    expected = truth(world)
    rows = []
    for detector in sorted(set(expected) | set(found)):
        tp = len(found[detector] & expected[detector])
        precision = tp / len(found[detector]) if found[detector] else 1.0
        recall = tp / len(expected[detector]) if expected[detector] else 1.0
        ok = "✓" if precision >= GOAL_QUALITY and recall >= GOAL_QUALITY else "✗"
        rows.append(
            [detector, len(expected[detector]), len(found[detector]), tp, round(precision, 3), round(recall, 3), ok]
        )
    return rows


def cleanup(world: dict | None, scan_ids: list[int]) -> None:
    from django.db import connection

    from accounts.models import Organization
    from catalog.models import Product
    from pricing.models import PriceAlert, PriceObservation, PriceScan, ReferencePrice, Signal

    products = Product.objects.filter(remarks=MARK)
    Signal.objects.filter(alert__product__in=products).delete()
    PriceAlert.history.filter(product__in=products).delete()
    PriceAlert.objects.filter(product__in=products).delete()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {PriceObservation._meta.db_table} WHERE import_batch = %s", [MARK])
    ReferencePrice.history.filter(source=MARK).delete()
    ReferencePrice.objects.filter(source=MARK).delete()
    Product.history.filter(remarks=MARK).delete()
    products.delete()
    Organization.objects.filter(name__startswith=MARK).delete()
    PriceScan.objects.filter(pk__in=scan_ids).delete()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=5_000_000)
    parser.add_argument("--keep", action="store_true", help="leave the generated data in the database")
    args = parser.parse_args(argv)
    bench_database_name()
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from pricing.detectors import Scope, registry
    from pricing.models import PriceScan
    from pricing.services.scan import price_scan_run

    if PriceScan.objects.filter(status="running").exists():
        print("a price scan is running in this database; try again later")
        return 1
    scan_ids: list[int] = []
    world = None
    try:
        with timer() as t_gen:
            world = build_world(args.observations)
            written = write_observations(world)
        print(
            f"generated {written:,} observations in {t_gen['seconds']:.0f} s "
            f"({len(world['products'])} products × {len(world['hospitals'])} hospitals × 12 months)"
        )
        # the platform's full scan, detector by detector, and the floor in the same run
        timings = []
        detectors = registry()
        for name, detector in detectors.items():
            with timer() as t:
                found = detector.find(Scope(full=True))
            timings.append([name, len(found), t["seconds"]])
            if name == "peer_outlier":
                peer_work = flagged_work(finding_units(found))
        with timer() as t_floor, connection.cursor() as cur:
            cur.execute(FLOOR_SQL, floor_params(detectors["peer_outlier"]))
            floor_work = flagged_work(cur.fetchall())
        floor_count = floor_work["flagged hospital-months"]
        with timer() as t_full:
            full = price_scan_run(full=True, now=timezone.now())
        scan_ids.append(full.pk)
        # one more day: the incremental scan reads only the product-months it touches
        day = MONTHS[-1] + timedelta(days=27)
        added = write_observations(world, day_only=day, created_at=timezone.now())
        with timer() as t_inc:
            inc = price_scan_run(now=timezone.now() + timedelta(minutes=1))
        scan_ids.append(inc.pk)
        peer = next(row for row in timings if row[0] == "peer_outlier")
        rows = [[name, count, seconds, ""] for name, count, seconds in timings]
        rows.append(
            [
                "floor: hand-written median/MAD SQL",
                floor_count,
                t_floor["seconds"],
                f"peer detector {peer[2] / t_floor['seconds']:.2f} × floor (goal ≤ {GOAL_FLOOR})",
            ]
        )
        rows.append(["full scan (all detectors + alerts)", full.alerts_opened, t_full["seconds"], ""])
        rows.append(
            [
                f"incremental scan ({added:,} new observations)",
                inc.alerts_opened + inc.alerts_updated,
                t_inc["seconds"],
                f"{t_inc['seconds'] / t_full['seconds']:.3f} × full",
            ]
        )
        print_table(
            ["path", "findings", "seconds", "note"],
            rows,
            title=f"Price scan over {written:,} observations, peak RSS {peak_rss_mb()} MiB",
        )
        print(
            "the floor flagged "
            + (
                "the same hospital-months as the peer detector"
                if peer_work == floor_work
                else f"DIFFERENT hospital-months: ours {peer_work}, floor {floor_work}"
            )
        )
        print_table(
            ["detector", "planted", "alerts", "true", "precision", "recall", f"≥ {GOAL_QUALITY}"],
            score(world, scan_ids),
            title="Detection quality on planted anomalies (default parameters)",
        )
    finally:
        if not args.keep:
            cleanup(world, scan_ids)
    return 0


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    """The suite's lines (bench.suite): the year's observations and planted anomalies from bench.generate, the peer
    detector next to the hand-written median/MAD SQL (warmed, then best of three alternated runs each), the full scan,
    and detection quality (worst detector)."""
    from bench.common import suite_row
    from bench.generate import prices

    setup_django()
    from django.db import connection
    from django.utils import timezone

    from pricing.detectors import Scope, registry
    from pricing.services.scan import price_scan_run

    world, scan_ids = None, []
    try:
        world = prices(scale)
        peer = registry()["peer_outlier"]
        params = floor_params(peer)
        with connection.cursor() as cur:  # both read the same pages: warm them once, untimed
            cur.execute(FLOOR_SQL, params)
            cur.fetchall()
        t_peer, t_floor = {"seconds": float("inf")}, {"seconds": float("inf")}
        for _ in range(1 if quick else 3):  # alternated, best of each: load from other work hits both alike
            with timer() as t:
                found = peer.find(Scope(full=True))
            t_peer["seconds"] = min(t_peer["seconds"], t["seconds"])
            with timer() as t, connection.cursor() as cur:
                cur.execute(FLOOR_SQL, params)
                flagged = cur.fetchall()
            t_floor["seconds"] = min(t_floor["seconds"], t["seconds"])
        peer_work = (flagged_work(finding_units(found)), flagged_work(flagged))
        with timer() as t_full:
            full = price_scan_run(full=True, now=timezone.now())
        scan_ids.append(full.pk)
        quality = score(world, scan_ids)
        with connection.cursor() as cur:  # the truth scored against, as recorded for the world
            cur.execute("SELECT count(*) FROM bench_planted_anomaly")
            truth_work = (
                {"planted anomalies": sum(len(v) for v in world["truth"].values())},
                {"planted anomalies": cur.fetchone()[0]},
            )
    finally:
        cleanup(world, scan_ids)
    label = f"price scan, {world['observations']:,} observations"
    worst_p = min(quality, key=lambda r: r[4])
    worst_r = min(quality, key=lambda r: r[5])
    return [
        suite_row(
            f"{label}: peer detector vs median/MAD SQL",
            t_peer["seconds"],
            t_floor["seconds"],
            goal=GOAL_FLOOR,
            work=peer_work,
        ),
        # the whole scan next to the peer detector's floor: what all detectors and the alerts cost beside it
        suite_row(f"{label}: full scan, all detectors + alerts", t_full["seconds"], t_floor["seconds"], work=peer_work),
        suite_row(
            f"planted anomalies: precision (worst: {worst_p[0]})",
            worst_p[4],
            1.0,
            unit="share",
            goal=GOAL_QUALITY,
            higher_is_better=True,
            work=truth_work,
        ),
        suite_row(
            f"planted anomalies: recall (worst: {worst_r[0]})",
            worst_r[5],
            1.0,
            unit="share",
            goal=GOAL_QUALITY,
            higher_is_better=True,
            work=truth_work,
        ),
    ]


if __name__ == "__main__":
    raise SystemExit(main())
