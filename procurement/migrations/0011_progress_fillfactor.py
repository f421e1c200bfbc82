"""Free space in each page of the progress table (PostgreSQL fillfactor 85): a night updates about two rows of
thirteen per commitment in place, and an update that finds room on its page and leaves the indexed columns alone
is written there without touching any index (a heap-only tuple). Nothing on other databases."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE procurement_commitmentprogress SET (fillfactor = 85)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE procurement_commitmentprogress RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("procurement", "0010_authorization_suspension")]
    operations = [migrations.RunPython(forwards, backwards)]
