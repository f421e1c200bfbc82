"""Accounts' tables in their form after 0001-0004, created at once (`CreateModels`: one rendering of the model
states), then the regions and roles (0002), the supervisor role (0003) and the pharmacy buyer role (0004).

Used by a fresh database; a database that has the replaced migrations applied records this one as applied too.
"""

import accounts.uscc
import common.migration_operations
import django.contrib.auth.models
import django.contrib.auth.validators
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models


LEAGUES = [
    # code, name, Mongolian name, banners/counties
    ("150100", "呼和浩特市", "ᠬᠥᠬᠡᠬᠣᠲᠠ", [
        ("150102", "新城区"), ("150103", "回民区"), ("150104", "玉泉区"), ("150105", "赛罕区"),
        ("150121", "土默特左旗"), ("150122", "托克托县"), ("150123", "和林格尔县"), ("150124", "清水河县"),
        ("150125", "武川县"),
    ]),
    ("150200", "包头市", "ᠪᠤᠭᠤᠲᠤ", [
        ("150202", "东河区"), ("150203", "昆都仑区"), ("150204", "青山区"), ("150205", "石拐区"),
        ("150206", "白云鄂博矿区"), ("150207", "九原区"), ("150221", "土默特右旗"), ("150222", "固阳县"),
        ("150223", "达尔罕茂明安联合旗"),
    ]),
    ("150700", "呼伦贝尔市", "ᠬᠥᠯᠥᠨᠪᠤᠶᠢᠷ", [
        ("150702", "海拉尔区"), ("150703", "扎赉诺尔区"), ("150721", "阿荣旗"),
        ("150722", "莫力达瓦达斡尔族自治旗"), ("150723", "鄂伦春自治旗"), ("150724", "鄂温克族自治旗"),
        ("150725", "陈巴尔虎旗"), ("150726", "新巴尔虎左旗"), ("150727", "新巴尔虎右旗"), ("150781", "满洲里市"),
        ("150782", "牙克石市"), ("150783", "扎兰屯市"), ("150784", "额尔古纳市"), ("150785", "根河市"),
    ]),
    ("152200", "兴安盟", "ᠬᠢᠩᠭᠠᠨ", [
        ("152201", "乌兰浩特市"), ("152202", "阿尔山市"), ("152221", "科尔沁右翼前旗"),
        ("152222", "科尔沁右翼中旗"), ("152223", "扎赉特旗"), ("152224", "突泉县"),
    ]),
    ("150500", "通辽市", "ᠲᠦᠩᠯᠢᠶᠣᠤ", [
        ("150502", "科尔沁区"), ("150521", "科尔沁左翼中旗"), ("150522", "科尔沁左翼后旗"), ("150523", "开鲁县"),
        ("150524", "库伦旗"), ("150525", "奈曼旗"), ("150526", "扎鲁特旗"), ("150581", "霍林郭勒市"),
    ]),
    ("150400", "赤峰市", "ᠤᠯᠠᠭᠠᠨᠬᠠᠳᠠ", [
        ("150402", "红山区"), ("150403", "元宝山区"), ("150404", "松山区"), ("150421", "阿鲁科尔沁旗"),
        ("150422", "巴林左旗"), ("150423", "巴林右旗"), ("150424", "林西县"), ("150425", "克什克腾旗"),
        ("150426", "翁牛特旗"), ("150428", "喀喇沁旗"), ("150429", "宁城县"), ("150430", "敖汉旗"),
    ]),
    ("152500", "锡林郭勒盟", "ᠰᠢᠯᠢ ᠶᠢᠨ ᠭᠣᠣᠯ", [
        ("152501", "二连浩特市"), ("152502", "锡林浩特市"), ("152522", "阿巴嘎旗"), ("152523", "苏尼特左旗"),
        ("152524", "苏尼特右旗"), ("152525", "东乌珠穆沁旗"), ("152526", "西乌珠穆沁旗"), ("152527", "太仆寺旗"),
        ("152528", "镶黄旗"), ("152529", "正镶白旗"), ("152530", "正蓝旗"), ("152531", "多伦县"),
    ]),
    ("150900", "乌兰察布市", "ᠤᠯᠠᠭᠠᠨᠴᠠᠪ", [
        ("150902", "集宁区"), ("150921", "卓资县"), ("150922", "化德县"), ("150923", "商都县"), ("150924", "兴和县"),
        ("150925", "凉城县"), ("150926", "察哈尔右翼前旗"), ("150927", "察哈尔右翼中旗"),
        ("150928", "察哈尔右翼后旗"), ("150929", "四子王旗"), ("150981", "丰镇市"),
    ]),
    ("150600", "鄂尔多斯市", "ᠣᠷᠳᠣᠰ", [
        ("150602", "东胜区"), ("150603", "康巴什区"), ("150621", "达拉特旗"), ("150622", "准格尔旗"),
        ("150623", "鄂托克前旗"), ("150624", "鄂托克旗"), ("150625", "杭锦旗"), ("150626", "乌审旗"),
        ("150627", "伊金霍洛旗"),
    ]),
    ("150800", "巴彦淖尔市", "ᠪᠠᠶᠠᠨᠨᠠᠭᠤᠷ", [
        ("150802", "临河区"), ("150821", "五原县"), ("150822", "磴口县"), ("150823", "乌拉特前旗"),
        ("150824", "乌拉特中旗"), ("150825", "乌拉特后旗"), ("150826", "杭锦后旗"),
    ]),
    ("150300", "乌海市", "ᠦᠬᠠᠢ", [("150302", "海勃湾区"), ("150303", "海南区"), ("150304", "乌达区")]),
    ("152900", "阿拉善盟", "ᠠᠯᠠᠱᠠ", [("152921", "阿拉善左旗"), ("152922", "阿拉善右旗"), ("152923", "额济纳旗")]),
]


