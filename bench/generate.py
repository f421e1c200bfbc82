"""A province, generated deterministically (fixed seeds) at a chosen scale, for the benchmark suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yaoxie_bench .venv/bin/python -m bench.generate --scale 0.1

Scale 1 is a province's year: ~1,000 purchasing hospitals, 50,000 catalog products, a tender of 500 lots, 5 million
receipt lines and 5 million price observations over 12 months; 0.1 is a quick run. Three parts, each written in
bulk into the platform's own tables (the models' ``db_table``) and each reused by the benchmark that reads it:

- ``catalog``: the products, in the official NHSA layout (``bench.catalog_import.row_for``), loaded by the
  platform's COPY-based import (pinyin and initials filled as in production) under manufacturers named 省域制药….
  Read by ``bench.catalog_search``.
- ``receipts``: 1,000 hospitals, one tender of 500 lots with awards, listings and 100,000 commitments, and the
  year's orders → deliveries → receipts → returns by INSERT … SELECT over generate_series
  (``bench.commitment_progress.generate``). Read by ``bench.commitment_progress``.
- ``prices``: the year's price observations by COPY, with planted anomalies (hospital prices 1.5–4 × the peers',
  province-wide jumps, volume spikes of high-price products; ``bench.price_scan.build_world``). What each detector
  should find is recorded in the table ``bench_planted_anomaly`` (detector, product, subject, month) and in
  bench/results/planted_anomalies.json; ``bench.price_scan`` scores precision and recall against it.

The ordering and settlement benchmarks build their own month or tender (they empty those tables) from the same
scale. Use a database of the benchmarks' own; the parts are kept until the next run asks for another scale.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench.common import RESULTS, bench_database_name, setup_django, timer

CATALOG_PREFIX = "省域"
PRICE_SEED = 29
CATALOG_START = 10_000_000  # row numbers of bench.catalog_import's layout not used by that benchmark's own files


def products_at(scale: float) -> int:
    return max(1000, round(50_000 * scale))


def observations_at(scale: float) -> int:
    return max(50_000, round(5_000_000 * scale))


def _catalog_row(i: int) -> list[str]:
    from bench.catalog_import import MAKER_PREFIX, row_for

    row = row_for(i)
    row[12] = row[14] = row[12].replace(MAKER_PREFIX, CATALOG_PREFIX, 1)
    return row


def catalog(scale: float) -> dict:
    """The catalog's products (kept when the same number is already there)."""
    import csv

    from bench.catalog_import import HEADERS

    setup_django()
    from catalog.imports.pipeline import import_file
    from catalog.imports.report import ImportReport
    from catalog.models import Product

    wanted = products_at(scale)
    ours = Product.objects.filter(manufacturer__name__startswith=f"{CATALOG_PREFIX}制药")
    have = ours.count()
    if have != wanted:
        if have:
            drop_catalog()
        with tempfile.TemporaryDirectory(prefix="bench-province-") as tmp:
            path = Path(tmp) / "catalog.csv"
            with path.open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(HEADERS)
                for i in range(CATALOG_START, CATALOG_START + wanted):
                    writer.writerow(_catalog_row(i))
            result = import_file(str(path), layout="nhsa", report=ImportReport(), reason="省域基准数据")
        if not result.ok:
            raise SystemExit(f"catalog import failed: {result.summary()}")
        _analyze("catalog_product", "accounts_organization")
    return {"products": wanted}


def drop_catalog() -> None:
    setup_django()
    from django.db import connection, transaction

    makers = "SELECT id FROM accounts_organization WHERE name LIKE %s"
    pattern = [f"{CATALOG_PREFIX}制药%"]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM catalog_historicalproduct WHERE manufacturer_id IN ({makers})", pattern)
        cur.execute(f"DELETE FROM catalog_product WHERE manufacturer_id IN ({makers})", pattern)
        cur.execute("DELETE FROM accounts_historicalorganization WHERE name LIKE %s", pattern)
        cur.execute("DELETE FROM accounts_organization WHERE name LIKE %s", pattern)


def receipts(scale: float) -> dict:
    """The tender, commitments and the year's receipts (kept when generated at this scale already)."""
    from bench import commitment_progress

    setup_django()
    from django.db import connection

    with connection.cursor() as cur:
        have = commitment_progress.generated_scale(cur)
    if have != scale:
        commitment_progress.generate(scale)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM procurement_receiptline")
        lines = cur.fetchone()[0]
    return {"lines": lines}


