"""Before the flow tables are partitioned by month (procurement.0006, settlement.0007): the settled returns and the
price adjustments keep their receipt- and return-line ids without a foreign key, which cannot point at a partitioned
table's `id` alone (docs/scale-out.md, "Keys and references")."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("settlement", "0005_generate_daily"), ("procurement", "0005_listing_applications")]

    operations = [
        migrations.AlterField(
            model_name="settledreturn",
            name="return_line",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="procurement.goodsreturnline",
                verbose_name="退货明细",
            ),
        ),
        migrations.AlterField(
            model_name="settledreturn",
            name="receipt_line",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="procurement.receiptline",
                verbose_name="验收明细",
            ),
        ),
        migrations.AlterField(
            model_name="priceadjustment",
            name="receipt_line",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="procurement.receiptline",
                verbose_name="验收明细",
            ),
        ),
    ]
