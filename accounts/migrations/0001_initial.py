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


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        common.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Region",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "code",
                            models.CharField(
                                max_length=6,
                                unique=True,
                                validators=[
                                    django.core.validators.RegexValidator("^\\d{6}$", "行政区划代码应为 6 位数字")
                                ],
                                verbose_name="行政区划代码",
                            ),
                        ),
                        ("name", models.CharField(max_length=50, verbose_name="名称")),
                        ("name_mn", models.CharField(blank=True, max_length=100, verbose_name="蒙古文名称")),
                        (
                            "level",
                            models.CharField(
                                choices=[("league_city", "盟市"), ("banner_county", "旗县区")],
                                default="league_city",
                                max_length=20,
                                verbose_name="级别",
                            ),
                        ),
                        ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="children",
                                to="accounts.region",
                                verbose_name="上级",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "统筹区",
                        "verbose_name_plural": "统筹区",
                        "ordering": ["sort_order", "code"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("level", "league_city"), ("parent__isnull", True)),
                                    models.Q(("level", "banner_county"), ("parent__isnull", False)),
                                    _connector="OR",
                                ),
                                name="region_level_parent_consistent",
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="Organization",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("hospital", "医疗机构"),
                                    ("manufacturer", "生产企业"),
                                    ("distributor", "配送企业"),
                                    ("agency", "医保部门/采购中心"),
                                ],
                                db_index=True,
                                max_length=20,
                                verbose_name="机构类型",
                            ),
                        ),
                        ("name", models.CharField(max_length=200, unique=True, verbose_name="机构名称")),
                        ("short_name", models.CharField(blank=True, max_length=50, verbose_name="简称")),
                        ("name_mn", models.CharField(blank=True, max_length=200, verbose_name="蒙古文名称")),
                        (
                            "uscc",
                            models.CharField(
                                blank=True,
                                max_length=18,
                                null=True,
                                unique=True,
                                validators=[accounts.uscc.validate_uscc],
                                verbose_name="统一社会信用代码",
                            ),
                        ),
                        (
                            "hospital_level",
                            models.CharField(
                                blank=True,
                                choices=[("3", "三级"), ("2", "二级"), ("1", "一级"), ("0", "未定级")],
                                max_length=1,
                                verbose_name="医院等级",
                            ),
                        ),
                        (
                            "hospital_type",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("general", "综合医院"),
                                    ("tcm", "中医医院"),
                                    ("mongolian", "蒙医医院"),
                                    ("tcm_mongolian", "中蒙医医院"),
                                    ("specialty", "专科医院"),
                                    ("primary_care", "基层医疗机构"),
                                ],
                                max_length=20,
                                verbose_name="医院类型",
                            ),
                        ),
                        (
                            "ownership",
                            models.CharField(
                                blank=True,
                                choices=[("public", "公立"), ("private", "民营")],
                                max_length=10,
                                verbose_name="所有制",
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="有效")),
                        ("contact_person", models.CharField(blank=True, max_length=50, verbose_name="联系人")),
                        ("contact_phone", models.CharField(blank=True, max_length=30, verbose_name="联系电话")),
                        ("address", models.CharField(blank=True, max_length=200, verbose_name="地址")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="organizations",
                                to="accounts.region",
                                verbose_name="所在地区",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "机构",
                        "verbose_name_plural": "机构",
                        "ordering": ["kind", "region__sort_order", "name"],
                        "indexes": [models.Index(fields=["kind", "region"], name="accounts_or_kind_980df0_idx")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("kind", "hospital"),
                                        models.Q(("hospital_level", ""), _negated=True),
                                        models.Q(("hospital_type", ""), _negated=True),
                                        models.Q(("ownership", ""), _negated=True),
                                    ),
                                    models.Q(
                                        models.Q(("kind", "hospital"), _negated=True),
                                        ("hospital_level", ""),
                                        ("hospital_type", ""),
                                    ),
                                    _connector="OR",
                                ),
                                name="organization_hospital_fields",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("kind", "manufacturer"),
                                    models.Q(("uscc__isnull", False), ("region__isnull", False)),
                                    _connector="OR",
                                ),
                                name="organization_uscc_region_required",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Role",
                    fields=[
                        (
                            "code",
                            models.CharField(max_length=30, primary_key=True, serialize=False, verbose_name="代码"),
                        ),
                        ("name", models.CharField(max_length=50, verbose_name="名称")),
                        (
                            "org_kind",
                            models.CharField(
                                choices=[
                                    ("hospital", "医疗机构"),
                                    ("manufacturer", "生产企业"),
                                    ("distributor", "配送企业"),
                                    ("agency", "医保部门/采购中心"),
                                ],
                                max_length=20,
                                verbose_name="适用机构类型",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "角色",
                        "verbose_name_plural": "角色",
                        "ordering": ["org_kind", "code"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="User",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("password", models.CharField(max_length=128, verbose_name="password")),
                        ("last_login", models.DateTimeField(blank=True, null=True, verbose_name="last login")),
                        (
                            "is_superuser",
                            models.BooleanField(
                                default=False,
                                help_text="Designates that this user has all permissions without explicitly assigning them.",
                                verbose_name="superuser status",
                            ),
                        ),
                        (
                            "username",
                            models.CharField(
                                error_messages={"unique": "A user with that username already exists."},
                                help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                                max_length=150,
                                unique=True,
                                validators=[django.contrib.auth.validators.UnicodeUsernameValidator()],
                                verbose_name="username",
                            ),
                        ),
                        ("first_name", models.CharField(blank=True, max_length=150, verbose_name="first name")),
                        ("last_name", models.CharField(blank=True, max_length=150, verbose_name="last name")),
                        ("email", models.EmailField(blank=True, max_length=254, verbose_name="email address")),
                        (
                            "is_staff",
                            models.BooleanField(
                                default=False,
                                help_text="Designates whether the user can log into this admin site.",
                                verbose_name="staff status",
                            ),
                        ),
                        (
                            "is_active",
                            models.BooleanField(
                                default=True,
                                help_text="Designates whether this user should be treated as active. Unselect this instead of deleting accounts.",
                                verbose_name="active",
                            ),
                        ),
                        (
                            "date_joined",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="date joined"),
                        ),
                        ("display_name", models.CharField(blank=True, max_length=50, verbose_name="姓名")),
                        ("phone", models.CharField(blank=True, max_length=30, verbose_name="手机")),
                        (
                            "groups",
                            models.ManyToManyField(
                                blank=True,
                                help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                                related_name="user_set",
                                related_query_name="user",
                                to="auth.group",
                                verbose_name="groups",
                            ),
                        ),
                        (
                            "user_permissions",
                            models.ManyToManyField(
                                blank=True,
                                help_text="Specific permissions for this user.",
                                related_name="user_set",
                                related_query_name="user",
                                to="auth.permission",
                                verbose_name="user permissions",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                help_text="除系统超级用户外，每个用户必须属于一个机构。",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="users",
                                to="accounts.organization",
                                verbose_name="所属机构",
                            ),
                        ),
                        (
                            "roles",
                            models.ManyToManyField(
                                blank=True, related_name="users", to="accounts.role", verbose_name="角色"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "用户",
                        "verbose_name_plural": "用户",
                        "indexes": [],
                        "constraints": [],
                    },
                    managers=[
                        ("objects", django.contrib.auth.models.UserManager()),
                    ],
                ),
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        ("token_key", models.CharField(db_index=True, max_length=25)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("digest", models.CharField(max_length=128, unique=True)),
                        ("expiry", models.DateTimeField(verbose_name="到期时间")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("sign_in", "登录令牌"), ("integration", "接口令牌")],
                                max_length=20,
                                verbose_name="类型",
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=100, verbose_name="名称")),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="auth_token_set",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API 令牌",
                        "verbose_name_plural": "API 令牌",
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalOrganization",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("hospital", "医疗机构"),
                                    ("manufacturer", "生产企业"),
                                    ("distributor", "配送企业"),
                                    ("agency", "医保部门/采购中心"),
                                ],
                                db_index=True,
                                max_length=20,
                                verbose_name="机构类型",
                            ),
                        ),
                        ("name", models.CharField(db_index=True, max_length=200, verbose_name="机构名称")),
                        ("short_name", models.CharField(blank=True, max_length=50, verbose_name="简称")),
                        ("name_mn", models.CharField(blank=True, max_length=200, verbose_name="蒙古文名称")),
                        (
                            "uscc",
                            models.CharField(
                                blank=True,
                                db_index=True,
                                max_length=18,
                                null=True,
                                validators=[accounts.uscc.validate_uscc],
                                verbose_name="统一社会信用代码",
                            ),
                        ),
                        (
                            "hospital_level",
                            models.CharField(
                                blank=True,
                                choices=[("3", "三级"), ("2", "二级"), ("1", "一级"), ("0", "未定级")],
                                max_length=1,
                                verbose_name="医院等级",
                            ),
                        ),
                        (
                            "hospital_type",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("general", "综合医院"),
                                    ("tcm", "中医医院"),
                                    ("mongolian", "蒙医医院"),
                                    ("tcm_mongolian", "中蒙医医院"),
                                    ("specialty", "专科医院"),
                                    ("primary_care", "基层医疗机构"),
                                ],
                                max_length=20,
                                verbose_name="医院类型",
                            ),
                        ),
                        (
                            "ownership",
                            models.CharField(
                                blank=True,
                                choices=[("public", "公立"), ("private", "民营")],
                                max_length=10,
                                verbose_name="所有制",
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="有效")),
                        ("contact_person", models.CharField(blank=True, max_length=50, verbose_name="联系人")),
                        ("contact_phone", models.CharField(blank=True, max_length=30, verbose_name="联系电话")),
                        ("address", models.CharField(blank=True, max_length=200, verbose_name="地址")),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="创建时间")),
                        ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="更新时间")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.region",
                                verbose_name="所在地区",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 机构",
                        "verbose_name_plural": "historical 机构",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
        ),
    ]