def drop_receipts() -> None:
    """Remove the receipts part (the ordering benchmarks delete organisations its rows refer to)."""
    setup_django()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        if not cur.fetchone()[0]:
            return
        cur.execute("DROP TABLE IF EXISTS bench_meta, bench_lot, bench_hosp, bench_lines, bench_floor")
        cur.execute(f"TRUNCATE {', '.join(RECEIPT_TABLES)} CASCADE")
        cur.execute("DELETE FROM catalog_historicalproduct WHERE generic_name LIKE '基准通用名%%'")
        cur.execute("DELETE FROM catalog_product WHERE generic_name LIKE '基准通用名%%'")
        cur.execute("DELETE FROM accounts_user WHERE username = 'bench_user'")
        cur.execute("DELETE FROM accounts_historicalorganization WHERE name LIKE '基准%%'")
        cur.execute("DELETE FROM accounts_organization WHERE name LIKE '基准%%'")


# What bench.commitment_progress.generate fills (and empties before it does).
RECEIPT_TABLES = [
    "procurement_goodsreturnline",
    "procurement_goodsreturn",
    "procurement_receiptline",
    "procurement_receipt",
    "procurement_deliveryline",
    "procurement_delivery",
    "procurement_purchaseorderline",
    "procurement_orderevent",
    "procurement_purchaseorder",
    "procurement_commitmentprogress",
    "procurement_commitmentalertstate",
    "procurement_manufacturerprogress",
    "procurement_progressrun",
    "common_notification",
    "common_outboxmessage",
    "procurement_commitment",
    "procurement_listing",
    "procurement_award",
    "procurement_bid",
    "procurement_lot",
    "procurement_tender",
]


def prices(scale: float, *, created_at=None) -> dict:
    """The year's price observations with planted anomalies, recorded (at `created_at`; two days ago by default);
    returns the price benchmark's world."""
    from bench import price_scan

    setup_django()
    price_scan.cleanup(None, [])
    # A seed of its own: the receipts' hospitals are drawn with price_scan's default one (their USCCs would repeat).
    world = price_scan.build_world(observations_at(scale), seed=PRICE_SEED)
    world["observations"] = price_scan.write_observations(world, created_at=created_at)
    world["truth"] = price_scan.truth(world)
    record_anomalies(world["truth"])
    return world


def record_anomalies(truth: dict[str, set]) -> int:
    """What each detector should find: table bench_planted_anomaly and bench/results/planted_anomalies.json."""
    from bench.common import pg_connect
    from bench.price_scan import MONTHS

    rows = sorted((detector, p, subject, m) for detector, keys in truth.items() for p, subject, m in keys)
    with pg_connect() as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_planted_anomaly")
        cur.execute(
            "CREATE TABLE bench_planted_anomaly (detector text, product_id bigint, subject_key text, period_start date)"
        )
        with cur.copy("COPY bench_planted_anomaly FROM STDIN") as copy:
            for detector, p, subject, m in rows:
                copy.write_row((detector, p, subject, MONTHS[m]))
        conn.commit()
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {
        detector: sorted([p, subject, MONTHS[m].isoformat()] for p, subject, m in keys)
        for detector, keys in sorted(truth.items())
    }
    (RESULTS / "planted_anomalies.json").write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(rows)


def _analyze(*tables: str) -> None:
    from bench.common import pg_connect

    with pg_connect(autocommit=True) as conn:
        for table in tables:
            conn.execute(f"ANALYZE {table}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--part",
        action="append",
        choices=["catalog", "receipts", "prices"],
        help="generate only this part (repeatable)",
    )
    args = parser.parse_args(argv)
    bench_database_name()
    parts = args.part or ["catalog", "receipts", "prices"]
    for part in parts:
        with timer() as t:
            made = globals()[part](args.scale)
        if part == "prices":
            made = {
                "observations": made["observations"],
                "products": len(made["products"]),
                "hospitals": len(made["hospitals"]),
                "planted": {k: len(v) for k, v in sorted(made["truth"].items())},
            }
        print(f"{part}: {made} in {t['seconds']:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
