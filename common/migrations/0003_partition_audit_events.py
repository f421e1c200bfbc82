"""The audit trail partitioned by month on `at` (midnight, Asia/Shanghai): append-only, read by object and recent
time. Primary key (id, at). Not reversible (docs/scale-out.md)."""

from django.db import migrations

from common.partitions.convert import migration_operation


class Migration(migrations.Migration):
    dependencies = [("common", "0002_periodic_tasks")]

    operations = [migration_operation(("common_auditevent", "at", {}))]
