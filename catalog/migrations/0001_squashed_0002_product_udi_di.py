"""The extensions pg_trgm and fuzzystrmatch (0001), then the catalog's tables in their form after 0001-0002, created at
once (`CreateModels`).

Used by a fresh database; a database that has the replaced migrations applied records this one as applied too.
"""

import common.migration_operations
import django.contrib.postgres.indexes
import django.contrib.postgres.operations
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import simple_history.models
from django.conf import settings
from django.db import migrations, models






class Migration(migrations.Migration):

    replaces = [
        ('catalog', '0001_initial'),
        ('catalog', '0002_product_udi_di'),
    ]

    initial = True

    dependencies = [
        ('accounts', '0001_squashed_0004_pharmacy_kind_and_role'),
    ]

    operations = [
        django.contrib.postgres.operations.TrigramExtension(),
        django.contrib.postgres.operations.CreateExtension(
            name="fuzzystrmatch",
        ),
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name='HistoricalProduct',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('category', models.CharField(choices=[('chemical', '化学药品'), ('biological', '生物制品'), ('chinese_patent', '中成药'), ('tcm_pieces', '中药饮片'), ('mongolian_patent', '蒙成药'), ('mongolian_pieces', '蒙药饮片'), ('hospital_preparation', '医院制剂'), ('consumable', '医用耗材')], max_length=30, verbose_name='类别')),
                        ('nhsa_code', models.CharField(max_length=30, verbose_name='医保代码')),
                        ('generic_name', models.CharField(max_length=200, verbose_name='通用名')),
                        ('trade_name', models.CharField(blank=True, max_length=200, verbose_name='商品名')),
                        ('name_mn', models.CharField(blank=True, max_length=300, verbose_name='蒙古文名称')),
                        ('name_en', models.CharField(blank=True, max_length=300, verbose_name='英文名称')),
                        ('registered_dosage_form', models.CharField(blank=True, max_length=100, verbose_name='注册剂型')),
                        ('dosage_form', models.CharField(blank=True, max_length=100, verbose_name='剂型')),
                        ('registered_specification', models.CharField(blank=True, max_length=300, verbose_name='注册规格')),
                        ('specification', models.CharField(blank=True, max_length=300, verbose_name='规格')),
                        ('packaging_material', models.CharField(blank=True, max_length=200, verbose_name='包装材质')),
                        ('pack_size', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='最小包装数量')),
                        ('min_unit', models.CharField(help_text='如 片、粒、支、袋、g', max_length=20, verbose_name='最小制剂单位')),
                        ('pack_unit', models.CharField(help_text='如 盒、瓶、袋', max_length=20, verbose_name='最小包装单位')),
                        ('drug_enterprise', models.CharField(blank=True, max_length=200, verbose_name='药品企业')),
                        ('subpackager', models.CharField(blank=True, max_length=200, verbose_name='分包装企业')),
                        ('marketing_authorization_holder', models.CharField(blank=True, max_length=200, verbose_name='上市许可持有人')),
                        ('approval_number', models.CharField(blank=True, max_length=100, verbose_name='批准文号/注册证编号')),
                        ('original_approval_number', models.CharField(blank=True, max_length=100, verbose_name='原批准文号')),
                        ('standard_code', models.CharField(blank=True, max_length=14, verbose_name='药品本位码')),
                        ('market_status', models.CharField(blank=True, max_length=50, verbose_name='市场状态')),
                        ('data_source', models.CharField(blank=True, max_length=100, verbose_name='数据来源')),
                        ('insurance_name', models.CharField(blank=True, max_length=200, verbose_name='医保药品名称')),
                        ('insurance_class', models.CharField(blank=True, choices=[('A', '甲类'), ('B', '乙类'), ('', '非医保')], max_length=1, verbose_name='医保类别')),
                        ('insurance_dosage_form', models.CharField(blank=True, max_length=100, verbose_name='医保剂型')),
                        ('insurance_number', models.CharField(blank=True, max_length=50, verbose_name='医保目录编号')),
                        ('insurance_status', models.CharField(blank=True, choices=[('in', '在医保目录'), ('removed', '已调出目录'), ('', '未纳入')], max_length=10, verbose_name='医保目录状态')),
                        ('insurance_from', models.DateField(blank=True, null=True, verbose_name='纳入目录日期')),
                        ('insurance_to', models.DateField(blank=True, null=True, verbose_name='调出目录日期')),
                        ('negotiated', models.BooleanField(default=False, verbose_name='国家谈判药品')),
                        ('negotiated_from', models.DateField(blank=True, null=True, verbose_name='谈判协议起始')),
                        ('negotiated_to', models.DateField(blank=True, null=True, verbose_name='谈判协议截止')),
                        ('consistency_evaluated', models.BooleanField(default=False, verbose_name='通过一致性评价')),
                        ('shortage', models.BooleanField(default=False, verbose_name='短缺药品')),
                        ('mongolian_medicine', models.BooleanField(default=False, help_text='蒙成药、蒙药饮片和蒙药医院制剂按甲类管理', verbose_name='蒙药')),
                        ('consumable_class', models.CharField(blank=True, max_length=100, verbose_name='耗材分类')),
                        ('high_value', models.BooleanField(default=False, verbose_name='高值医用耗材')),
                        ('high_value_class', models.CharField(blank=True, choices=[('vascular', '血管介入'), ('non_vascular', '非血管介入'), ('ortho_joint', '骨科关节'), ('ortho_spine', '骨科脊柱'), ('ortho_trauma', '骨科创伤'), ('iol', '人工晶体'), ('neuro', '神经外科'), ('ep', '电生理类'), ('pacemaker', '起搏器类'), ('dialysis', '血液净化'), ('dental', '口腔类'), ('other', '其他高值耗材')], max_length=20, verbose_name='高值耗材类别')),
                        ('remarks', models.CharField(blank=True, max_length=500, verbose_name='备注')),
                        ('former_codes', models.CharField(blank=True, max_length=300, verbose_name='曾用码')),
                        ('is_active', models.BooleanField(default=True, verbose_name='有效')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('manufacturer', models.ForeignKey(blank=True, db_constraint=False, db_index=False, limit_choices_to={'kind': 'manufacturer'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organization', verbose_name='生产企业')),
                        ('preparing_hospital', models.ForeignKey(blank=True, db_constraint=False, db_index=False, limit_choices_to={'kind': 'hospital'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organization', verbose_name='配制医疗机构')),
                        ('udi_di', models.CharField(blank=True, help_text='医疗器械唯一标识的产品标识：GS1 GTIN、HIBC、ICCBBA 或 MA 码（catalog.udi）', max_length=60, verbose_name='UDI-DI（产品标识）')),
                    ],
                    options={
                        'verbose_name': 'historical 产品',
                        'verbose_name_plural': 'historical 产品',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('layout', models.CharField(choices=[('nhsa', '国家医保药品分类与代码（总表）'), ('platform', '平台模板：蒙药/中药饮片/医院制剂'), ('consumables', '平台模板：医用耗材')], max_length=20, verbose_name='模板')),
                        ('file', models.FileField(upload_to='catalog_imports/%Y/%m/', verbose_name='文件')),
                        ('original_name', models.CharField(max_length=255, verbose_name='原文件名')),
                        ('dry_run', models.BooleanField(default=False, verbose_name='仅校验')),
                        ('status', models.CharField(choices=[('pending', '排队中'), ('running', '处理中'), ('succeeded', '已完成'), ('failed', '有错误，未导入'), ('error', '处理失败')], default='pending', max_length=20, verbose_name='状态')),
                        ('total_rows', models.PositiveIntegerField(default=0, verbose_name='总行数')),
                        ('processed_rows', models.PositiveIntegerField(default=0, verbose_name='已处理行数')),
                        ('counts', models.JSONField(blank=True, default=dict, verbose_name='统计')),
                        ('error_count', models.PositiveIntegerField(default=0, verbose_name='错误行数')),
                        ('report_file', models.FileField(blank=True, upload_to='catalog_imports/reports/%Y/%m/', verbose_name='逐行报告')),
                        ('message', models.TextField(blank=True, verbose_name='说明')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='提交时间')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL, verbose_name='提交人')),
                    ],
                    options={
                        'verbose_name': '目录导入任务',
                        'verbose_name_plural': '目录导入任务',
                        'ordering': ['-created_at'],
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='Product',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('category', models.CharField(choices=[('chemical', '化学药品'), ('biological', '生物制品'), ('chinese_patent', '中成药'), ('tcm_pieces', '中药饮片'), ('mongolian_patent', '蒙成药'), ('mongolian_pieces', '蒙药饮片'), ('hospital_preparation', '医院制剂'), ('consumable', '医用耗材')], max_length=30, verbose_name='类别')),
                        ('nhsa_code', models.CharField(max_length=30, unique=True, verbose_name='医保代码')),
                        ('generic_name', models.CharField(max_length=200, verbose_name='通用名')),
                        ('trade_name', models.CharField(blank=True, max_length=200, verbose_name='商品名')),
                        ('name_pinyin', models.CharField(blank=True, editable=False, max_length=400, verbose_name='全拼')),
                        ('name_initials', models.CharField(blank=True, editable=False, max_length=200, verbose_name='拼音首字母')),
                        ('name_mn', models.CharField(blank=True, max_length=300, verbose_name='蒙古文名称')),
                        ('name_en', models.CharField(blank=True, max_length=300, verbose_name='英文名称')),
                        ('registered_dosage_form', models.CharField(blank=True, max_length=100, verbose_name='注册剂型')),
                        ('dosage_form', models.CharField(blank=True, max_length=100, verbose_name='剂型')),
                        ('registered_specification', models.CharField(blank=True, max_length=300, verbose_name='注册规格')),
                        ('specification', models.CharField(blank=True, max_length=300, verbose_name='规格')),
                        ('packaging_material', models.CharField(blank=True, max_length=200, verbose_name='包装材质')),
                        ('pack_size', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='最小包装数量')),
                        ('min_unit', models.CharField(help_text='如 片、粒、支、袋、g', max_length=20, verbose_name='最小制剂单位')),
                        ('pack_unit', models.CharField(help_text='如 盒、瓶、袋', max_length=20, verbose_name='最小包装单位')),
                        ('drug_enterprise', models.CharField(blank=True, max_length=200, verbose_name='药品企业')),
                        ('subpackager', models.CharField(blank=True, max_length=200, verbose_name='分包装企业')),
                        ('marketing_authorization_holder', models.CharField(blank=True, max_length=200, verbose_name='上市许可持有人')),
                        ('approval_number', models.CharField(blank=True, max_length=100, verbose_name='批准文号/注册证编号')),
                        ('original_approval_number', models.CharField(blank=True, max_length=100, verbose_name='原批准文号')),
                        ('standard_code', models.CharField(blank=True, max_length=14, verbose_name='药品本位码')),
                        ('market_status', models.CharField(blank=True, max_length=50, verbose_name='市场状态')),
                        ('data_source', models.CharField(blank=True, max_length=100, verbose_name='数据来源')),
                        ('insurance_name', models.CharField(blank=True, max_length=200, verbose_name='医保药品名称')),
                        ('insurance_class', models.CharField(blank=True, choices=[('A', '甲类'), ('B', '乙类'), ('', '非医保')], max_length=1, verbose_name='医保类别')),
                        ('insurance_dosage_form', models.CharField(blank=True, max_length=100, verbose_name='医保剂型')),
                        ('insurance_number', models.CharField(blank=True, max_length=50, verbose_name='医保目录编号')),
                        ('insurance_status', models.CharField(blank=True, choices=[('in', '在医保目录'), ('removed', '已调出目录'), ('', '未纳入')], max_length=10, verbose_name='医保目录状态')),
                        ('insurance_from', models.DateField(blank=True, null=True, verbose_name='纳入目录日期')),
                        ('insurance_to', models.DateField(blank=True, null=True, verbose_name='调出目录日期')),
                        ('negotiated', models.BooleanField(default=False, verbose_name='国家谈判药品')),
                        ('negotiated_from', models.DateField(blank=True, null=True, verbose_name='谈判协议起始')),
                        ('negotiated_to', models.DateField(blank=True, null=True, verbose_name='谈判协议截止')),
                        ('consistency_evaluated', models.BooleanField(default=False, verbose_name='通过一致性评价')),
                        ('shortage', models.BooleanField(default=False, verbose_name='短缺药品')),
                        ('mongolian_medicine', models.BooleanField(default=False, help_text='蒙成药、蒙药饮片和蒙药医院制剂按甲类管理', verbose_name='蒙药')),
                        ('consumable_class', models.CharField(blank=True, max_length=100, verbose_name='耗材分类')),
                        ('high_value', models.BooleanField(default=False, verbose_name='高值医用耗材')),
                        ('high_value_class', models.CharField(blank=True, choices=[('vascular', '血管介入'), ('non_vascular', '非血管介入'), ('ortho_joint', '骨科关节'), ('ortho_spine', '骨科脊柱'), ('ortho_trauma', '骨科创伤'), ('iol', '人工晶体'), ('neuro', '神经外科'), ('ep', '电生理类'), ('pacemaker', '起搏器类'), ('dialysis', '血液净化'), ('dental', '口腔类'), ('other', '其他高值耗材')], max_length=20, verbose_name='高值耗材类别')),
                        ('remarks', models.CharField(blank=True, max_length=500, verbose_name='备注')),
                        ('former_codes', models.CharField(blank=True, max_length=300, verbose_name='曾用码')),
                        ('is_active', models.BooleanField(default=True, verbose_name='有效')),
                        ('search_text', models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Concat(django.db.models.functions.text.Lower('generic_name'), models.Value('\n'), django.db.models.functions.text.Lower('trade_name'), models.Value('\n'), 'name_pinyin', models.Value('\n'), 'name_initials', models.Value('\n'), django.db.models.functions.text.Lower('name_mn')), output_field=models.TextField(), verbose_name='检索文本')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('manufacturer', models.ForeignKey(db_index=False, limit_choices_to={'kind': 'manufacturer'}, on_delete=django.db.models.deletion.PROTECT, related_name='products', to='accounts.organization', verbose_name='生产企业')),
                        ('preparing_hospital', models.ForeignKey(blank=True, db_index=False, limit_choices_to={'kind': 'hospital'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='preparations', to='accounts.organization', verbose_name='配制医疗机构')),
                        ('udi_di', models.CharField(blank=True, help_text='医疗器械唯一标识的产品标识：GS1 GTIN、HIBC、ICCBBA 或 MA 码（catalog.udi）', max_length=60, verbose_name='UDI-DI（产品标识）')),
                    ],
                    options={
                        'verbose_name': '产品',
                        'verbose_name_plural': '产品',
                        'ordering': ['generic_name', 'nhsa_code'],
                        'indexes': [models.Index(fields=['manufacturer', 'category'], name='catalog_pro_manufac_252ca6_idx'), models.Index(fields=['generic_name', 'dosage_form'], name='catalog_pro_generic_1f2b2f_idx'), models.Index(condition=models.Q(('preparing_hospital__isnull', False)), fields=['preparing_hospital'], name='catalog_product_preparing_idx'), django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass('search_text', name='gin_trgm_ops'), name='catalog_product_search_trgm')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('pack_size__gte', 1)), name='product_pack_size_positive'), models.CheckConstraint(condition=models.Q(models.Q(('category__in', ['mongolian_patent', 'mongolian_pieces']), _negated=True), ('insurance_class', 'A'), _connector='OR'), name='product_mongolian_categories_class_a'), models.CheckConstraint(condition=models.Q(('mongolian_medicine', False), ('insurance_class', 'A'), _connector='OR'), name='product_mongolian_medicine_class_a'), models.CheckConstraint(condition=models.Q(('high_value', True), ('high_value_class', ''), _connector='OR'), name='product_high_value_class_only_if_high'), models.CheckConstraint(condition=models.Q(('category', 'consumable'), models.Q(('high_value', False), ('consumable_class', '')), _connector='OR'), name='product_consumable_fields_only_for_consumables')],
                    },
                ),
            ],
        ),
    ]
