"""Trigram (pg_trgm) GIN indexes for catalog search."""

from django.db import migrations

INDEXES = [
    ("catalog_product_generic_trgm", "generic_name"),
    ("catalog_product_trade_trgm", "trade_name"),
    ("catalog_product_pinyin_trgm", "name_pinyin"),
    ("catalog_product_initials_trgm", "name_initials"),
    ("catalog_product_mn_trgm", "name_mn"),
]

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(f"CREATE INDEX IF NOT EXISTS {name} ON catalog_product USING gin ({column} gin_trgm_ops)"
      for name, column in INDEXES),
    "CREATE INDEX IF NOT EXISTS catalog_product_code_prefix ON catalog_product (nhsa_code varchar_pattern_ops)",
]
BACKWARD = [
    *(f"DROP INDEX IF EXISTS {name}" for name, _ in INDEXES),
    "DROP INDEX IF EXISTS catalog_product_code_prefix",
]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
