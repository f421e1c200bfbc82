"""fuzzystrmatch on PostgreSQL: ``levenshtein_less_equal`` lets the catalog search offer its typing-slip fallback
(pinyin initials within edit distance 2) in the same statement as the search; nothing on other databases."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_single_search_column")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
