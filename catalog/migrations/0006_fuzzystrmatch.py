"""fuzzystrmatch: ``levenshtein_less_equal`` lets the catalog search offer its typing-slip fallback (pinyin initials
within edit distance 2) in the same statement as the search."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_single_search_column")]
    operations = [migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch", migrations.RunSQL.noop)]
