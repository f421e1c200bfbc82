"""Benchmark of the catalog import (NHSA 总表 layout).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yaoxie_bench .venv/bin/python -m bench.catalog_import --rows 100000

Generates N rows in the official 26-column layout (deterministic: valid codes, ~200 manufacturers, generic names
repeating as in the real database) and measures, each in a child process of its own:
- the platform's import (``catalog.imports``) of the N rows into an empty catalog, commit included, and how long of
  that it spends starting each batch's storing and waiting for the database to finish storing a batch (the database
  stores one batch — COPY into catalog_product, with its indexes, and its history table — while the importing
  process checks the next), the CPU time of the importing process and of its PostgreSQL backend (from /proc, when
  the server runs on this machine; 0 otherwise);
- the floor: PostgreSQL COPY of the very rows the import stored — every column of catalog_product, and one
  simple_history row each — into copies of the two tables with the same indexes, constraints, generated search
  column and foreign keys (the work of storing them, without reading or checking the file), and its backend's CPU
  time. The copies must hold as many products and history rows, with the same total of pack sizes, as the import
  wrote;
- the two take turns (``--turns``, 3): import, floor, the catalog emptied, import, floor, …; each side's median turn
  counts, and every turn's floor must have stored what that turn's import did;
- the platform's re-import of the same file (every row unchanged: read, check, compare, write nothing);
- stock django-import-export, row by row (a plain ModelResource, no bulk) on a slice, extrapolated; it must write one
  product and one history row per row, as the platform does;
- the platform's import of 2N rows, to show that memory does not grow with the file.

The benchmark writes to the database it is given and removes what it created (products of manufacturers named
基准测试…); use a database of its own (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from operator import itemgetter
from pathlib import Path

from bench.common import (
    bench_database_name,
    cpu_seconds,
    emit,
    peak_rss_mb,
    pg_connect,
    print_table,
    rate,
    run_child,
    setup_django,
    timer,
    write_results,
)

MODULE = "bench.catalog_import"
MAKER_PREFIX = "基准测试"
HEADERS = [
    "药品代码",
    "数据来源",
    "注册名称",
    "商品名称",
    "注册剂型",
    "剂型",
    "注册规格",
    "规格",
    "包装材质",
    "最小包装数量",
    "最小制剂单位",
    "最小包装单位",
    "药品企业",
    "分包装企业名称",
    "生产企业",
    "批准文号",
    "原批准文号",
    "药品本位码",
    "上市药品持有人",
    "市场状态",
    "医保药品名称",
    "2025版甲乙类",
    "医保剂型",
    "编号",
    "备注",
    "曾用码",
]
SYLLABLES = "阿莫西林克拉维酸钾头孢呋辛酯布洛芬对乙酰氨基酚地喹氯铵奥美拉唑二甲双胍硝苯地平缓释氨氯沙坦厄贝雷米"
FORMS = [
    ("片剂", "片", "盒"),
    ("胶囊剂", "粒", "盒"),
    ("注射剂", "支", "盒"),
    ("颗粒剂", "袋", "盒"),
    ("口服溶液剂", "瓶", "盒"),
]
MANUFACTURERS = 200
TURNS = 3  # the import and its floor, taking turns; each side's median turn counts
GENERIC_NAMES = 2000
STOCK_ROWS = 2000


def row_for(i: int) -> list[str]:
    """Row i of the generated file: unique code, the company part of the code naming one of 200 makers."""
    company = i % MANUFACTURERS
    k = i // MANUFACTURERS
    generic = k % GENERIC_NAMES
    strength, pack = (k // GENERIC_NAMES) % 90 + 10, (k // (GENERIC_NAMES * 90)) % 90 + 10
    name = "".join(SYLLABLES[(generic * 7 + j * 11) % len(SYLLABLES)] for j in range(3 + generic % 3))
    form, unit, pack_unit = FORMS[generic % len(FORMS)]
    # X, class (letter + 2 digits + 2 letters), generic (letter + 3 digits), form group, numbers, company.
    code = (
        f"X{'ABCDGJLMNR'[generic % 10]}{generic % 90 + 10:02d}AB{'DEFGHJKLMN'[generic // 200]}"
        f"{generic % 200:03d}A0{strength:02d}{pack:02d}01{company:05d}"
    )
    maker = f"{MAKER_PREFIX}制药{company:03d}有限公司"
    insurance = ("甲", "乙", "无")[generic % 3]
    spec = f"{strength * 5}mg"
    return [
        code,
        "",
        f"{name}{form[:1]}",
        "无",
        form,
        form,
        spec,
        spec,
        "铝塑",
        str(6 * (pack % 8 + 1)),
        unit,
        pack_unit,
        maker,
        "",
        maker,
        f"国药准字H{20000000 + i % 79999999:08d}",
        "",
        "",
        "",
        "",
        name if insurance != "无" else "无",
        insurance,
        form if insurance != "无" else "无",
        str(generic) if insurance != "无" else "无",
        "无",
        "",
    ]


def generate(path: Path, rows: int, *, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for i in range(start, start + rows):
            writer.writerow(row_for(i))
    return path


# --- children: one measurement each --------------------------------------------------------------
def child_platform(path: str) -> dict:
    setup_django()
    import time

    from catalog.imports import writers
    from catalog.imports.pipeline import import_file
    from catalog.imports.report import ImportReport

    # Where the import waits for the database storing rows (the breakdown only; the total does not depend on it):
    # starting a batch (its savepoint and ids; the changed rows' staging), waiting for a batch's COPY still running
    # when the next batch has been checked, and the final UPDATE of changed products.
    db = {"start": 0.0, "settle": 0.0, "flush": 0.0}
    for name in db:
        original = getattr(writers.CopyWriter, name)

        def timed(self, *args, _original=original, _part=name, **kwargs):
            with timer() as t:
                result = _original(self, *args, **kwargs)
            db[_part] += t["seconds"]
            return result

        setattr(writers.CopyWriter, name, timed)
    # Set up as a worker that imports is, and as the floor is before its clock: the database connection open and
    # the translation catalogs (the report's texts, the fields' names) loaded.
    from django.db import connection
    from django.utils import translation

    connection.ensure_connection()
    with translation.override("zh-hans"):
        translation.gettext("新增")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    cpu, server = time.process_time(), cpu_seconds([backend])
    with timer() as t:
        result = import_file(path, layout="nhsa", report=ImportReport(), reason="基准测试")
    cpu, server = time.process_time() - cpu, cpu_seconds([backend]) - server
    if not result.ok:
        raise SystemExit(f"import failed: {result.summary()}")
    return {
        "seconds": t["seconds"],
        "rows": result.rows,
        "counts": result.counts,
        "start_seconds": db["start"],
        "wait_seconds": db["settle"] + db["flush"],
        "cpu_seconds": cpu,
        "server_cpu_seconds": server,
        "rss": peak_rss_mb(),
        "stored": stored(),
    }


def _tables() -> tuple[str, str]:
    from catalog.models import Product

    return Product._meta.db_table, Product.history.model._meta.db_table


def _makers(cur) -> list[int]:
    """The benchmark's manufacturers (their products are the benchmark's: products and history rows carry the maker)."""
    cur.execute("SELECT id FROM accounts_organization WHERE name LIKE %s", [f"{MAKER_PREFIX}%"])
    return [row[0] for row in cur.fetchall()]


def stored(product_table: str | None = None, history_table: str | None = None) -> dict:
    """What the catalog holds of the benchmark's products (or, given copies of the tables, what they hold): products,
    their history rows, and the total of their pack sizes (one figure read from every row)."""
    setup_django()
    real_product, real_history = _tables()
    product_table, history_table = product_table or real_product, history_table or real_history
    with pg_connect() as conn, conn.cursor() as cur:
        makers = _makers(cur)
        cur.execute(f"ANALYZE {product_table}")  # just written: without statistics the planner guesses badly
        cur.execute(f"ANALYZE {history_table}")
        cur.execute(
            f"SELECT count(*), COALESCE(SUM(pack_size), 0) FROM {product_table} WHERE manufacturer_id = ANY(%s)",
            [makers],
        )
        products, packs = cur.fetchone()
        cur.execute(f"SELECT count(*) FROM {history_table} WHERE manufacturer_id = ANY(%s)", [makers])
        history = cur.fetchone()[0]
        conn.commit()
    return {"products": products, "history rows": history, "pack sizes": int(packs)}


def child_stock(path: str) -> dict:
    """django-import-export as it comes: a ModelResource with the NHSA headers, saving row by row."""
    setup_django()
    import tablib
    from import_export import fields, resources, widgets

    from accounts.models import Organization
    from catalog.models import Product

    class StockNhsaResource(resources.ModelResource):
        category = fields.Field("category", column_name="类别")
        nhsa_code = fields.Field("nhsa_code", column_name="药品代码")
        generic_name = fields.Field("generic_name", column_name="注册名称")
        trade_name = fields.Field("trade_name", column_name="商品名称")
        registered_dosage_form = fields.Field("registered_dosage_form", column_name="注册剂型")
        dosage_form = fields.Field("dosage_form", column_name="剂型")
        registered_specification = fields.Field("registered_specification", column_name="注册规格")
        specification = fields.Field("specification", column_name="规格")
        packaging_material = fields.Field("packaging_material", column_name="包装材质")
        pack_size = fields.Field("pack_size", column_name="最小包装数量", widget=widgets.IntegerWidget())
        min_unit = fields.Field("min_unit", column_name="最小制剂单位")
        pack_unit = fields.Field("pack_unit", column_name="最小包装单位")
        drug_enterprise = fields.Field("drug_enterprise", column_name="药品企业")
        manufacturer = fields.Field(
            "manufacturer", column_name="生产企业", widget=widgets.ForeignKeyWidget(Organization, "name")
        )
        approval_number = fields.Field("approval_number", column_name="批准文号")
        standard_code = fields.Field("standard_code", column_name="药品本位码")
        insurance_name = fields.Field("insurance_name", column_name="医保药品名称")
        insurance_dosage_form = fields.Field("insurance_dosage_form", column_name="医保剂型")
        insurance_number = fields.Field("insurance_number", column_name="编号")
        remarks = fields.Field("remarks", column_name="备注")

        class Meta:
            model = Product
            import_id_fields = ["nhsa_code"]
            fields = (
                "category",
                "nhsa_code",
                "generic_name",
                "trade_name",
                "registered_dosage_form",
                "dosage_form",
                "registered_specification",
                "specification",
                "packaging_material",
                "pack_size",
                "min_unit",
                "pack_unit",
                "drug_enterprise",
                "manufacturer",
                "approval_number",
                "standard_code",
                "insurance_name",
                "insurance_dosage_form",
                "insurance_number",
                "remarks",
            )
            skip_unchanged = True
            use_bulk = False

    with timer() as t:
        dataset = tablib.Dataset().load(Path(path).read_text(encoding="utf-8"), format="csv")
        dataset.append_col(["chemical"] * len(dataset), header="类别")
        result = StockNhsaResource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    return {
        "seconds": t["seconds"],
        "rows": len(dataset),
        "counts": dict(result.totals),
        "rss": peak_rss_mb(),
        "stored": stored(),
    }


def child_floor(workdir: str) -> dict:
    """The floor: COPY of the rows the platform's import just stored (every column but the generated one, which the
    copy computes as the catalog does) and of their history rows, into copies of catalog_product and its history
    table made with LIKE … INCLUDING ALL (the same indexes — the trigram GIN on the search column among them —,
    constraints, defaults, generated column, storage parameters) and the same foreign keys. The rows are read out
    before the clock starts; the clock covers the two COPYs and the commit, as the import's covers its own."""
    from psycopg import sql

    setup_django()
    product_table, history_table = _tables()
    copies = {table: f"bench_{table}" for table in (product_table, history_table)}
    files = {table: Path(workdir) / f"{table}.copy" for table in copies}
    with pg_connect() as conn, conn.cursor() as cur:
        columns = {}
        for table, copy in copies.items():
            cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(copy)))
            cur.execute("SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = %s::regclass", [table])
            options = cur.fetchone()[0]
            cur.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(sql.Identifier(copy), sql.Identifier(table))
                + (sql.SQL(f" WITH ({options})") if options else sql.SQL(""))
            )
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
                " AND contype = 'f' ORDER BY conname",
                [table],
            )
            for name, definition in cur.fetchall():  # to the same tables: the copies' rows refer to real makers
                cur.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                        sql.Identifier(copy), sql.Identifier(f"bench_{name}"[:63])
                    )
                    + sql.SQL(definition)
                )
            cur.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                [table],
            )
            columns[table] = sql.SQL(", ").join(sql.Identifier(r[0]) for r in cur.fetchall())
            order = "history_id" if table == history_table else "id"
            dump = sql.SQL("COPY (SELECT {} FROM {} WHERE manufacturer_id = ANY(%s) ORDER BY {}) TO STDOUT").format(
                columns[table], sql.Identifier(table), sql.Identifier(order)
            )
            with files[table].open("wb") as f, cur.copy(dump, [_makers(cur)]) as copy:
                for data in copy:
                    f.write(data)
        conn.commit()
        backend = conn.info.backend_pid
        server = cpu_seconds([backend])
        with timer() as t:
            for table, copy in copies.items():
                with (
                    files[table].open("rb") as f,
                    cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(copy), columns[table])) as writer,
                ):
                    while chunk := f.read(1 << 20):
                        writer.write(chunk)
            conn.commit()
        server = cpu_seconds([backend]) - server
    product_copy, history_copy = copies.values()
    work = stored(product_copy, history_copy)
    with pg_connect() as conn:
        conn.execute(sql.SQL("DROP TABLE {}, {}").format(sql.Identifier(product_copy), sql.Identifier(history_copy)))
    return {
        "seconds": t["seconds"],
        "server_cpu_seconds": server,
        "rows": work["products"],
        "stored": work,
        "rss": peak_rss_mb(),
    }