ROLES = [
    ("purchaser", "医疗机构采购员", "hospital"),
    ("hospital_admin", "医疗机构管理员", "hospital"),
    ("manufacturer_rep", "生产企业代表", "manufacturer"),
    ("distributor_rep", "配送企业代表", "distributor"),
    ("pricing_official", "价格招采处工作人员", "agency"),
    ("fund_officer", "医保基金经办人员", "agency"),
    ("platform_admin", "平台管理员", "agency"),
]


def load_regions_and_roles(apps, schema_editor):
    """Insert the regions and roles, or bring rows already there up to date (by code): a statement for each league,
    one for its banners and counties (so that the ids follow the list, each league before its own), one for the
    roles."""
    Region = apps.get_model("accounts", "Region")
    Role = apps.get_model("accounts", "Role")
    upsert = {"update_conflicts": True, "unique_fields": ["code"]}
    for order, (code, name, name_mn, children) in enumerate(LEAGUES, start=1):
        (league,) = Region.objects.bulk_create(
            [Region(code=code, name=name, name_mn=name_mn, level="league_city", sort_order=order)],
            update_fields=["name", "name_mn", "level", "sort_order"],
            **upsert,
        )
        Region.objects.bulk_create(
            [
                Region(code=child_code, name=child_name, level="banner_county", parent=league, sort_order=child_order)
                for child_order, (child_code, child_name) in enumerate(children, start=1)
            ],
            update_fields=["name", "level", "parent", "sort_order"],
            **upsert,
        )
    Role.objects.bulk_create(
        [Role(code=code, name=name, org_kind=kind) for code, name, kind in ROLES],
        update_fields=["name", "org_kind"],
        **upsert,
    )


