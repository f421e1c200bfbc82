"""Statement lines are looked up by receipt line and return line through their partial unique indexes, so the plain
indexes on those columns go. (Dropped by name with IF EXISTS: letting the schema editor drop a field's index would
also drop the partial unique index on the same column.) Statements are updated in place as they move through the
workflow: their table keeps free space on each page for those updates."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("settlement", "0003_lean_line_indexes"), ("procurement", "0005_orders_deliveries_receipts_returns")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS settlement_settlementline_receipt_line_id_c8e3848f",
                    "CREATE INDEX settlement_settlementline_receipt_line_id_c8e3848f ON settlement_settlementline (receipt_line_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS settlement_settlementline_return_line_id_3926911b",
                    "CREATE INDEX settlement_settlementline_return_line_id_3926911b ON settlement_settlementline (return_line_id)",
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="settlementline", name="receipt_line",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                            to="procurement.receiptline", verbose_name="验收明细"),
                ),
                migrations.AlterField(
                    model_name="settlementline", name="return_line",
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="+", to="procurement.goodsreturnline", verbose_name="退货明细"),
                ),
            ],
        ),
        migrations.RunSQL(
            "ALTER TABLE settlement_settlementstatement SET (fillfactor = 80)",
            "ALTER TABLE settlement_settlementstatement RESET (fillfactor)",
        ),
    ]
