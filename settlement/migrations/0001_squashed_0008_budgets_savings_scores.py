"""Settlement's tables in their form after 0001-0008, created at once (`CreateModels`), then the ledger's triggers,
the delete guards and the statements' fillfactor (0002), the daily statement generation schedule (0005) and the
settlement lines partitioned by month on `received_on` (0007; the settled-once keys are the model's constraints,
with the day).

Used by a fresh database; a database that has the replaced migrations applied records this one as applied too. 0004's filling of
period_end on existing statements is left out: a fresh database has none. Not reversible (docs/scale-out.md).
"""

import common.migration_operations
import django.db.models.deletion
import django.db.models.expressions
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models
from common.partitions.convert import migration_operation


LEDGER = """
CREATE OR REPLACE FUNCTION settlement_journal_balanced() RETURNS trigger AS $$
DECLARE total numeric;
BEGIN
  SELECT COALESCE(SUM(amount), 0) INTO total FROM settlement_journalline WHERE entry_id = NEW.entry_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'journal entry % does not balance: lines sum to %', NEW.entry_id, total USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER settlement_journalline_balanced AFTER INSERT ON settlement_journalline
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settlement_journal_balanced();
CREATE OR REPLACE FUNCTION settlement_ledger_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are never changed (%): post a correction entry', TG_TABLE_NAME USING ERRCODE = '23514';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER settlement_journalline_immutable BEFORE UPDATE OR DELETE ON settlement_journalline
  FOR EACH ROW EXECUTE FUNCTION settlement_ledger_immutable();
CREATE TRIGGER settlement_journalentry_immutable BEFORE UPDATE OR DELETE ON settlement_journalentry
  FOR EACH ROW EXECUTE FUNCTION settlement_ledger_immutable();
"""


LEDGER_REVERSE = """
DROP TRIGGER IF EXISTS settlement_journalline_balanced ON settlement_journalline;
DROP TRIGGER IF EXISTS settlement_journalline_immutable ON settlement_journalline;
DROP TRIGGER IF EXISTS settlement_journalentry_immutable ON settlement_journalentry;
DROP FUNCTION IF EXISTS settlement_journal_balanced();
DROP FUNCTION IF EXISTS settlement_ledger_immutable();
"""


DELETE_GUARDS = """
CREATE OR REPLACE FUNCTION settlement_refuse_delete_referenced() RETURNS trigger AS $$
BEGIN
  IF TG_TABLE_NAME = 'settlement_settlementstatement' THEN
    IF EXISTS (SELECT 1 FROM settlement_settlementline WHERE statement_id = OLD.id) THEN
      RAISE EXCEPTION 'statement % still has lines', OLD.id USING ERRCODE = '23503';
    END IF;
  ELSIF EXISTS (SELECT 1 FROM settlement_settlementline WHERE receipt_line_id = OLD.id AND kind = 'receipt') THEN
    RAISE EXCEPTION 'receipt line % is settled', OLD.id USING ERRCODE = '23503';
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER settlement_statement_delete_guard BEFORE DELETE ON settlement_settlementstatement
  FOR EACH ROW EXECUTE FUNCTION settlement_refuse_delete_referenced();
CREATE TRIGGER settlement_receiptline_delete_guard BEFORE DELETE ON procurement_receiptline
  FOR EACH ROW EXECUTE FUNCTION settlement_refuse_delete_referenced();
"""


DELETE_GUARDS_REVERSE = """
DROP TRIGGER IF EXISTS settlement_statement_delete_guard ON settlement_settlementstatement;
DROP TRIGGER IF EXISTS settlement_receiptline_delete_guard ON procurement_receiptline;
DROP FUNCTION IF EXISTS settlement_refuse_delete_referenced();
"""


TASK = "settlement.generate_monthly"


NAME = "医保直接结算：生成已结束结算周期的结算单并按月扣减医疗机构"


TZ = "Asia/Shanghai"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_month="*", month_of_year="*", day_of_week="*", timezone=TZ
    )
    PeriodicTask.objects.filter(task=TASK).update(name=NAME, crontab=daily)


def backwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    monthly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_month="1", month_of_year="*", day_of_week="*", timezone=TZ
    )
    PeriodicTask.objects.filter(task=TASK).update(name="医保直接结算：生成上月结算单并扣减医疗机构", crontab=monthly)


