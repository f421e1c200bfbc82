"""Free space in each page of the progress table (fillfactor 85): a night updates about two rows of thirteen per
commitment in place, and an update that finds room on its page and leaves the indexed columns alone is written there
without touching any index (a heap-only tuple)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "ALTER TABLE procurement_commitmentprogress SET (fillfactor = 85)",
            "ALTER TABLE procurement_commitmentprogress RESET (fillfactor)",
        ),
    ]
