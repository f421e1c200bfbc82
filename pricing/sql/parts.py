"""The parts of a full price scan: the products cut into `parts` ranges by the hash of their peer group (generic
name, dosage form, specification), so that every product of a group falls in the same part.

Every figure a detector computes belongs to one product (its hospitals' prices, the market's move and level, a
province-wide median, the pooled spread) or to one peer group (the group peer detector's median): a scan of the
products of one part reads every observation of those products and computes exactly the figures a full scan computes
for them — its cases, of a hospital or of the province, are those of the part's products. The parts are disjoint and
cover every product, so the union of their results is the full scan's.

The hash is md5's first 32 bits, a function of the group's texts alone: a product keeps its part from one run to the
next, and a product added between two parts of a scan falls where its group falls.
"""

from __future__ import annotations

from psycopg import sql

from catalog.models import Product

from . import fetch, table


def group_hash() -> sql.Composed:
    """The hash of a product row's peer group, in [0, 2³²): the first 32 bits of the md5 of its generic name, dosage
    form and specification (separated by a character none of them holds)."""
    key = sql.SQL("concat_ws(chr(31), generic_name, dosage_form, specification)")
    return sql.SQL("CAST(CAST('x' || substr(md5({key}), 1, 8) AS bit(32)) AS bigint)").format(key=key)


def part_products(part: int, parts: int) -> tuple[int, ...]:
    """The ids of the products in part `part` (1 … `parts`): those whose group hash falls in the part's range, the
    `part`-th of `parts` equal ranges of the hash's values."""
    statement = sql.SQL(
        "SELECT id FROM {product} WHERE {hash} * %(parts)s / 4294967296 = %(index)s ORDER BY id"
    ).format(product=table(Product), hash=group_hash())
    return tuple(row["id"] for row in fetch(statement, {"parts": int(parts), "index": int(part) - 1}))