def child_cleanup(light: bool = False) -> dict:
    """Remove what the benchmark created: products of the 基准测试 makers, their history, the makers. ``light``: between
    two turns, when a full cleanup has vacuumed the database since the other benchmarks last wrote to it."""
    setup_django()
    from django.db import connection, transaction

    makers = "SELECT id FROM accounts_organization WHERE name LIKE %s"
    pattern = f"{MAKER_PREFIX}%"
    # Each deleted product and maker is checked against every table that refers to it (deferred foreign keys, at
    # COMMIT). Tables the other benchmarks filled and emptied hold only dead rows until vacuumed, and their statistics
    # say "empty": the checks then read every dead page once per deleted row (minutes for 100,000 products). Vacuum
    # first, and let the checks use the referring columns' indexes whatever the statistics say.
    if not light:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(f"DELETE FROM catalog_historicalproduct WHERE manufacturer_id IN ({makers})", [pattern])
        cur.execute(f"DELETE FROM catalog_product WHERE manufacturer_id IN ({makers})", [pattern])
        cur.execute("DELETE FROM accounts_historicalorganization WHERE name LIKE %s", [pattern])
        cur.execute("DELETE FROM accounts_organization WHERE name LIKE %s", [pattern])
    with connection.cursor() as cur:
        for table in ("catalog_product", "catalog_historicalproduct", "accounts_organization"):
            cur.execute(f"VACUUM ANALYZE {table}")
    return {"ok": True}


