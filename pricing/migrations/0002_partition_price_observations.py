"""Price observations partitioned by month on `observed_on` (docs/scale-out.md): primary key (id, observed_on); one
observation per receipt line is now the key (receipt_line_id, observed_on) — an observation's day is its receipt
line's, which never changes. Not reversible."""

from django.db import migrations, models

from common.partitions.convert import migration_operation


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="priceobservation",
                    name="receipt_line_id",
                    field=models.BigIntegerField(blank=True, null=True, verbose_name="入库明细编号"),
                ),
                migrations.AddConstraint(
                    model_name="priceobservation",
                    constraint=models.UniqueConstraint(
                        fields=("receipt_line_id", "observed_on"), name="observation_one_per_receipt_line"
                    ),
                ),
            ],
            database_operations=[
                migration_operation(
                    (
                        "pricing_priceobservation",
                        "observed_on",
                        {"pricing_priceobservation_receipt_line_id_key": "observation_one_per_receipt_line"},
                    )
                )
            ],
        )
    ]
