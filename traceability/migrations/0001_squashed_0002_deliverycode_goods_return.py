"""Traceability's tables in their form after 0001-0002, created at once (`CreateModels`).

Used by a fresh database; a database that has the replaced migrations applied records this one as applied too.
"""

import common.migration_operations
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models






class Migration(migrations.Migration):

    replaces = [
        ('traceability', '0001_initial'),
        ('traceability', '0002_deliverycode_goods_return'),
    ]

    initial = True

    dependencies = [
        ('accounts', '0001_squashed_0004_pharmacy_kind_and_role'),
        ('catalog', '0001_squashed_0002_product_udi_di'),
        ('procurement', '0001_squashed_0008_progress_run_changed_kind'),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name='DispensingImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_name', models.CharField(max_length=200, verbose_name='文件名')),
                        ('imported_at', models.DateTimeField(auto_now_add=True, verbose_name='导入时间')),
                        ('rows', models.PositiveIntegerField(default=0, verbose_name='行数')),
                        ('flagged', models.PositiveIntegerField(default=0, verbose_name='标记数')),
                        ('imported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '追溯码使用导入',
                        'verbose_name_plural': '追溯码使用导入',
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='ProductIdentifier',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('identifier', models.CharField(help_text='7位药品标识码或14位GTIN', max_length=14, unique=True, verbose_name='产品标识')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trace_identifiers', to='catalog.product', verbose_name='产品')),
                    ],
                    options={
                        'verbose_name': '产品追溯标识',
                        'verbose_name_plural': '产品追溯标识',
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='TraceCode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=100, unique=True, verbose_name='追溯码')),
                        ('kind', models.CharField(choices=[('drug20', '20位药品追溯码'), ('gs1', 'GS1条码/UDI'), ('company', '企业自有码')], max_length=10, verbose_name='码制')),
                        ('identifier', models.CharField(blank=True, max_length=14, verbose_name='产品标识')),
                        ('serialised', models.BooleanField(default=True, verbose_name='单品序列化')),
                        ('lot', models.CharField(blank=True, max_length=20, verbose_name='批号')),
                        ('serial', models.CharField(blank=True, max_length=20, verbose_name='序列号')),
                        ('expiry', models.DateField(blank=True, null=True, verbose_name='有效期至')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='首次记录时间')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.product', verbose_name='产品（首次配送）')),
                    ],
                    options={
                        'verbose_name': '追溯码',
                        'verbose_name_plural': '追溯码',
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='DispensingRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(db_index=True, max_length=100, verbose_name='追溯码')),
                        ('dispensed_on', models.DateField(verbose_name='发药/结算日期')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization')),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='records', to='traceability.dispensingimport')),
                        ('trace_code', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='traceability.tracecode')),
                    ],
                    options={
                        'verbose_name': '追溯码使用记录',
                        'verbose_name_plural': '追溯码使用记录',
                        'indexes': [models.Index(fields=['organization', 'trace_code'], name='dispensing_org_code')],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='DeliveryCode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('is_pack', models.BooleanField(default=True, help_text='无下级码的码计为一个包装', verbose_name='最小销售包装')),
                        ('recorded_at', models.DateTimeField(verbose_name='上传时间')),
                        ('received_at', models.DateTimeField(blank=True, null=True, verbose_name='验收时间')),
                        ('returned_at', models.DateTimeField(blank=True, null=True, verbose_name='退货时间')),
                        ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.delivery')),
                        ('delivery_line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.deliveryline')),
                        ('hospital', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization')),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='traceability.deliverycode')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.product')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('trace_code', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='traceability.tracecode')),
                        ('goods_return', models.ForeignKey(blank=True, help_text='按码退货时的采购退货单', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.goodsreturn', verbose_name='退货单')),
                    ],
                    options={
                        'verbose_name': '配送追溯码',
                        'verbose_name_plural': '配送追溯码',
                        'indexes': [models.Index(fields=['trace_code', 'received_at'], name='deliverycode_code_recv'), models.Index(fields=['hospital', 'product'], name='deliverycode_hosp_prod')],
                        'constraints': [models.UniqueConstraint(fields=('delivery', 'trace_code'), name='deliverycode_once')],
                    },
                ),
                migrations.CreateModel(
                    name='TraceFlag',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('duplicate_receipt', '同一追溯码重复验收'), ('resold', '追溯码重复发药/结算（疑似回流药）'), ('wrong_product', '追溯码与产品不符'), ('count_mismatch', '追溯码数量与配送包装数不符')], max_length=20, verbose_name='类型')),
                        ('data', models.JSONField(default=dict, verbose_name='详情')),
                        ('raised_at', models.DateTimeField(auto_now_add=True, verbose_name='发现时间')),
                        ('delivery', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.delivery')),
                        ('hospital', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization')),
                        ('trace_code', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='flags', to='traceability.tracecode')),
                    ],
                    options={
                        'verbose_name': '追溯码异常',
                        'verbose_name_plural': '追溯码异常',
                        'ordering': ['-raised_at', '-id'],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'trace_code', 'delivery'), name='traceflag_once', nulls_distinct=False), models.CheckConstraint(condition=models.Q(('trace_code__isnull', False), ('delivery__isnull', False), _connector='OR'), name='traceflag_subject')],
                        'indexes': [],
                    },
                ),
            ],
        ),
    ]
