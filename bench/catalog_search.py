"""Catalog search (Chinese name, pinyin initials, code) over the province's catalog, next to a hand-written SQL
query in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yaoxie_bench .venv/bin/python -m bench.catalog_search --scale 0.1

The catalog is bench.generate's (50,000 products at scale 1, reused when already there). Queries of three kinds,
drawn deterministically from it: a two-character piece of a generic name (substring), the first 3–4 pinyin
initials of a name, and the first 9 characters of an NHSA code. "ours" is ``catalog.selectors.product_search``,
its first page of 20 products fetched as the API's list and the catalog page do (``as_product_list``: the columns a
list shows, the maker's name joined); the floor is one hand-written query with the same conditions and ranking on the
same schema, returning the same columns (``search_text LIKE`` served by its pg_trgm GIN index,
the code prefix by the code's pattern b-tree, the makers whose name contains the query; exact code, code prefix,
exact name, initials, pinyin and name prefixes, then trigram similarity), 20 rows with the manufacturer's name. The
fallback for mistyped initials is not in the floor: every query here has matches, where it adds no row (ours still
asks, for initials of 4+ letters, whether the search matches anything: one more round trip). Reported: mean
milliseconds per query, each query's best of 3, ours and the floor taking turns query by query. Goal: ours ≤ 2 × the
floor. The first page must hold the same products in the same order as the floor's, for every query of every kind
(compared: the number of products found and a fingerprint of every page; otherwise the line is DIFFERENT).
"""

from __future__ import annotations

import argparse
import random
import sys

from bench.common import bench_database_name, digest, print_table, setup_django, suite_row, timer

GOAL = 2.0
PAGE = 20
QUERIES_PER_KIND = 30

FLOOR_SQL = """
SELECT p.id, p.nhsa_code, p.category, p.generic_name, p.trade_name, p.name_mn, p.dosage_form, p.specification,
       p.pack_size, p.min_unit, p.pack_unit, p.manufacturer_id, p.insurance_class, p.high_value, p.shortage, p.negotiated,
       p.consistency_evaluated, p.is_active, m.name
FROM catalog_product p LEFT JOIN accounts_organization m ON m.id = p.manufacturer_id
WHERE p.is_active AND (p.search_text LIKE %(sub)s OR p.nhsa_code LIKE %(code)s
  OR p.manufacturer_id = ANY(ARRAY(SELECT id FROM accounts_organization
                                   WHERE kind = 'manufacturer' AND name ILIKE %(raw_sub)s LIMIT 500)))
ORDER BY CASE WHEN p.nhsa_code = %(upper)s THEN 0 WHEN p.nhsa_code LIKE %(code)s THEN 1 WHEN p.generic_name = %(q)s THEN 2
              WHEN p.name_initials = %(lower)s THEN 3
              WHEN p.name_initials LIKE %(prefix)s OR p.name_pinyin LIKE %(prefix)s THEN 4
              WHEN p.generic_name LIKE %(raw_prefix)s OR p.trade_name LIKE %(raw_prefix)s THEN 5 ELSE 9 END,
         GREATEST(similarity(p.generic_name, %(q)s), similarity(p.name_pinyin, %(lower)s)) DESC, p.generic_name, p.nhsa_code
LIMIT %(page)s
"""


def queries(seed: int = 3) -> dict[str, list[str]]:
    from bench.generate import CATALOG_PREFIX
    from catalog.models import Product

    rng = random.Random(seed)
    rows = list(
        Product.objects.filter(manufacturer__name__startswith=f"{CATALOG_PREFIX}制药")
        .order_by("pk")
        .values_list("generic_name", "name_initials", "nhsa_code")
    )
    picks = [rows[rng.randrange(len(rows))] for _ in range(QUERIES_PER_KIND * 3)]
    n = QUERIES_PER_KIND
    names = []
    for name, _, _ in picks[:n]:
        start = rng.randrange(max(1, len(name) - 2))
        names.append(name[start : start + 2])
    initials = [init[: rng.choice((3, 4))] for _, init, _ in picks[n : 2 * n]]
    codes = [code[:9] for _, _, code in picks[2 * n :]]
    return {"中文名称": names, "拼音首字母": initials, "编码": codes}


def run_ours(q: str) -> list[int]:
    from catalog.selectors import as_product_list, product_search

    return [p.pk for p in as_product_list(product_search(user=None, q=q))[:PAGE]]


def run_floor(cur, q: str) -> list[int]:
    lower = q.lower()
    cur.execute(
        FLOOR_SQL,
        {
            "q": q,
            "lower": lower,
            "sub": f"%{lower}%",
            "upper": q.upper(),
            "code": f"{q.upper()}%",
            "prefix": f"{lower}%",
            "raw_sub": f"%{q}%",
            "raw_prefix": f"{q}%",
            "page": PAGE,
        },
    )
    return [row[0] for row in cur.fetchall()]


def pages(found: list[list[int]]) -> dict:
    """What a path returned for the queries: how many products in all, and every page in order (fingerprinted)."""
    return {"products found": sum(len(page) for page in found), "pages": digest(found)}


def measure(kinds: dict[str, list[str]], passes: int = 3) -> list[dict]:
    """Per kind: each query run by ours and then by the floor, query after query, `passes` times; a side's time is
    the sum over the queries of each query's best time. Taking turns query by query puts both sides in the same
    second of a shared machine's load (a whole pass of one side and then of the other could each meet another
    load), and the best of each query drops the moments the process waited for a core."""
    from django.db import connection

    out = []
    with connection.cursor() as cur:
        for kind, qs in kinds.items():
            ours_best = [float("inf")] * len(qs)
            floor_best = [float("inf")] * len(qs)
            found, expected = [None] * len(qs), [None] * len(qs)
            for _ in range(passes):
                for i, q in enumerate(qs):
                    with timer() as t:
                        found[i] = run_ours(q)
                    ours_best[i] = min(ours_best[i], t["seconds"])
                    with timer() as t:
                        expected[i] = run_floor(cur, q)
                    floor_best[i] = min(floor_best[i], t["seconds"])
            out.append(
                {
                    "kind": kind,
                    "queries": len(qs),
                    "ours_ms": sum(ours_best) * 1000 / len(qs),
                    "floor_ms": sum(floor_best) * 1000 / len(qs),
                    "work": (pages(found), pages(expected)),
                }
            )
    return out


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    """The suite's lines (bench.suite): one per kind of query, mean ms per query."""
    from bench.generate import catalog

    setup_django()
    made = catalog(scale)
    rows = []
    for r in measure(queries()):
        label = f"catalog search by {r['kind']}, {made['products']:,} products ({r['queries']} queries)"
        rows.append(
            suite_row(
                label,
                r["ours_ms"],
                r["floor_ms"],
                unit="ms/query",
                goal=GOAL,
                seconds=r["ours_ms"] / 1000,
                work=r["work"],
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.catalog_search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 50,000 products")
    args = parser.parse_args(argv)
    bench_database_name()
    rows = suite_rows(args.scale)
    print_table(
        ["measure", "ours ms/query", "floor ms/query", "ratio", "goal", "pass"],
        [
            [
                r["measure"],
                r["ours"],
                r["floor"],
                r["ratio"],
                r["goal"],
                "DIFFERENT" if not r["same"] else ("pass" if r["ok"] else "MISS"),
            ]
            for r in rows
        ],
        title="Catalog search, first page of 20",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