class Migration(migrations.Migration):

    replaces = [
        ('settlement', '0001_initial'),
        ('settlement', '0001_squashed_0005_generate_daily'),
        ('settlement', '0002_database_guarantees'),
        ('settlement', '0003_rule_texts'),
        ('settlement', '0004_fund_review_and_cycles'),
        ('settlement', '0005_generate_daily'),
        ('settlement', '0006_flow_references_without_foreign_keys'),
        ('settlement', '0007_partition_settlement_lines'),
        ('settlement', '0008_budgets_savings_scores'),
    ]

    initial = True

    dependencies = [
        ('accounts', '0001_squashed_0004_pharmacy_kind_and_role'),
        ('catalog', '0001_squashed_0002_product_udi_di'),
        ('common', '0001_squashed_0006_job_outcome_kept_as_message'),
        ('procurement', '0001_squashed_0008_progress_run_changed_kind'),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name='JobLock',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='锁名称')),
                        ('token', models.CharField(blank=True, max_length=64, verbose_name='持有者')),
                        ('locked_until', models.DateTimeField(blank=True, null=True, verbose_name='租约到期')),
                    ],
                    options={
                        'verbose_name': '任务锁',
                        'verbose_name_plural': '任务锁',
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='FundAccount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='基金名称')),
                        ('prepayment_rate', models.DecimalField(decimal_places=4, default=Decimal('0.3000'), help_text='占年度约定采购金额的比例，不低于全国下限 30% 及配置的最低预付比例', max_digits=5, verbose_name='预付比例')),
                        ('retained_share', models.DecimalField(decimal_places=4, default=Decimal('0.5000'), max_digits=5, verbose_name='结余留用比例')),
                        ('include_negotiated', models.BooleanField(default=False, verbose_name='国家谈判药品纳入直接结算')),
                        ('is_active', models.BooleanField(default=True, verbose_name='启用')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('region', models.OneToOneField(limit_choices_to={'level': 'league_city'}, on_delete=django.db.models.deletion.PROTECT, related_name='fund_account', to='accounts.region', verbose_name='统筹区')),
                    ],
                    options={
                        'verbose_name': '统筹区基金账户',
                        'verbose_name_plural': '统筹区基金账户',
                        'ordering': ['region__sort_order', 'region__code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('prepayment_rate__gte', Decimal('0.3')), ('prepayment_rate__lte', 1)), name='fund_prepayment_rate_range'), models.CheckConstraint(condition=models.Q(('retained_share__gte', 0), ('retained_share__lte', 1)), name='fund_retained_share_range')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalFundAccount',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='基金名称')),
                        ('prepayment_rate', models.DecimalField(decimal_places=4, default=Decimal('0.3000'), help_text='占年度约定采购金额的比例，不低于全国下限 30% 及配置的最低预付比例', max_digits=5, verbose_name='预付比例')),
                        ('retained_share', models.DecimalField(decimal_places=4, default=Decimal('0.5000'), max_digits=5, verbose_name='结余留用比例')),
                        ('include_negotiated', models.BooleanField(default=False, verbose_name='国家谈判药品纳入直接结算')),
                        ('is_active', models.BooleanField(default=True, verbose_name='启用')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('region', models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'level': 'league_city'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.region', verbose_name='统筹区')),
                    ],
                    options={
                        'verbose_name': 'historical 统筹区基金账户',
                        'verbose_name_plural': 'historical 统筹区基金账户',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalPriceCorrection',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('effective_from', models.DateField(verbose_name='生效日期')),
                        ('effective_to', models.DateField(blank=True, null=True, verbose_name='截止日期')),
                        ('unit_price', models.DecimalField(decimal_places=4, max_digits=14, verbose_name='更正后单价（每最小制剂单位）')),
                        ('reason', models.CharField(max_length=300, verbose_name='更正原因')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('listing', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='procurement.listing', verbose_name='挂网产品')),
                    ],
                    options={
                        'verbose_name': 'historical 价格更正',
                        'verbose_name_plural': 'historical 价格更正',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='JournalEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('prepayment', '预付医疗机构'), ('approval', '结算单审核（代医疗机构应付企业）'), ('payment', '支付生产企业'), ('deduction', '医疗机构医保结算款扣减'), ('correction', '更正'), ('claims', '医保结算款月度拨付'), ('year_end', '年度清算（合理超支分担）'), ('savings', '结余留用拨付')], max_length=20, verbose_name='类别')),
                        ('entry_date', models.DateField(verbose_name='记账日期')),
                        ('memo', models.CharField(max_length=300, verbose_name='摘要')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='记账时间')),
                        ('corrects', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='settlement.journalentry', verbose_name='更正的凭证')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记账人')),
                        ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='journal_entries', to='settlement.fundaccount', verbose_name='基金')),
                        ('statement', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='journal_entries', to='settlement.settlementstatement', verbose_name='结算单')),
                    ],
                    options={
                        'verbose_name': '记账凭证',
                        'verbose_name_plural': '记账凭证',
                        'ordering': ['-entry_date', '-id'],
                        'indexes': [models.Index(fields=['fund', 'entry_date'], name='settlement__fund_id_c6f34f_idx'), models.Index(fields=['kind', 'entry_date'], name='settlement__kind_f47d9d_idx')],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='HospitalDeduction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(verbose_name='月份')),
                        ('statements_amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='直接结算货款')),
                        ('prepayment_offset', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='预付金冲抵')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='扣减合计')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deductions', to='settlement.fundaccount', verbose_name='基金')),
                        ('hospital', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='医疗机构')),
                        ('journal_entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deduction', to='settlement.journalentry', verbose_name='记账凭证')),
                    ],
                    options={
                        'verbose_name': '医疗机构扣减',
                        'verbose_name_plural': '医疗机构扣减',
                        'ordering': ['-month', 'hospital'],
                        'constraints': [models.UniqueConstraint(fields=('hospital', 'month'), name='deduction_one_per_hospital_month'), models.CheckConstraint(condition=models.Q(('amount', django.db.models.expressions.CombinedExpression(models.F('statements_amount'), '+', models.F('prepayment_offset')))), name='deduction_total')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalPrepayment',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('cycle_start', models.DateField(verbose_name='周期开始')),
                        ('cycle_end', models.DateField(verbose_name='周期结束')),
                        ('agreed_amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='年度约定采购金额')),
                        ('rate', models.DecimalField(decimal_places=4, max_digits=5, verbose_name='预付比例')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='预付金额')),
                        ('paid_on', models.DateField(verbose_name='拨付日期')),
                        ('reference', models.CharField(blank=True, max_length=60, verbose_name='拨付流水号')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人')),
                        ('fund', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settlement.fundaccount', verbose_name='基金')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('hospital', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organization', verbose_name='医疗机构')),
                        ('tender', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='procurement.tender', verbose_name='批次')),
                        ('journal_entry', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settlement.journalentry', verbose_name='记账凭证')),
                    ],
                    options={
                        'verbose_name': 'historical 预付金',
                        'verbose_name_plural': 'historical 预付金',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='LedgerAccount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('fund_bank', '基金银行存款'), ('hospital', '医疗机构往来'), ('manufacturer', '应付生产企业'), ('claims_expense', '医保结算支出'), ('savings_expense', '结余留用支出')], max_length=20, verbose_name='科目类别')),
                        ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ledger_accounts', to='settlement.fundaccount', verbose_name='基金')),
                        ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='往来单位')),
                    ],
                    options={
                        'verbose_name': '分类账科目',
                        'verbose_name_plural': '分类账科目',
                        'ordering': ['fund', 'kind', 'organization'],
                        'constraints': [models.UniqueConstraint(fields=('fund', 'kind', 'organization'), name='ledger_account_unique'), models.UniqueConstraint(condition=models.Q(('organization__isnull', True)), fields=('fund', 'kind'), name='ledger_account_unique_fund_bank'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'fund_bank'), ('organization__isnull', True)), models.Q(models.Q(('kind', 'fund_bank'), _negated=True), ('organization__isnull', False)), _connector='OR'), name='ledger_account_owner')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='JournalLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='金额（借正贷负）')),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='settlement.journalentry', verbose_name='凭证')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='settlement.ledgeraccount', verbose_name='科目')),
                    ],
                    options={
                        'verbose_name': '凭证分录',
                        'verbose_name_plural': '凭证分录',
                        'ordering': ['entry', 'id'],
                        'indexes': [models.Index(fields=['account', 'entry'], name='settlement__account_8b96af_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount', 0), _negated=True), name='journal_line_amount_non_zero')],
                    },
                ),
                migrations.CreateModel(
                    name='PaymentImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_name', models.CharField(max_length=200, verbose_name='文件名')),
                        ('status', models.CharField(choices=[('applied', '已入账'), ('rejected', '已拒绝'), ('checked', '校验通过（未入账）')], max_length=10, verbose_name='结果')),
                        ('row_count', models.PositiveIntegerField(default=0, verbose_name='行数')),
                        ('total', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='合计金额')),
                        ('report', models.JSONField(blank=True, default=list, verbose_name='逐行报告')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='上传时间')),
                        ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
                    ],
                    options={
                        'verbose_name': '银行回单导入',
                        'verbose_name_plural': '银行回单导入',
                        'ordering': ['-uploaded_at', '-id'],
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='Prepayment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('cycle_start', models.DateField(verbose_name='周期开始')),
                        ('cycle_end', models.DateField(verbose_name='周期结束')),
                        ('agreed_amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='年度约定采购金额')),
                        ('rate', models.DecimalField(decimal_places=4, max_digits=5, verbose_name='预付比例')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='预付金额')),
                        ('paid_on', models.DateField(verbose_name='拨付日期')),
                        ('reference', models.CharField(blank=True, max_length=60, verbose_name='拨付流水号')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人')),
                        ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='prepayments', to='settlement.fundaccount', verbose_name='基金')),
                        ('hospital', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='prepayments', to='accounts.organization', verbose_name='医疗机构')),
                        ('journal_entry', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='prepayment', to='settlement.journalentry', verbose_name='记账凭证')),
                        ('tender', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.tender', verbose_name='批次')),
                    ],
                    options={
                        'verbose_name': '预付金',
                        'verbose_name_plural': '预付金',
                        'ordering': ['-paid_on', '-id'],
                        'constraints': [models.UniqueConstraint(fields=('hospital', 'tender'), name='prepayment_one_per_hospital_tender'), models.CheckConstraint(condition=models.Q(('amount__gt', 0), ('rate__gte', Decimal('0.3'))), name='prepayment_amount_rate')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='PriceCorrection',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('effective_from', models.DateField(verbose_name='生效日期')),
                        ('effective_to', models.DateField(blank=True, null=True, verbose_name='截止日期')),
                        ('unit_price', models.DecimalField(decimal_places=4, max_digits=14, verbose_name='更正后单价（每最小制剂单位）')),
                        ('reason', models.CharField(max_length=300, verbose_name='更正原因')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人')),
                        ('listing', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.listing', verbose_name='挂网产品')),
                    ],
                    options={
                        'verbose_name': '价格更正',
                        'verbose_name_plural': '价格更正',
                        'ordering': ['-effective_from', '-id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('unit_price__gt', 0)), name='price_correction_positive'), models.CheckConstraint(condition=models.Q(('effective_to__isnull', True), ('effective_to__gte', models.F('effective_from')), _connector='OR'), name='price_correction_period_order')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='SettlementRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(verbose_name='结算月份')),
                        ('status', models.CharField(choices=[('running', '运行中'), ('done', '已完成'), ('failed', '失败')], default='running', max_length=10, verbose_name='状态')),
                        ('started_at', models.DateTimeField(auto_now_add=True, verbose_name='开始时间')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                        ('statements_created', models.PositiveIntegerField(default=0, verbose_name='新建结算单')),
                        ('lines_created', models.PositiveIntegerField(default=0, verbose_name='新建明细')),
                        ('error', models.TextField(blank=True, verbose_name='错误')),
                        ('region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.region', verbose_name='统筹区')),
                    ],
                    options={
                        'verbose_name': '结算单生成记录',
                        'verbose_name_plural': '结算单生成记录',
                        'ordering': ['-started_at', '-id'],
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalSettlementStatement',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('number', models.CharField(max_length=40, verbose_name='结算单号')),
                        ('period', models.DateField(help_text='结算周期的第一天（按月结算为当月 1 日）', verbose_name='结算周期')),
                        ('status', models.CharField(choices=[('draft', '待企业申报'), ('claimed', '待医疗机构确认'), ('hospital_confirmed', '待基金审核'), ('approved', '待支付'), ('partially_paid', '部分支付'), ('paid', '已支付')], default='draft', max_length=20, verbose_name='状态')),
                        ('line_count', models.PositiveIntegerField(default=0, verbose_name='明细数')),
                        ('gross_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='验收金额')),
                        ('returned_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='退货金额')),
                        ('correction_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='价格更正金额')),
                        ('amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='结算金额')),
                        ('disputed_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='争议金额')),
                        ('approved_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='审核金额')),
                        ('paid_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='已付金额')),
                        ('invoice_numbers', models.JSONField(blank=True, default=list, verbose_name='发票号')),
                        ('claim_due_on', models.DateField(verbose_name='申报截止')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='申报时间')),
                        ('claimed_late', models.BooleanField(default=False, verbose_name='逾期申报')),
                        ('confirm_due_on', models.DateField(blank=True, null=True, verbose_name='确认截止')),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='确认时间')),
                        ('auto_confirmed', models.BooleanField(default=False, verbose_name='逾期视同确认')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='审核时间')),
                        ('payment_due_on', models.DateField(help_text='最早一笔验收日加付款期限天数', verbose_name='付款期限')),
                        ('paid_at', models.DateTimeField(blank=True, null=True, verbose_name='付清时间')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='生成时间')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('approved_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审核人')),
                        ('claimed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申报人')),
                        ('confirmed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认人')),
                        ('fund', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settlement.fundaccount', verbose_name='基金')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('hospital', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organization', verbose_name='医疗机构')),
                        ('manufacturer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organization', verbose_name='生产企业')),
                        ('deduction', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settlement.hospitaldeduction', verbose_name='扣减记录')),
                        ('run', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settlement.settlementrun', verbose_name='生成记录')),
                        ('period_end', models.DateField(blank=True, null=True, verbose_name='结算周期止')),
                        ('reduced_amount', models.DecimalField(db_default=0, decimal_places=2, default=0, max_digits=16, verbose_name='核减金额')),
                    ],
                    options={
                        'verbose_name': 'historical 结算单',
                        'verbose_name_plural': 'historical 结算单',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='SettlementStatement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=40, verbose_name='结算单号')),
                        ('period', models.DateField(help_text='结算周期的第一天（按月结算为当月 1 日）', verbose_name='结算周期')),
                        ('status', models.CharField(choices=[('draft', '待企业申报'), ('claimed', '待医疗机构确认'), ('hospital_confirmed', '待基金审核'), ('approved', '待支付'), ('partially_paid', '部分支付'), ('paid', '已支付')], default='draft', max_length=20, verbose_name='状态')),
                        ('line_count', models.PositiveIntegerField(default=0, verbose_name='明细数')),
                        ('gross_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='验收金额')),
                        ('returned_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='退货金额')),
                        ('correction_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='价格更正金额')),
                        ('amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='结算金额')),
                        ('disputed_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='争议金额')),
                        ('approved_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='审核金额')),
                        ('paid_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='已付金额')),
                        ('invoice_numbers', models.JSONField(blank=True, default=list, verbose_name='发票号')),
                        ('claim_due_on', models.DateField(verbose_name='申报截止')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='申报时间')),
                        ('claimed_late', models.BooleanField(default=False, verbose_name='逾期申报')),
                        ('confirm_due_on', models.DateField(blank=True, null=True, verbose_name='确认截止')),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='确认时间')),
                        ('auto_confirmed', models.BooleanField(default=False, verbose_name='逾期视同确认')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='审核时间')),
                        ('payment_due_on', models.DateField(help_text='最早一笔验收日加付款期限天数', verbose_name='付款期限')),
                        ('paid_at', models.DateTimeField(blank=True, null=True, verbose_name='付清时间')),
                        ('overdue', models.BooleanField(default=False, verbose_name='已逾期')),
                        ('due_soon', models.BooleanField(default=False, verbose_name='即将到期')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='生成时间')),
                        ('approved_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审核人')),
                        ('claimed_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申报人')),
                        ('confirmed_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认人')),
                        ('deduction', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='statements', to='settlement.hospitaldeduction', verbose_name='扣减记录')),
                        ('fund', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='statements', to='settlement.fundaccount', verbose_name='基金')),
                        ('hospital', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='hospital_settlement_statements', to='accounts.organization', verbose_name='医疗机构')),
                        ('manufacturer', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='settlement_statements', to='accounts.organization', verbose_name='生产企业')),
                        ('run', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='statements', to='settlement.settlementrun', verbose_name='生成记录')),
                        ('period_end', models.DateField(blank=True, null=True, verbose_name='结算周期止')),
                        ('reduced_amount', models.DecimalField(db_default=0, decimal_places=2, default=0, max_digits=16, verbose_name='核减金额')),
                    ],
                    options={
                        'verbose_name': '结算单',
                        'verbose_name_plural': '结算单',
                        'ordering': ['-period', 'hospital', 'manufacturer'],
                        'indexes': [models.Index(fields=['fund', 'period', 'status'], name='settlement__fund_id_9ea110_idx'), models.Index(fields=['manufacturer', 'status'], name='settlement__manufac_aaa1c8_idx'), models.Index(fields=['hospital', 'status'], name='settlement__hospita_11d934_idx'), models.Index(fields=['status', 'payment_due_on'], name='settlement__status_9b504e_idx'), models.Index(condition=models.Q(('deduction__isnull', False)), fields=['deduction'], name='statement_deduction'), models.Index(condition=models.Q(('claimed_by__isnull', False)), fields=['claimed_by'], name='statement_claimed_by'), models.Index(condition=models.Q(('confirmed_by__isnull', False)), fields=['confirmed_by'], name='statement_confirmed_by'), models.Index(condition=models.Q(('approved_by__isnull', False)), fields=['approved_by'], name='statement_approved_by')],
                        'constraints': [models.UniqueConstraint(fields=('number',), name='statement_number_unique'), models.UniqueConstraint(fields=('manufacturer', 'hospital', 'period'), name='statement_one_per_month'), models.CheckConstraint(condition=models.Q(('paid_amount__gte', 0), models.Q(('paid_amount__lte', models.F('approved_amount')), ('paid_amount', 0), _connector='OR')), name='statement_paid_within_approved'), models.CheckConstraint(condition=models.Q(('disputed_amount__gte', 0)), name='statement_disputed_non_negative')],
                    },
                ),
                migrations.CreateModel(
                    name='PriceAdjustment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('units', models.BigIntegerField(verbose_name='调整数量（最小制剂单位）')),
                        ('previous_unit_price', models.DecimalField(decimal_places=4, max_digits=14, verbose_name='原结算单价')),
                        ('unit_price', models.DecimalField(decimal_places=4, max_digits=14, verbose_name='更正后单价')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='调整金额')),
                        ('recorded_on', models.DateField(verbose_name='记录日期')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('receipt_line', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.receiptline', verbose_name='验收明细')),
                        ('correction', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='adjustments', to='settlement.pricecorrection', verbose_name='价格更正')),
                        ('statement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='price_adjustments', to='settlement.settlementstatement', verbose_name='原结算单')),
                    ],
                    options={
                        'verbose_name': '已结算价格更正调整',
                        'verbose_name_plural': '已结算价格更正调整',
                        'ordering': ['-recorded_on', '-id'],
                        'constraints': [models.UniqueConstraint(fields=('receipt_line', 'correction'), name='price_adjustment_once_per_correction'), models.CheckConstraint(condition=models.Q(('units__gt', 0), ('unit_price__gt', 0)), name='price_adjustment_units_price'), models.CheckConstraint(condition=models.Q(('unit_price', models.F('previous_unit_price')), _negated=True), name='price_adjustment_changes_price')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='SettlementLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('receipt', '验收'), ('return_adjustment', '已结算后退货冲减'), ('price_adjustment', '已结算后价格更正')], default='receipt', max_length=20, verbose_name='类别')),
                        ('received_on', models.DateField(verbose_name='验收日期')),
                        ('min_units', models.BigIntegerField(verbose_name='验收数量（最小制剂单位）')),
                        ('returned_min_units', models.BigIntegerField(default=0, verbose_name='退货数量（最小制剂单位）')),
                        ('unit_price', models.DecimalField(decimal_places=4, max_digits=14, verbose_name='订单单价')),
                        ('settled_unit_price', models.DecimalField(decimal_places=4, max_digits=14, verbose_name='结算单价')),
                        ('gross_amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='验收金额')),
                        ('returned_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='退货金额')),
                        ('correction_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='价格更正金额')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='结算金额')),
                        ('due_on', models.DateField(verbose_name='付款期限')),
                        ('overdue', models.BooleanField(default=False, verbose_name='已逾期')),
                        ('disputed', models.BooleanField(default=False, verbose_name='有争议')),
                        ('dispute_reason', models.CharField(blank=True, max_length=300, verbose_name='争议原因')),
                        ('response', models.CharField(blank=True, max_length=300, verbose_name='企业答复')),
                        ('correction', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='settlement.pricecorrection', verbose_name='价格更正')),
                        ('price_adjustment', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='settlement.priceadjustment', verbose_name='已结算价格更正调整')),
                        ('product', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalog.product', verbose_name='产品')),
                        ('receipt_line', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.receiptline', verbose_name='验收明细')),
                        ('return_line', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.goodsreturnline', verbose_name='退货明细')),
                        ('statement', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='settlement.settlementstatement', verbose_name='结算单')),
                        ('reduced_amount', models.DecimalField(db_default=0, decimal_places=2, default=0, max_digits=16, verbose_name='核减金额')),
                        ('reduction_reason', models.CharField(blank=True, db_default='', max_length=300, verbose_name='核减原因')),
                    ],
                    options={
                        'verbose_name': '结算明细',
                        'verbose_name_plural': '结算明细',
                        'ordering': ['statement', 'received_on', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'receipt'), ('price_adjustment__isnull', True)), models.Q(('kind', 'return_adjustment'), ('price_adjustment__isnull', True), ('return_line__isnull', False)), models.Q(('kind', 'price_adjustment'), ('price_adjustment__isnull', False), ('return_line__isnull', True)), _connector='OR'), name='settlement_line_kind_reference'), models.UniqueConstraint(condition=models.Q(('kind', 'receipt')), fields=('receipt_line', 'received_on'), name='receipt_line_settled_once'), models.UniqueConstraint(condition=models.Q(('return_line__isnull', False)), fields=('return_line', 'received_on'), name='return_adjustment_once'), models.UniqueConstraint(condition=models.Q(('price_adjustment__isnull', False)), fields=('price_adjustment', 'received_on'), name='price_adjustment_settled_once')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='SettledReturn',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('receipt_line', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.receiptline', verbose_name='验收明细')),
                        ('return_line', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.goodsreturnline', verbose_name='退货明细')),
                        ('statement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='settled_returns', to='settlement.settlementstatement', verbose_name='结算单')),
                    ],
                    options={
                        'verbose_name': '已结算退货',
                        'verbose_name_plural': '已结算退货',
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='Payment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='支付金额')),
                        ('reference', models.CharField(max_length=60, verbose_name='支付流水号')),
                        ('paid_on', models.DateField(verbose_name='支付日期')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='登记时间')),
                        ('journal_entry', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='payment', to='settlement.journalentry', verbose_name='记账凭证')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人')),
                        ('payment_import', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='settlement.paymentimport', verbose_name='导入批次')),
                        ('statement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='settlement.settlementstatement', verbose_name='结算单')),
                    ],
                    options={
                        'verbose_name': '支付记录',
                        'verbose_name_plural': '支付记录',
                        'ordering': ['-paid_on', '-id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_amount_positive'), models.UniqueConstraint(fields=('statement', 'reference'), name='payment_reference_unique_per_statement')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalPayment',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='支付金额')),
                        ('reference', models.CharField(max_length=60, verbose_name='支付流水号')),
                        ('paid_on', models.DateField(verbose_name='支付日期')),
                        ('recorded_at', models.DateTimeField(blank=True, editable=False, verbose_name='登记时间')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人')),
                        ('journal_entry', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settlement.journalentry', verbose_name='记账凭证')),
                        ('payment_import', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settlement.paymentimport', verbose_name='导入批次')),
                        ('statement', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settlement.settlementstatement', verbose_name='结算单')),
                    ],
                    options={
                        'verbose_name': 'historical 支付记录',
                        'verbose_name_plural': 'historical 支付记录',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='StatementEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('claimed', '企业申报'), ('invoices_changed', '修改发票号'), ('confirmed', '医疗机构确认'), ('auto_confirmed', '逾期视同确认'), ('disputed', '医疗机构提出争议'), ('returned', '基金退回企业'), ('approved', '基金审核通过'), ('paid', '支付'), ('partially_paid', '部分支付')], max_length=40, verbose_name='操作')),
                        ('from_status', models.CharField(blank=True, max_length=20, verbose_name='原状态')),
                        ('to_status', models.CharField(blank=True, max_length=20, verbose_name='新状态')),
                        ('at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                        ('reason', models.TextField(blank=True, verbose_name='原因/说明')),
                        ('data', models.JSONField(blank=True, default=dict, verbose_name='数据')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                        ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='操作机构')),
                        ('statement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='settlement.settlementstatement', verbose_name='结算单')),
                    ],
                    options={
                        'verbose_name': '结算单操作记录',
                        'verbose_name_plural': '结算单操作记录',
                        'ordering': ['statement', 'at', 'id'],
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='BudgetAllocation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('total', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='年度预算')),
                        ('source', models.CharField(choices=[('entered', '经办录入'), ('imported', '文件导入')], default='entered', max_length=10, verbose_name='来源')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='budgets', to='settlement.fundaccount', verbose_name='基金')),
                        ('hospital', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='医疗机构')),
                    ],
                    options={
                        'verbose_name': '总额预算',
                        'verbose_name_plural': '总额预算',
                        'ordering': ['-year', 'hospital'],
                        'constraints': [models.UniqueConstraint(fields=('hospital', 'year'), name='budget_one_per_hospital_year'), models.CheckConstraint(condition=models.Q(('total__gte', 0)), name='budget_total_not_negative')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='BudgetMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.PositiveSmallIntegerField(verbose_name='月份')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='月度预算')),
                        ('allocation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='months', to='settlement.budgetallocation', verbose_name='总额预算')),
                    ],
                    options={
                        'verbose_name': '月度预算',
                        'verbose_name_plural': '月度预算',
                        'ordering': ['allocation', 'month'],
                        'constraints': [models.UniqueConstraint(fields=('allocation', 'month'), name='budget_month_unique'), models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='budget_month_not_negative'), models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='budget_month_range')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='BudgetMonthSettlement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(verbose_name='月份')),
                        ('claims', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='申报金额')),
                        ('owed', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='预算内应拨')),
                        ('held', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='累计超预算暂缓')),
                        ('carried_in', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='上月结转欠款')),
                        ('recovered', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='收回欠款')),
                        ('deductions', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='直接结算扣减')),
                        ('withheld', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='扣减到位')),
                        ('carried_out', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='结转下月欠款')),
                        ('paid', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='实拨金额')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='settlement.fundaccount', verbose_name='基金')),
                        ('hospital', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='医疗机构')),
                        ('journal_entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='settlement.journalentry', verbose_name='记账凭证')),
                    ],
                    options={
                        'verbose_name': '月度拨付',
                        'verbose_name_plural': '月度拨付',
                        'ordering': ['-month', 'hospital'],
                        'constraints': [models.UniqueConstraint(fields=('hospital', 'month'), name='budget_settlement_one_per_month'), models.CheckConstraint(condition=models.Q(('paid', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('owed'), '-', models.F('recovered')), '-', models.F('withheld'))), ('paid__gte', 0)), name='budget_settlement_paid'), models.CheckConstraint(condition=models.Q(('carried_out', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('carried_in'), '-', models.F('recovered')), '+', models.F('deductions')), '-', models.F('withheld')))), name='budget_settlement_carried')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='BudgetYearSettlement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('budget', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='年度预算')),
                        ('claims', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='全年申报')),
                        ('owed', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='预算内已拨')),
                        ('held', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='超预算暂缓')),
                        ('overspend', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='超支金额')),
                        ('fund_share', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='基金分担')),
                        ('hospital_share', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='医疗机构承担')),
                        ('shortfall', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='年末未收回欠款')),
                        ('band_rate', models.DecimalField(decimal_places=4, max_digits=6, verbose_name='合理超支区间')),
                        ('fund_rate', models.DecimalField(decimal_places=4, max_digits=6, verbose_name='基金分担比例')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='settlement.fundaccount', verbose_name='基金')),
                        ('hospital', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='医疗机构')),
                        ('journal_entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='settlement.journalentry', verbose_name='记账凭证')),
                    ],
                    options={
                        'verbose_name': '年度清算',
                        'verbose_name_plural': '年度清算',
                        'ordering': ['-year', 'hospital'],
                        'constraints': [models.UniqueConstraint(fields=('hospital', 'year'), name='budget_year_one_per_hospital'), models.CheckConstraint(condition=models.Q(('overspend', django.db.models.expressions.CombinedExpression(models.F('fund_share'), '+', models.F('hospital_share')))), name='budget_year_sharing')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='HospitalScore',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('completion', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='约定采购量完成')),
                        ('online_share', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='线上采购率')),
                        ('receipt_timeliness', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='及时验收')),
                        ('statement_timeliness', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='及时确认结算单')),
                        ('substitution', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='中选产品使用')),
                        ('score', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='综合得分')),
                        ('weights', models.JSONField(default=dict, verbose_name='权重')),
                        ('prepayment_rate', models.DecimalField(decimal_places=4, max_digits=5, verbose_name='挂钩预付比例')),
                        ('savings_share', models.DecimalField(decimal_places=4, max_digits=5, verbose_name='挂钩留用比例')),
                        ('computed_at', models.DateTimeField(auto_now=True, verbose_name='计算时间')),
                        ('hospital', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='医疗机构')),
                    ],
                    options={
                        'verbose_name': '综合绩效',
                        'verbose_name_plural': '综合绩效',
                        'ordering': ['-year', '-score'],
                        'constraints': [models.UniqueConstraint(fields=('hospital', 'year'), name='hospital_score_one_per_year'), models.CheckConstraint(condition=models.Q(('score__gte', 0), ('score__lte', 100)), name='hospital_score_range'), models.CheckConstraint(condition=models.Q(('prepayment_rate__gte', '0.3')), name='hospital_score_prepayment_floor')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='InsuranceClaim',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(verbose_name='月份')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='申报金额')),
                        ('file_name', models.CharField(blank=True, max_length=200, verbose_name='导入文件')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='导入时间')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='claims', to='settlement.fundaccount', verbose_name='基金')),
                        ('hospital', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='医疗机构')),
                    ],
                    options={
                        'verbose_name': '医保结算申报',
                        'verbose_name_plural': '医保结算申报',
                        'ordering': ['-month', 'hospital'],
                        'constraints': [models.UniqueConstraint(fields=('hospital', 'month'), name='claim_one_per_hospital_month'), models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='claim_amount_not_negative')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='SavingsAward',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('savings', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='节约金额')),
                        ('share', models.DecimalField(decimal_places=4, max_digits=5, verbose_name='留用比例')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='留用金额')),
                        ('completion_rate', models.DecimalField(decimal_places=4, max_digits=5, verbose_name='约定采购量完成率')),
                        ('substitution_rate', models.DecimalField(decimal_places=4, max_digits=5, verbose_name='非中选产品替代率')),
                        ('qualified', models.BooleanField(verbose_name='符合留用条件')),
                        ('reasons', models.JSONField(blank=True, default=list, verbose_name='依据')),
                        ('status', models.CharField(choices=[('assessed', '待审核'), ('approved', '已核定'), ('rejected', '不予留用'), ('paid', '已拨付')], default='assessed', max_length=10, verbose_name='状态')),
                        ('review_note', models.CharField(blank=True, max_length=300, verbose_name='审核意见')),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='审核时间')),
                        ('paid_on', models.DateField(blank=True, null=True, verbose_name='拨付日期')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='测算时间')),
                        ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='settlement.fundaccount', verbose_name='基金')),
                        ('hospital', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization', verbose_name='医疗机构')),
                        ('journal_entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='settlement.journalentry', verbose_name='记账凭证')),
                        ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('tender', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.tender', verbose_name='批次')),
                    ],
                    options={
                        'verbose_name': '结余留用',
                        'verbose_name_plural': '结余留用',
                        'ordering': ['-created_at', 'hospital'],
                        'constraints': [models.UniqueConstraint(fields=('hospital', 'tender'), name='savings_award_one_per_hospital_tender'), models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='savings_award_amount_not_negative'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'paid'), _negated=True), models.Q(('journal_entry__isnull', False), ('qualified', True)), _connector='OR'), name='savings_award_paid_only_qualified')],
                        'indexes': [],
                    },
                ),
            ],
        ),
        migrations.RunSQL(LEDGER, LEDGER_REVERSE),
        migrations.RunSQL(DELETE_GUARDS, DELETE_GUARDS_REVERSE),
        migrations.RunSQL(
            sql="ALTER TABLE settlement_settlementstatement SET (fillfactor = 80)",
            reverse_sql="ALTER TABLE settlement_settlementstatement RESET (fillfactor)",
        ),
        migrations.RunPython(
            code=forwards,
            reverse_code=backwards,
        ),
        migration_operation(("settlement_settlementline", "received_on", {})),
    ]
