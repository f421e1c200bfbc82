from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS as KNOX_CONSTANTS
from simple_history.models import HistoricalRecords

from .uscc import validate_uscc

division_code_validator = RegexValidator(r"^\d{6}$", "行政区划代码应为 6 位数字")


class Region(models.Model):
    """统筹区 (league/city, the pooling region) and its banners/counties (旗县)."""

    class Level(models.TextChoices):
        LEAGUE_CITY = "league_city", _("盟市")
        BANNER_COUNTY = "banner_county", _("旗县区")

    code = models.CharField("行政区划代码", max_length=6, unique=True, validators=[division_code_validator])
    name = models.CharField("名称", max_length=50)
    name_mn = models.CharField("蒙古文名称", max_length=100, blank=True)
    level = models.CharField("级别", max_length=20, choices=Level.choices, default=Level.LEAGUE_CITY)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "统筹区"
        verbose_name_plural = "统筹区"
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="league_city", parent__isnull=True) | Q(level="banner_county", parent__isnull=False),
                name="region_level_parent_consistent",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def pooling_region(self) -> Region:
        """The league/city whose fund this region belongs to."""
        return self.parent if self.parent_id else self


class Organization(models.Model):
    # what the object's history calls each step (the audit events store the code; common.labels)
    EVENT_LABELS = {
        "deactivated": pgettext_lazy("机构操作", "停用"),
        "reactivated": pgettext_lazy("机构操作", "恢复"),
    }

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("医疗机构")
        MANUFACTURER = "manufacturer", _("生产企业")
        DISTRIBUTOR = "distributor", _("配送企业")
        AGENCY = "agency", _("医保部门/采购中心")
        # 定点零售药店: buys listed products online like a hospital, by default only national negotiated drugs
        # (common.rules.pharmacies(); docs/pharmacies.md)
        PHARMACY = "pharmacy", _("定点零售药店")

    class HospitalLevel(models.TextChoices):
        TERTIARY = "3", _("三级")
        SECONDARY = "2", _("二级")
        PRIMARY = "1", _("一级")
        UNRATED = "0", _("未定级")

    class HospitalType(models.TextChoices):
        GENERAL = "general", _("综合医院")
        TCM = "tcm", _("中医医院")
        MONGOLIAN = "mongolian", _("蒙医医院")
        TCM_MONGOLIAN = "tcm_mongolian", _("中蒙医医院")
        SPECIALTY = "specialty", _("专科医院")
        PRIMARY_CARE = "primary_care", _("基层医疗机构")

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("公立")
        PRIVATE = "private", _("民营")

    kind = models.CharField("机构类型", max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField("机构名称", max_length=200, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    name_mn = models.CharField("蒙古文名称", max_length=200, blank=True)
    # A manufacturer first met in a national catalog file may lack a USCC and a region until it registers;
    # hospitals, distributors and the agency always have both.
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, null=True, blank=True, validators=[validate_uscc]
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="organizations", verbose_name="所在地区"
    )
    hospital_level = models.CharField("医院等级", max_length=1, choices=HospitalLevel.choices, blank=True)
    hospital_type = models.CharField("医院类型", max_length=20, choices=HospitalType.choices, blank=True)
    ownership = models.CharField("所有制", max_length=10, choices=Ownership.choices, blank=True)
    is_active = models.BooleanField("有效", default=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["kind", "region__sort_order", "name"]
        indexes = [models.Index(fields=["kind", "region"])]
        constraints = [
            # Hospitals carry level, type and ownership; other kinds carry none of them.
            models.CheckConstraint(
                condition=(Q(kind="hospital") & ~Q(hospital_level="") & ~Q(hospital_type="") & ~Q(ownership=""))
                | (~Q(kind="hospital") & Q(hospital_level="", hospital_type="")),
                name="organization_hospital_fields",
            ),
            models.CheckConstraint(
                condition=Q(kind="manufacturer") | (Q(uscc__isnull=False) & Q(region__isnull=False)),
                name="organization_uscc_region_required",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_hospital(self) -> bool:
        return self.kind == self.Kind.HOSPITAL

    @property
    def is_pharmacy(self) -> bool:
        return self.kind == self.Kind.PHARMACY

    def clean(self) -> None:
        if self.uscc == "":
            self.uscc = None
        if self.kind != self.Kind.MANUFACTURER:
            errors = {}
            if not self.uscc:
                errors["uscc"] = gettext("统一社会信用代码不能为空")
            if self.region_id is None:
                errors["region"] = gettext("所在地区不能为空")
            if errors:
                raise ValidationError(errors)


class Role(models.Model):
    """A role a user holds inside their organisation. The codes are fixed (see permissions.RoleCode)."""

    code = models.CharField("代码", max_length=30, primary_key=True)
    name = models.CharField("名称", max_length=50)
    org_kind = models.CharField("适用机构类型", max_length=20, choices=Organization.Kind.choices)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["org_kind", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The role's name in the reader's language (the stored name is the Chinese one)."""
        from .permissions import RoleCode  # noqa: PLC0415 - permissions is loaded after the models

        return str(RoleCode(self.code).label) if self.code in RoleCode.values else self.name


class User(AbstractUser):
    # what the object's history calls each step (the audit events store the code; common.labels)
    EVENT_LABELS = {
        "activated": pgettext_lazy("用户操作", "启用"),
        "deactivated": pgettext_lazy("用户操作", "停用"),
    }

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属机构",
        help_text="除系统超级用户外，每个用户必须属于一个机构。",
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name="角色")
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机", max_length=30, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        # Cached per instance: permission checks run many times in one request.
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            if not self.pk:
                cached = frozenset()
            elif "roles" in getattr(self, "_prefetched_objects_cache", {}):  # a list of users prefetched them
                cached = frozenset(role.code for role in self.roles.all())
            else:
                cached = frozenset(self.roles.values_list("code", flat=True))
            self._role_codes = cached
        return cached

    def forget_roles(self) -> None:
        self.__dict__.pop("_role_codes", None)

    def save(self, *args, **kwargs) -> None:
        # A new password ends every API token of the user, whichever way it was set (the admin's form, the
        # changepassword command, a service): a token was granted to whoever knew the old one. Here, not in each
        # path, so that no path can forget it; sessions end the same way (Django's session hash follows the password).
        # `_password` is Django's own mark of a changed password (set by set_password(), read here by Django to tell
        # the password validators); a hash upgrade at sign-in clears it, so a Django upgrade revokes nothing.
        replaced = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if replaced:
            ApiToken.objects.filter(user=self).delete()


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only its SHA-512 digest is stored, the token itself is shown once, when it is
    made. Every token expires. A sign-in token (the token endpoint) lapses after REST_KNOX["TOKEN_TTL"] unused, each
    use extending it, never past REST_KNOX["AUTO_REFRESH_MAX_TTL"] after the sign-in; an integration token (a
    hospital's HIS, a company's ERP) has a name and lives the days chosen when it is made, up to
    API_TOKEN_INTEGRATION_MAX_DAYS. docs/security.md."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("登录令牌")
        INTEGRATION = "integration", _("接口令牌")

    # knox keys the table by the digest; the id named in URLs and lists is random instead, so that no token's id can
    # be guessed from another's.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    digest = models.CharField(max_length=KNOX_CONSTANTS.DIGEST_LENGTH, unique=True)
    expiry = models.DateTimeField("到期时间")  # knox allows a token that never expires; none does here
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=100, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.name or self.get_kind_display()} ({self.token_key[:8]}…)"