def unload_regions_and_roles(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.all().delete()
    Region = apps.get_model("accounts", "Region")
    Region.objects.filter(level="banner_county").delete()
    Region.objects.all().delete()


SUPERVISOR = ("supervisor", "监督人员", "agency")


def load_supervisor(apps, schema_editor):
    code, name, kind = SUPERVISOR
    apps.get_model("accounts", "Role").objects.update_or_create(code=code, defaults={"name": name, "org_kind": kind})


def unload_supervisor(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code=SUPERVISOR[0]).delete()


PHARMACY_BUYER = ("pharmacy_buyer", "定点零售药店采购员", "pharmacy")


def load_pharmacy_buyer(apps, schema_editor):
    code, name, kind = PHARMACY_BUYER
    apps.get_model("accounts", "Role").objects.update_or_create(code=code, defaults={"name": name, "org_kind": kind})


def unload_pharmacy_buyer(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code=PHARMACY_BUYER[0]).delete()


class Migration(migrations.Migration):

    replaces = [
        ('accounts', '0001_initial'),
        ('accounts', '0002_load_regions_and_roles'),
        ('accounts', '0003_supervisor_role'),
        ('accounts', '0004_pharmacy_kind_and_role'),
    ]

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name='Region',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=6, unique=True, validators=[django.core.validators.RegexValidator('^\\d{6}$', '行政区划代码应为 6 位数字')], verbose_name='行政区划代码')),
                        ('name', models.CharField(max_length=50, verbose_name='名称')),
                        ('name_mn', models.CharField(blank=True, max_length=100, verbose_name='蒙古文名称')),
                        ('level', models.CharField(choices=[('league_city', '盟市'), ('banner_county', '旗县区')], default='league_city', max_length=20, verbose_name='级别')),
                        ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='accounts.region', verbose_name='上级')),
                    ],
                    options={
                        'verbose_name': '统筹区',
                        'verbose_name_plural': '统筹区',
                        'ordering': ['sort_order', 'code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('level', 'league_city'), ('parent__isnull', True)), models.Q(('level', 'banner_county'), ('parent__isnull', False)), _connector='OR'), name='region_level_parent_consistent')],
                        'indexes': [],
                    },
                ),
                migrations.CreateModel(
                    name='Organization',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('hospital', '医疗机构'), ('manufacturer', '生产企业'), ('distributor', '配送企业'), ('agency', '医保部门/采购中心'), ('pharmacy', '定点零售药店')], db_index=True, max_length=20, verbose_name='机构类型')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='机构名称')),
                        ('short_name', models.CharField(blank=True, max_length=50, verbose_name='简称')),
                        ('name_mn', models.CharField(blank=True, max_length=200, verbose_name='蒙古文名称')),
                        ('uscc', models.CharField(blank=True, max_length=18, null=True, unique=True, validators=[accounts.uscc.validate_uscc], verbose_name='统一社会信用代码')),
                        ('hospital_level', models.CharField(blank=True, choices=[('3', '三级'), ('2', '二级'), ('1', '一级'), ('0', '未定级')], max_length=1, verbose_name='医院等级')),
                        ('hospital_type', models.CharField(blank=True, choices=[('general', '综合医院'), ('tcm', '中医医院'), ('mongolian', '蒙医医院'), ('tcm_mongolian', '中蒙医医院'), ('specialty', '专科医院'), ('primary_care', '基层医疗机构')], max_length=20, verbose_name='医院类型')),
                        ('ownership', models.CharField(blank=True, choices=[('public', '公立'), ('private', '民营')], max_length=10, verbose_name='所有制')),
                        ('is_active', models.BooleanField(default=True, verbose_name='有效')),
                        ('contact_person', models.CharField(blank=True, max_length=50, verbose_name='联系人')),
                        ('contact_phone', models.CharField(blank=True, max_length=30, verbose_name='联系电话')),
                        ('address', models.CharField(blank=True, max_length=200, verbose_name='地址')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='organizations', to='accounts.region', verbose_name='所在地区')),
                    ],
                    options={
                        'verbose_name': '机构',
                        'verbose_name_plural': '机构',
                        'ordering': ['kind', 'region__sort_order', 'name'],
                        'indexes': [models.Index(fields=['kind', 'region'], name='accounts_or_kind_980df0_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'hospital'), models.Q(('hospital_level', ''), _negated=True), models.Q(('hospital_type', ''), _negated=True), models.Q(('ownership', ''), _negated=True)), models.Q(models.Q(('kind', 'hospital'), _negated=True), ('hospital_level', ''), ('hospital_type', '')), _connector='OR'), name='organization_hospital_fields'), models.CheckConstraint(condition=models.Q(('kind', 'manufacturer'), models.Q(('uscc__isnull', False), ('region__isnull', False)), _connector='OR'), name='organization_uscc_region_required')],
                    },
                ),
                migrations.CreateModel(
                    name='Role',
                    fields=[
                        ('code', models.CharField(max_length=30, primary_key=True, serialize=False, verbose_name='代码')),
                        ('name', models.CharField(max_length=50, verbose_name='名称')),
                        ('org_kind', models.CharField(choices=[('hospital', '医疗机构'), ('manufacturer', '生产企业'), ('distributor', '配送企业'), ('agency', '医保部门/采购中心'), ('pharmacy', '定点零售药店')], max_length=20, verbose_name='适用机构类型')),
                    ],
                    options={
                        'verbose_name': '角色',
                        'verbose_name_plural': '角色',
                        'ordering': ['org_kind', 'code'],
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='User',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('password', models.CharField(max_length=128, verbose_name='password')),
                        ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                        ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                        ('username', models.CharField(error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, unique=True, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                        ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                        ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                        ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                        ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                        ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                        ('display_name', models.CharField(blank=True, max_length=50, verbose_name='姓名')),
                        ('phone', models.CharField(blank=True, max_length=30, verbose_name='手机')),
                        ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                        ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
                        ('organization', models.ForeignKey(blank=True, help_text='除系统超级用户外，每个用户必须属于一个机构。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='accounts.organization', verbose_name='所属机构')),
                        ('roles', models.ManyToManyField(blank=True, related_name='users', to='accounts.role', verbose_name='角色')),
                    ],
                    options={
                        'verbose_name': '用户',
                        'verbose_name_plural': '用户',
                        'indexes': [],
                        'constraints': [],
                    },
                    managers=[
                        ('objects', django.contrib.auth.models.UserManager()),
                    ],
                ),
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('token_key', models.CharField(db_index=True, max_length=25)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('digest', models.CharField(max_length=128, unique=True)),
                        ('expiry', models.DateTimeField(verbose_name='到期时间')),
                        ('kind', models.CharField(choices=[('sign_in', '登录令牌'), ('integration', '接口令牌')], max_length=20, verbose_name='类型')),
                        ('name', models.CharField(blank=True, max_length=100, verbose_name='名称')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='auth_token_set', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'API 令牌',
                        'verbose_name_plural': 'API 令牌',
                        'indexes': [],
                        'constraints': [],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalOrganization',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('hospital', '医疗机构'), ('manufacturer', '生产企业'), ('distributor', '配送企业'), ('agency', '医保部门/采购中心'), ('pharmacy', '定点零售药店')], db_index=True, max_length=20, verbose_name='机构类型')),
                        ('name', models.CharField(db_index=True, max_length=200, verbose_name='机构名称')),
                        ('short_name', models.CharField(blank=True, max_length=50, verbose_name='简称')),
                        ('name_mn', models.CharField(blank=True, max_length=200, verbose_name='蒙古文名称')),
                        ('uscc', models.CharField(blank=True, db_index=True, max_length=18, null=True, validators=[accounts.uscc.validate_uscc], verbose_name='统一社会信用代码')),
                        ('hospital_level', models.CharField(blank=True, choices=[('3', '三级'), ('2', '二级'), ('1', '一级'), ('0', '未定级')], max_length=1, verbose_name='医院等级')),
                        ('hospital_type', models.CharField(blank=True, choices=[('general', '综合医院'), ('tcm', '中医医院'), ('mongolian', '蒙医医院'), ('tcm_mongolian', '中蒙医医院'), ('specialty', '专科医院'), ('primary_care', '基层医疗机构')], max_length=20, verbose_name='医院类型')),
                        ('ownership', models.CharField(blank=True, choices=[('public', '公立'), ('private', '民营')], max_length=10, verbose_name='所有制')),
                        ('is_active', models.BooleanField(default=True, verbose_name='有效')),
                        ('contact_person', models.CharField(blank=True, max_length=50, verbose_name='联系人')),
                        ('contact_phone', models.CharField(blank=True, max_length=30, verbose_name='联系电话')),
                        ('address', models.CharField(blank=True, max_length=200, verbose_name='地址')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='更新时间')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('region', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.region', verbose_name='所在地区')),
                    ],
                    options={
                        'verbose_name': 'historical 机构',
                        'verbose_name_plural': 'historical 机构',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
        ),
        migrations.RunPython(load_regions_and_roles, unload_regions_and_roles),
        migrations.RunPython(load_supervisor, unload_supervisor),
        migrations.RunPython(load_pharmacy_buyer, unload_pharmacy_buyer),
    ]
