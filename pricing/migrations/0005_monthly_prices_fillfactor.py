"""The monthly prices keep a tenth of each page free: an incremental scan rewrites the day's cells in place
(`pricing.sql.monthly.refresh`), and with room on the page the new version stays there without an index entry (a
heap-only update). A full scan's rebuild (TRUNCATE, then INSERT) fills pages to the same mark."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0004_monthly_prices"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE pricing_monthlyprice SET (fillfactor = 90)",
            reverse_sql="ALTER TABLE pricing_monthlyprice RESET (fillfactor)",
        ),
    ]