def child_makers() -> dict:
    """The manufacturers the stock resource looks up by name (it cannot create them)."""
    setup_django()
    from accounts.models import Organization

    Organization.objects.bulk_create(
        [Organization(kind="manufacturer", name=f"{MAKER_PREFIX}制药{c:03d}有限公司") for c in range(MANUFACTURERS)],
        ignore_conflicts=True,
    )
    return {"ok": True}


CHILDREN = {"platform": child_platform, "stock": child_stock, "floor": child_floor}


# --- the run ---------------------------------------------------------------------------------------
GOAL_VS_COPY = 0.5  # of the rows/s of COPY storing the same rows and history rows into the same indexes
GOAL_VS_STOCK = 10.0
GOAL_RSS_RATIO = 1.05  # peak memory importing 2N rows ≤ 1.05 × importing N: flat, within the allocator's noise
HEADERS_OUT = ["measure", "rows", "seconds", "rows/s", "vs COPY", "vs stock", "goal", "met", "peak RSS MiB"]


def per_row(result: dict) -> dict:
    """What an import wrote for each row of its file: products and history rows (1 and 1 when every row is new)."""
    written = result["stored"]
    return {
        "products per row": round(written["products"] / result["rows"], 4),
        "history rows per product": round(written["history rows"] / max(written["products"], 1), 4),
    }


