"""Listing applications (挂网申报 / 调价 / 撤网) with drafts, returns, the price basis, distributors and documents;
listings suspended by the qualification watch; the watch's daily schedule (django-celery-beat)."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


WATCH = ("资质证照到期提醒与挂网暂停/恢复（每日）", "procurement.qualification_watch")


def schedule_watch(apps, schema_editor):
    """Daily at 04:00 Asia/Shanghai, like the other jobs (common/migrations/0002_periodic_tasks.py)."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="4", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name=WATCH[0], defaults={"task": WATCH[1], "enabled": True, "crontab": crontab, "interval": None}
    )


def unschedule_watch(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=WATCH[1]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_load_regions_and_roles'),
        ('catalog', '0001_initial'),
        ('procurement', '0004_order_line_shortages'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalListingApplication',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('new', '挂网申报'), ('price_change', '调价申请'), ('delist', '撤网申请')], default='new', max_length=20, verbose_name='申请类型')),
                ('pack_price', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='申报价（每包装）')),
                ('unit_price', models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True, verbose_name='申报价（每最小制剂单位）')),
                ('valid_from', models.DateField(verbose_name='有效期起')),
                ('valid_to', models.DateField(blank=True, null=True, verbose_name='有效期止')),
                ('evidence', models.TextField(blank=True, help_text='如其他省份挂网价、全国最低价来源', verbose_name='价格依据说明')),
                ('reason', models.TextField(blank=True, help_text='调价、撤网的理由', verbose_name='申请理由')),
                ('basis', models.JSONField(blank=True, default=dict, verbose_name='价格依据')),
                ('ceiling', models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True, verbose_name='联动上限（每最小制剂单位）')),
                ('above_ceiling', models.BooleanField(default=False, verbose_name='高于联动上限')),
                ('justification', models.TextField(blank=True, verbose_name='超出联动上限的说明')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('submitted', '待审核'), ('returned', '已退回'), ('approved', '已通过'), ('refused', '不予通过')], default='draft', max_length=20, verbose_name='状态')),
                ('review_note', models.CharField(blank=True, max_length=500, verbose_name='审核意见')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='提交时间')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='审核时间')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical 挂网申请',
                'verbose_name_plural': 'historical 挂网申请',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ListingApplicationDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='文件名称')),
                ('file', models.FileField(upload_to='listing_applications/%Y/%m/', verbose_name='文件')),
                ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='上传时间')),
            ],
            options={
                'verbose_name': '挂网申请附件',
                'verbose_name_plural': '挂网申请附件',
                'ordering': ['uploaded_at', 'id'],
            },
        ),
        migrations.AlterModelOptions(
            name='listingapplication',
            options={'ordering': ['-created_at', '-id'], 'verbose_name': '挂网申请', 'verbose_name_plural': '挂网申请'},
        ),
        migrations.RemoveConstraint(
            model_name='listingapplication',
            name='listing_application_price_positive',
        ),
        migrations.RenameField(
            model_name='listingapplication',
            old_name='submitted_by',
            new_name='created_by',
        ),
        migrations.AddField(
            model_name='historicallisting',
            name='qualification_lapsed',
            field=models.BooleanField(default=False, verbose_name='因资质过期暂停'),
        ),
        migrations.AddField(
            model_name='listing',
            name='qualification_lapsed',
            field=models.BooleanField(default=False, verbose_name='因资质过期暂停'),
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='above_ceiling',
            field=models.BooleanField(default=False, verbose_name='高于联动上限'),
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='basis',
            field=models.JSONField(blank=True, default=dict, verbose_name='价格依据'),
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='ceiling',
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True, verbose_name='联动上限（每最小制剂单位）'),
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name='创建时间'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='distributors',
            field=models.ManyToManyField(blank=True, limit_choices_to={'kind': 'distributor'}, related_name='+', to='accounts.organization', verbose_name='授权配送企业'),
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='justification',
            field=models.TextField(blank=True, verbose_name='超出联动上限的说明'),
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='kind',
            field=models.CharField(choices=[('new', '挂网申报'), ('price_change', '调价申请'), ('delist', '撤网申请')], default='new', max_length=20, verbose_name='申请类型'),
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='pack_price',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='申报价（每包装）'),
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='reason',
            field=models.TextField(blank=True, help_text='调价、撤网的理由', verbose_name='申请理由'),
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='regions',
            field=models.ManyToManyField(blank=True, related_name='+', to='accounts.region', verbose_name='配送区域'),
        ),
        migrations.AddField(
            model_name='listingapplication',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='更新时间'),
        ),
        migrations.AlterField(
            model_name='listingapplication',
            name='evidence',
            field=models.TextField(blank=True, help_text='如其他省份挂网价、全国最低价来源', verbose_name='价格依据说明'),
        ),
        migrations.AlterField(
            model_name='listingapplication',
            name='listing',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='procurement.listing', verbose_name='挂网产品'),
        ),
        migrations.AlterField(
            model_name='listingapplication',
            name='review_note',
            field=models.CharField(blank=True, max_length=500, verbose_name='审核意见'),
        ),
        migrations.AlterField(
            model_name='listingapplication',
            name='status',
            field=models.CharField(choices=[('draft', '草稿'), ('submitted', '待审核'), ('returned', '已退回'), ('approved', '已通过'), ('refused', '不予通过')], default='draft', max_length=20, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='listingapplication',
            name='submitted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='提交时间'),
        ),
        migrations.AlterField(
            model_name='listingapplication',
            name='unit_price',
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True, verbose_name='申报价（每最小制剂单位）'),
        ),
        migrations.AddIndex(
            model_name='listingapplication',
            index=models.Index(fields=['status', 'kind'], name='procurement_status_24c61c_idx'),
        ),
        migrations.AddIndex(
            model_name='listingapplication',
            index=models.Index(fields=['manufacturer', 'status'], name='procurement_manufac_59b605_idx'),
        ),
        migrations.AddConstraint(
            model_name='listingapplication',
            constraint=models.CheckConstraint(condition=models.Q(('unit_price__isnull', True), ('unit_price__gt', 0), _connector='OR'), name='listing_application_price_positive'),
        ),
        migrations.AddConstraint(
            model_name='listingapplication',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'delist'), ('status', 'draft'), ('unit_price__isnull', False), _connector='OR'), name='listing_application_priced'),
        ),
        migrations.AddConstraint(
            model_name='listingapplication',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'new'), ('listing__isnull', False), _connector='OR'), name='listing_application_change_has_listing'),
        ),
        migrations.AddField(
            model_name='historicallistingapplication',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申请人'),
        ),
        migrations.AddField(
            model_name='historicallistingapplication',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicallistingapplication',
            name='listing',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='procurement.listing', verbose_name='挂网产品'),
        ),
        migrations.AddField(
            model_name='historicallistingapplication',
            name='manufacturer',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organization', verbose_name='生产企业'),
        ),
        migrations.AddField(
            model_name='historicallistingapplication',
            name='product',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalog.product', verbose_name='产品'),
        ),
        migrations.AddField(
            model_name='historicallistingapplication',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审核人'),
        ),
        migrations.AddField(
            model_name='listingapplicationdocument',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='procurement.listingapplication', verbose_name='挂网申请'),
        ),
        migrations.AddField(
            model_name='listingapplicationdocument',
            name='uploaded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunSQL(
            "UPDATE procurement_listingapplication SET status = 'refused' WHERE status = 'rejected'",
            "UPDATE procurement_listingapplication SET status = 'rejected' WHERE status = 'refused'",
        ),
        migrations.RunPython(schedule_watch, unschedule_watch),
    ]
