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

Large scales are generated step by step, each step one command well under ten minutes, resumable:

    python -m bench.generate --scale 5 --part receipts --list         # the steps, done or not, disk each needs
    python -m bench.generate --scale 5 --part receipts --step next    # the next step not done (repeat)
    python -m bench.generate --scale 5 --part receipts --step flows-03
    python -m bench.generate --scale 5 --part receipts --step all     # every step not done yet, in one command

The receipts are a set-up step (tender, lots, commitments), the year's orders in chunks of 100,000 orders (1 million
lines), each chunk one transaction, a VACUUM ANALYZE step per flow table and a finishing step; the prices a world step
(hospitals, products, the plan of anomalies), the observations in chunks of products (about 2 million rows each,
COPY, one transaction) and a finishing step (statistics, the planted anomalies recorded). The table
``bench_generation_step`` records each step done (its scale, seconds, peak memory, the database's size after it), in
the chunk's own transaction: a step done is skipped on a rerun, a step cut short is redone. The rows are the same as
a one-shot generation's at the same scale (tests/test_bench_generate.py). Before each step the free disk of the
server's data directory (or /) is checked against the step's estimated need, and the step refuses when it is short.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench.common import RESULTS, bench_database_name, emit, peak_rss_mb, pg_connect, setup_django, timer

CATALOG_PREFIX = "省域"
PRICE_SEED = 29
CATALOG_START = 10_000_000  # row numbers of bench.catalog_import's layout not used by that benchmark's own files
# The smallest catalog and year of observations (a small scale still gets a world whose detectors have peers to compare),
# read at call time: the tests shrink them.
MIN_PRODUCTS = 1000
MIN_OBSERVATIONS = 50_000


def products_at(scale: float) -> int:
    return max(MIN_PRODUCTS, round(50_000 * scale))


def observations_at(scale: float) -> int:
    return max(MIN_OBSERVATIONS, round(5_000_000 * scale))


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
    """The tender, commitments and the year's receipts (kept when generated at this scale already; a generation cut
    short is resumed at its first step not done)."""
    from bench import commitment_progress

    setup_django()
    from django.db import connection

    with connection.cursor() as cur:
        have = commitment_progress.generated_scale(cur)
    if have != scale:
        for name in pending("receipts", scale):
            run_step("receipts", scale, name)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM procurement_receiptline")
        lines = cur.fetchone()[0]
    return {"lines": lines}


def drop_receipts() -> None:
    """Remove the receipts part (the ordering benchmarks delete organisations its rows refer to)."""
    from bench import commitment_progress

    setup_django()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        if not cur.fetchone()[0]:
            return
        cur.execute("DROP TABLE IF EXISTS bench_meta, bench_lot, bench_hosp, bench_lines, bench_floor, bench_params")
        if _has_steps(cur):
            cur.execute(f"DELETE FROM {STEPS_TABLE} WHERE part = 'receipts'")
        cur.execute(f"TRUNCATE {', '.join(commitment_progress.EMPTIED)} CASCADE")
        cur.execute("DELETE FROM catalog_historicalproduct WHERE generic_name LIKE '基准通用名%%'")
        cur.execute("DELETE FROM catalog_product WHERE generic_name LIKE '基准通用名%%'")
        cur.execute("DELETE FROM accounts_user WHERE username = 'bench_user'")
        cur.execute("DELETE FROM accounts_historicalorganization WHERE name LIKE '基准%%'")
        cur.execute("DELETE FROM accounts_organization WHERE name LIKE '基准%%'")


def prices(scale: float, *, created_at=None) -> dict:
    """The year's price observations with planted anomalies, recorded (at `created_at`; two days before the world's
    creation by default); returns the price benchmark's world."""
    from bench import price_scan

    setup_django()
    for name in steps("prices", scale):  # afresh: the scans of the last run changed the world's alerts
        run_step("prices", scale, name)
    world = price_world(scale)
    with pg_connect() as conn:
        world["observations"] = conn.execute(
            f"SELECT count(*) FROM pricing_priceobservation WHERE import_batch = '{price_scan.MARK}'"
        ).fetchone()[0]
        if created_at is not None:  # recorded at another time than the world's (bench.incremental's clock)
            conn.execute(
                "UPDATE pricing_priceobservation SET created_at = %s WHERE import_batch = %s",
                [created_at, price_scan.MARK],
            )
            conn.commit()
            world["plan"]["created_at"] = created_at
    world["truth"] = price_scan.truth(world)
    return world


def price_world(scale: float, *, create: bool = False) -> dict:
    """The price benchmark's world at this scale: created (``create``), or read back with its plan as created."""
    from bench import price_scan

    # A seed of its own: the receipts' hospitals are drawn with price_scan's default one (their USCCs would repeat).
    world = price_scan.build_world(observations_at(scale), seed=PRICE_SEED, create=create)
    if not create:
        from datetime import datetime

        info = step_info("prices", "world")
        world["plan"]["created_at"] = datetime.fromisoformat(info["created_at"])
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


# --- steps -----------------------------------------------------------------------------------------------------------

STEPS_TABLE = "bench_generation_step"
CHUNK_OBSERVATIONS = 2_000_000
# Bytes each generated row takes in the database, tables and indexes together (measured at scale 0.1: the database's
# growth over the part's steps ÷ its rows), and room for the write-ahead log and temporary files of a step.
RECEIPT_LINE_BYTES = 1_000
OBSERVATION_BYTES = 300
HEADROOM = 2 * 1024**3


def steps(part: str, scale: float) -> list[str]:
    """The part's steps at this scale, in order."""
    from bench import commitment_progress

    if part == "receipts":
        flows = [f"flows-{i + 1:02d}" for i in range(len(commitment_progress.chunks(scale)))]
        vacuums = [f"vacuum-{t.removeprefix('procurement_')}" for t in commitment_progress.VACUUMED]
        return ["setup", *flows, *vacuums, "finish"]
    if part == "prices":
        return ["world", *(f"observations-{i + 1:02d}" for i in range(len(price_chunks(scale)))), "finish"]
    raise SystemExit(f"the part {part!r} is generated in one step (--part receipts or prices have steps)")


def price_chunks(scale: float) -> list[range]:
    """The world's products in ranges of places, about CHUNK_OBSERVATIONS observations each."""
    from bench.price_scan import BUYERS_PER_PRODUCT, MONTHS

    per_product = BUYERS_PER_PRODUCT * len(MONTHS) * 2  # the world's buyers per product × months × observations a month
    products = max(10, observations_at(scale) // per_product)
    size = max(1, CHUNK_OBSERVATIONS // per_product)
    return [range(first, min(first + size, products)) for first in range(0, products, size)]


def rows_of(part: str, scale: float, name: str) -> int:
    """The rows a step writes (lines or observations), for its disk estimate."""
    from bench import commitment_progress, price_scan

    if name.startswith("flows-"):
        first, last = commitment_progress.chunks(scale)[int(name[6:]) - 1]
        return (last - first) * 10
    if name.startswith("observations-"):
        return len(price_chunks(scale)[int(name[13:]) - 1]) * price_scan.BUYERS_PER_PRODUCT * len(price_scan.MONTHS) * 2
    if name == "setup":
        return commitment_progress.HOSPITALS * commitment_progress.LOTS // 5  # the commitments
    return 0


def need_bytes(part: str, scale: float, name: str) -> int:
    per_row = RECEIPT_LINE_BYTES if part == "receipts" else OBSERVATION_BYTES
    return rows_of(part, scale, name) * per_row + HEADROOM


def data_directory() -> str:
    """The server's data directory when it is on this machine (a local server), else /: where the disk is checked."""
    from bench.common import database

    host = str(database().get("HOST") or "")
    if host in ("", "localhost", "127.0.0.1", "::1") or host.startswith("/"):
        try:
            with pg_connect() as conn:
                path = conn.execute("SHOW data_directory").fetchone()[0]
            if Path(path).exists():
                return path
        except Exception:  # noqa: BLE001 - not a superuser: the root file system stands in
            pass
    return "/"


def free_bytes() -> int:
    return shutil.disk_usage(data_directory()).free


def database_bytes() -> int:
    with pg_connect() as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def check_disk(part: str, scale: float, name: str) -> None:
    need, free = need_bytes(part, scale, name), free_bytes()
    if free < need:
        raise SystemExit(
            f"{part} step {name} at scale {scale} needs about {need / 1024**3:.1f} GiB of disk and "
            f"{data_directory()} has {free / 1024**3:.1f} GiB free: free some space (drop another benchmark database) "
            f"and run the step again"
        )


def _has_steps(cur) -> bool:
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", [STEPS_TABLE])
    return cur.fetchone()[0]


def _ensure_steps_table(cur) -> None:
    cur.execute(
        f"CREATE TABLE IF NOT EXISTS {STEPS_TABLE} (part text, step text, scale float, info jsonb, seconds float, "
        f"peak_rss_mb float, database_bytes bigint, done_at timestamptz DEFAULT now(), PRIMARY KEY (part, step))"
    )


def done(part: str, scale: float) -> dict[str, dict]:
    """The part's steps done at this scale: name → what was recorded."""
    with pg_connect() as conn, conn.cursor() as cur:
        if not _has_steps(cur):
            return {}
        cur.execute(
            f"SELECT step, seconds, peak_rss_mb, database_bytes, info FROM {STEPS_TABLE} WHERE part = %s AND scale = %s",
            [part, scale],
        )
        return {
            step: {"seconds": s, "peak_rss_mb": r, "database_bytes": b, "info": info or {}}
            for step, s, r, b, info in cur.fetchall()
        }


def pending(part: str, scale: float) -> list[str]:
    finished = done(part, scale)
    return [name for name in steps(part, scale) if name not in finished]


def step_info(part: str, name: str) -> dict:
    with pg_connect() as conn:
        row = conn.execute(f"SELECT info FROM {STEPS_TABLE} WHERE part = %s AND step = %s", [part, name]).fetchone()
    if row is None:
        raise SystemExit(f"{part}: step {name} is not done yet")
    return row[0] or {}


def _mark(cur, part: str, scale: float, name: str, seconds: float, info: dict | None = None) -> None:
    _ensure_steps_table(cur)
    cur.execute(
        f"INSERT INTO {STEPS_TABLE} (part, step, scale, info, seconds, peak_rss_mb) VALUES (%s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (part, step) DO UPDATE SET scale = EXCLUDED.scale, info = EXCLUDED.info, "
        f"seconds = EXCLUDED.seconds, peak_rss_mb = EXCLUDED.peak_rss_mb, done_at = now()",
        [part, name, scale, json.dumps(info or {}), seconds, peak_rss_mb()],
    )


def run_step(part: str, scale: float, name: str) -> dict:
    """One step of a part, after the steps before it (refused otherwise), its disk need checked first; recorded as
    done in the same transaction as its rows where it has one. Returns what it did, its time, the process's peak
    memory and the database's size after it."""
    from time import perf_counter

    setup_django()
    order = steps(part, scale)
    if name not in order:
        raise SystemExit(f"{part} has no step {name!r} at scale {scale}: {', '.join(order)}")
    finished = done(part, scale)
    missing = [s for s in order[: order.index(name)] if s not in finished]
    if missing and name != order[0]:
        raise SystemExit(f"{part} step {name} comes after {', '.join(missing)}: run those first (--step next)")
    check_disk(part, scale, name)
    started = perf_counter()
    info, marked = (_receipt_step if part == "receipts" else _price_step)(scale, name, started)
    seconds = perf_counter() - started
    size = database_bytes()
    with pg_connect() as conn, conn.cursor() as cur:
        if not marked:
            _mark(cur, part, scale, name, seconds, info)
        cur.execute(
            f"UPDATE {STEPS_TABLE} SET database_bytes = %s, seconds = %s WHERE part = %s AND step = %s",
            [size, seconds, part, name],
        )
        conn.commit()
    return {
        "part": part,
        "step": name,
        "scale": scale,
        "seconds": round(seconds, 2),
        "peak_rss_mb": peak_rss_mb(),
        "database_bytes": size,
        "info": info,
    }


def _forget_steps(part: str) -> None:
    """A new generation of the part: its steps done before (at any scale) are forgotten."""
    with pg_connect() as conn, conn.cursor() as cur:
        if _has_steps(cur):
            cur.execute(f"DELETE FROM {STEPS_TABLE} WHERE part = %s", [part])
        conn.commit()


def _receipt_step(scale: float, name: str, started: float) -> tuple[dict, bool]:
    """One receipts step; returns what it did and whether it recorded itself (a chunk, in its own transaction)."""
    from time import perf_counter

    from django.db import connection, transaction

    from bench import commitment_progress

    if name == "setup":
        _forget_steps("receipts")
        return commitment_progress.generate_setup(scale), False
    if name.startswith("flows-"):
        first, last = commitment_progress.chunks(scale)[int(name[6:]) - 1]
        with transaction.atomic():
            info = {"lines": commitment_progress.generate_flows(first, last), "orders": [first + 1, last]}
            with connection.cursor() as cur:
                _mark(cur, "receipts", scale, name, perf_counter() - started, info)
        return info, True
    if name.startswith("vacuum-"):
        commitment_progress.vacuum(f"procurement_{name[7:]}")
        return {}, False
    return commitment_progress.generate_finish(scale), False


def _empty_observations() -> None:
    """The last world's observations go by TRUNCATE when the table holds nothing else (12.5 million rows at scale 2.5
    would take minutes to delete, and leave their space dead until a vacuum); otherwise cleanup deletes them."""
    from bench.price_scan import MARK

    with pg_connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM pricing_priceobservation WHERE import_batch <> %s)", [MARK])
        if not cur.fetchone()[0]:
            cur.execute("TRUNCATE pricing_priceobservation")
        conn.commit()


def _price_step(scale: float, name: str, started: float) -> tuple[dict, bool]:
    """One prices step; returns what it did and whether it recorded itself (a chunk, with its COPY)."""
    from time import perf_counter

    from bench import price_scan

    if name == "world":
        _empty_observations()
        price_scan.cleanup(None, [])
        _forget_steps("prices")
        world = price_world(scale, create=True)
        return {
            "created_at": world["plan"]["created_at"].isoformat(),
            "products": len(world["products"]),
            "hospitals": len(world["hospitals"]),
        }, False
    if name.startswith("observations-"):
        world = price_world(scale)
        chunk = price_chunks(scale)[int(name[13:]) - 1]
        info: dict = {"products": [chunk.start, chunk.stop]}

        def record(cur, rows: int) -> None:
            info["observations"] = rows
            _mark(cur, "prices", scale, name, perf_counter() - started, info)

        price_scan.write_observations(world, products=chunk, analyze=False, before_commit=record)
        return info, True
    _analyze("pricing_priceobservation")
    truth = price_scan.truth(price_world(scale))
    return {"planted": record_anomalies(truth), "by detector": {k: len(v) for k, v in sorted(truth.items())}}, False


def print_steps(part: str, scale: float) -> None:
    finished = done(part, scale)
    print(f"{part} at scale {scale} (disk free in {data_directory()}: {free_bytes() / 1024**3:.1f} GiB):")
    for name in steps(part, scale):
        state = finished.get(name)
        if state:
            size = state["database_bytes"] or 0
            print(f"  {name:<24} done in {state['seconds']:.1f} s, database {size / 1024**3:.2f} GiB after")
        else:
            print(f"  {name:<24} to do, needs about {need_bytes(part, scale, name) / 1024**3:.1f} GiB free")


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
    parser.add_argument(
        "--step",
        help="with one --part (receipts or prices): run this step, 'next' (the first not done) or 'all' (every step "
        "not done); the last line printed is the step's record as JSON",
    )
    parser.add_argument("--list", action="store_true", help="with --part: its steps, done or not, and their disk")
    args = parser.parse_args(argv)
    bench_database_name()
    if args.step or args.list:
        if not args.part or len(args.part) != 1:
            parser.error("--step and --list take one --part")
        part = args.part[0]
        if args.list:
            print_steps(part, args.scale)
            return 0
        names = pending(part, args.scale)
        if args.step == "next":
            names = names[:1]
        elif args.step != "all":
            names = [args.step]
        if not names:
            print(f"{part} at scale {args.scale}: every step done")
        for name in names:
            record = run_step(part, args.scale, name)
            print(
                f"{part} {name}: {record['seconds']:.1f} s, peak RSS {record['peak_rss_mb']} MiB, database "
                f"{record['database_bytes'] / 1024**3:.2f} GiB",
                flush=True,
            )
            emit(record)
        return 0
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
