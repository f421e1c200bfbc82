"""Settlement lines partitioned by month on `received_on` (docs/scale-out.md): primary key (id, received_on); the
settled-once keys include the day (a line's day is copied from its receipt line, whose day never changes, so the
key (receipt line, day) is the key (receipt line)). Not reversible."""

from django.db import migrations, models

from common.partitions.convert import migration_operation

ONCE = {
    "receipt_line_settled_once": (("receipt_line", "received_on"), models.Q(kind="receipt")),
    "return_adjustment_once": (("return_line", "received_on"), models.Q(return_line__isnull=False)),
    "price_adjustment_settled_once": (("price_adjustment", "received_on"), models.Q(price_adjustment__isnull=False)),
}


class Migration(migrations.Migration):
    dependencies = [
        ("settlement", "0006_flow_references_without_foreign_keys"),
        ("procurement", "0006_partition_flow_tables"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *(migrations.RemoveConstraint(model_name="settlementline", name=name) for name in ONCE),
                *(
                    migrations.AddConstraint(
                        model_name="settlementline",
                        constraint=models.UniqueConstraint(fields=fields, condition=condition, name=name),
                    )
                    for name, (fields, condition) in ONCE.items()
                ),
            ],
            database_operations=[
                migration_operation(("settlement_settlementline", "received_on", {name: name for name in ONCE}))
            ],
        )
    ]
