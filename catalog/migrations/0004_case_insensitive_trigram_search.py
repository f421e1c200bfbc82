"""Trigram indexes that the case-insensitive name search can use.

The search matches names with ``icontains``, which PostgreSQL evaluates as ``UPPER(column) LIKE UPPER(pattern)``; an
index on the plain column is not used for that, one on ``UPPER(column)`` is. The pinyin columns are lower-case and
searched with ``LIKE``, so their indexes stay as they are.
"""

from django.db import migrations

COLUMNS = {
    "catalog_product_generic_trgm": "generic_name",
    "catalog_product_trade_trgm": "trade_name",
    "catalog_product_mn_trgm": "name_mn",
}


def _rebuild(expression: str) -> list[str]:
    statements = []
    for name, column in COLUMNS.items():
        statements += [f"DROP INDEX IF EXISTS {name}",
                       f"CREATE INDEX {name} ON catalog_product USING gin ({expression.format(column)} gin_trgm_ops)"]
    return statements


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_lean_indexes")]
    operations = [migrations.RunSQL(_rebuild("(UPPER({}))"), _rebuild("{}"))]