def measure(rows: int, workdir: Path) -> tuple[list[list], dict]:
    child = lambda kind, *args: run_child(MODULE, ["--child", kind, *map(str, args)])  # noqa: E731
    full = generate(workdir / "nhsa.csv", rows)
    stock_slice = generate(workdir / "stock.csv", min(STOCK_ROWS, rows), start=rows * 2)

    # Turns: the import into an empty catalog, then the floor storing the rows it just stored; the catalog emptied
    # between turns. Other work on the machine slows one turn and not the next, so each side counts its median turn,
    # both from the same minutes; every turn's floor must have stored what its import did.
    child("cleanup")
    turns = []
    for turn in range(TURNS):
        if turn:
            child("cleanup", "light")
        platform_turn = child("platform", full)
        floor_turn = child("floor", workdir)  # the rows the platform just stored, COPYed into copies of its tables
        turns.append((platform_turn, floor_turn))
    platform = sorted((p for p, _ in turns), key=itemgetter("seconds"))[len(turns) // 2]
    floor = sorted((f for _, f in turns), key=itemgetter("seconds"))[len(turns) // 2]
    turn_ratios = [round(f["seconds"] / p["seconds"], 3) for p, f in turns]
    same_work = all(p["stored"] == f["stored"] == platform["stored"] for p, f in turns)
    reimport = child("platform", full)  # the last turn's products are in the catalog
    assert reimport["counts"]["unchanged"] == rows, reimport
    child("cleanup")
    child("makers")
    stock = child("stock", stock_slice)
    child("cleanup")
    double = child("platform", generate(workdir / "nhsa2.csv", rows * 2))
    child("cleanup")

    copy_rate = rate(floor["rows"], floor["seconds"])
    stock_rate = rate(stock["rows"], stock["seconds"])
    platform_rate = rate(platform["rows"], platform["seconds"])
    growth = (double["rss"] - platform["rss"]) / (rows / 1000)
    summary = {
        "rows": rows,
        "platform_rows_per_s": round(platform_rate),
        "copy_rows_per_s": round(copy_rate),
        "stock_rows_per_s": round(stock_rate),
        "platform_vs_copy": round(platform_rate / copy_rate, 4),
        "turns": len(turns),
        "platform_vs_copy_per_turn": turn_ratios,
        "goal_vs_copy": GOAL_VS_COPY,
        "platform_vs_stock": round(platform_rate / stock_rate, 1),
        "goal_vs_stock": GOAL_VS_STOCK,
        "rss_n_mib": platform["rss"],
        "rss_2n_mib": double["rss"],
        "rss_growth_mib_per_1k_rows": round(growth, 3),
        "rss_2n_over_n": round(double["rss"] / platform["rss"], 3),
        "goal_rss_2n_over_n": GOAL_RSS_RATIO,
        # where the import's time goes, next to the floor's
        "seconds": {
            "platform": round(platform["seconds"], 3),
            "starting batches": round(platform["start_seconds"], 3),
            "waiting for storing": round(platform["wait_seconds"], 3),
            "importer_cpu": round(platform["cpu_seconds"], 3),
            "importer_server_cpu": round(platform["server_cpu_seconds"], 3),
            "floor": round(floor["seconds"], 3),
            "floor_server_cpu": round(floor["server_cpu_seconds"], 3),
        },
        # what each path wrote, compared line by line (bench.common.suite_row)
        "work_vs_copy": (platform["stored"], floor["stored"] if same_work else {**floor["stored"], "turns": "differ"}),
        "work_vs_stock": (per_row(platform), per_row(stock)),
        "work_2n": ({"products": double["stored"]["products"]}, {"products": 2 * platform["stored"]["products"]}),
    }
    summary["met"] = {
        "vs_copy": summary["platform_vs_copy"] >= GOAL_VS_COPY and same_work,
        "vs_stock": summary["platform_vs_stock"] >= GOAL_VS_STOCK and per_row(platform) == per_row(stock),
        "flat_memory": double["rss"] <= GOAL_RSS_RATIO * platform["rss"],
    }

    def line(label, result, goal="", met=None, rows_=None, extrapolated=False):
        n = rows_ if rows_ is not None else result["rows"]
        r = rate(result["rows"], result["seconds"])
        seconds = n / r if extrapolated else result["seconds"]
        rss = result.get("rss")
        return [
            label,
            n,
            round(seconds, 2),
            round(r),
            f"{r / copy_rate:.1%}",
            f"{r / stock_rate:.1f}×",
            goal,
            "" if met is None else ("yes" if met else "NO"),
            round(rss) if rss else "",
        ]

    met = summary["met"]
    table = [
        line("platform import (new rows)", platform, f"≥ {GOAL_VS_COPY:.0%} of COPY", met["vs_copy"]),
        line("platform import (new rows)", platform, f"≥ {GOAL_VS_STOCK:.0f}× stock", met["vs_stock"]),
        line(
            "  of which: starting each batch's storing (savepoint, ids)",
            {"rows": platform["rows"], "seconds": platform["start_seconds"]},
        ),
        line(
            "  of which: waiting for the storing, once the next batch is checked",
            {"rows": platform["rows"], "seconds": platform["wait_seconds"]},
        ),
        line(
            "  platform process CPU (reading, checking; not the server's)",
            {"rows": platform["rows"], "seconds": platform["cpu_seconds"]},
        ),
        line(
            "  its PostgreSQL backend's CPU (storing, the per-batch queries, the commit)",
            {"rows": platform["rows"], "seconds": platform["server_cpu_seconds"]},
        ),
        line("platform re-import (all unchanged)", reimport),
        line(
            f"stock import-export row by row ({stock['rows']:,} rows, extrapolated)",
            stock,
            rows_=rows,
            extrapolated=True,
        ),
        line("COPY of the stored rows + history rows into copies of the tables, same indexes (floor)", floor),
        line(
            "  its PostgreSQL backend's CPU (the two COPYs, the commit)",
            {"rows": floor["rows"], "seconds": floor["server_cpu_seconds"]},
        ),
        line("platform import, 2N rows", double, f"peak RSS ≤ {GOAL_RSS_RATIO} × that at N", met["flat_memory"]),
    ]
    return table, summary


def main(argv: list[str] | None = None) -> int:
    global TURNS
    parser = argparse.ArgumentParser(prog="python -m bench.catalog_import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--turns",
        type=int,
        default=TURNS,
        help=f"turns of the import and its floor, each side's median counted ({TURNS})",
    )
    parser.add_argument("--child", choices=[*CHILDREN, "cleanup", "makers"], help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        if args.child == "cleanup":
            emit(child_cleanup(light=args.path == "light"))
        elif args.child == "makers":
            emit(child_makers())
        else:
            emit(CHILDREN[args.child](args.path))
        return 0

    TURNS = max(1, args.turns)
    bench_database_name()
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        table, summary = measure(args.rows, Path(tmp))
    title = f"Catalog import, NHSA layout, N = {args.rows:,} rows"
    print_table(HEADERS_OUT, table, title=title)
    ours, floor = summary["work_vs_copy"]
    notes = [
        f"platform / COPY = {summary['platform_vs_copy']:.1%} (goal ≥ {GOAL_VS_COPY:.0%}; each side's median of "
        f"{summary['turns']} turns; turn by turn {', '.join(f'{r:.0%}' for r in summary['platform_vs_copy_per_turn'])}); "
        f"platform / stock = {summary['platform_vs_stock']:.1f}× (goal ≥ {GOAL_VS_STOCK:.0f}×); "
        f"peak RSS {summary['rss_n_mib']} MiB at N, {summary['rss_2n_mib']} MiB at 2N "
        f"(× {summary['rss_2n_over_n']}; goal ≤ {GOAL_RSS_RATIO})",
        f"written by the import {ours}; by the COPY floor {floor}" + ("" if ours == floor else " — DIFFERENT"),
    ]
    print("\n" + "\n".join(notes))
    json_path, md_path = write_results(
        "catalog_import", title=title, headers=HEADERS_OUT, rows=table, summary=summary, notes=notes
    )
    print(
        f"written: {json_path.relative_to(json_path.parent.parent.parent)}, "
        f"{md_path.relative_to(md_path.parent.parent.parent)}"
    )
    return 0


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    """The suite's lines (bench.suite): 100,000 rows at scale 1."""
    from bench.common import suite_row

    global STOCK_ROWS
    STOCK_ROWS = 500  # row by row it is slow; its rate is what the ratio needs
    rows = max(2000, round(100_000 * scale))
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        _, s = measure(rows, Path(tmp))
    label = f"catalog import, {rows:,} NHSA rows"
    seconds = rows / s["platform_rows_per_s"]
    return [
        suite_row(
            f"{label}: rows/s vs COPY of the same rows + history, same indexes",
            s["platform_rows_per_s"],
            s["copy_rows_per_s"],
            unit="rows/s",
            goal=GOAL_VS_COPY,
            higher_is_better=True,
            rss=s["rss_n_mib"],
            seconds=seconds,
            work=s["work_vs_copy"],
            note=f"median of {s['turns']} turns each (turn by turn {s['platform_vs_copy_per_turn']}); seconds: "
            + ", ".join(f"{k} {v}" for k, v in s["seconds"].items()),
        ),
        suite_row(
            f"{label}: rows/s vs django-import-export",
            s["platform_rows_per_s"],
            s["stock_rows_per_s"],
            unit="rows/s",
            goal=GOAL_VS_STOCK,
            higher_is_better=True,
            rss=s["rss_n_mib"],
            work=s["work_vs_stock"],
        ),
        suite_row(
            f"{label}: peak RSS at 2N vs N",
            s["rss_2n_mib"],
            s["rss_n_mib"],
            unit="MiB",
            goal=GOAL_RSS_RATIO,
            rss=s["rss_2n_mib"],
            work=s["work_2n"],
        ),
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
