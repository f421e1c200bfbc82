"""Receipt and return lines partitioned by month (native range partitions on `received_on` / `returned_on`).

- Primary keys become (id, day); `id` still comes from each table's one identity sequence, and stays the model's pk.
- The receipt line's unique delivery line becomes unique with the day (`receiptline_one_per_delivery_line`).
- Return lines keep their receipt line's id without a foreign key (one into a partitioned table would need the
  receipt's day here too); the settlement references were released by settlement.0006.
- Every index keeps its name; the settled receipt line's delete guard (settlement.0002) is recreated on the new table.

See docs/scale-out.md. Not reversible.
"""

import django.db.models.deletion
from django.db import migrations, models

from common.partitions.convert import migration_operation


class Migration(migrations.Migration):
    atomic = True
    dependencies = [
        ("procurement", "0005_listing_applications"),
        ("settlement", "0006_flow_references_without_foreign_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="goodsreturnline",
            name="receipt_line",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="return_lines",
                to="procurement.receiptline",
                verbose_name="验收明细",
            ),
        ),
        migration_operation(
            (
                "procurement_receiptline",
                "received_on",
                {"procurement_receiptline_delivery_line_id_key": "receiptline_one_per_delivery_line"},
            ),
            ("procurement_goodsreturnline", "returned_on", {}),
        ),
    ]
