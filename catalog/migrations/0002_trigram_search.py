"""Trigram (pg_trgm) GIN indexes for catalog search on PostgreSQL; nothing on other databases."""

from django.db import migrations

INDEXES = [
    ("catalog_product_generic_trgm", "generic_name"),
    ("catalog_product_trade_trgm", "trade_name"),
    ("catalog_product_pinyin_trgm", "name_pinyin"),
    ("catalog_product_initials_trgm", "name_initials"),
    ("catalog_product_mn_trgm", "name_mn"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON catalog_product USING gin ({column} gin_trgm_ops)"
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS catalog_product_code_prefix ON catalog_product (nhsa_code varchar_pattern_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP INDEX IF EXISTS catalog_product_code_prefix")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
