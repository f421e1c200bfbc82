"""Import/export of organisations (Excel or CSV) with Chinese column headers.

Every row is validated in full (USCC check character, region code, hospital fields); one bad row and
the whole file is rejected, with the row and field named.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext
from import_export import fields, resources, widgets

from common.text import text_error

from .models import Organization, Region
from .uscc import uscc_problem


class ChoiceLabelWidget(widgets.Widget):
    """Accepts a choice's code or its label (Chinese, or the user's language); exports the Chinese label."""

    def __init__(self, choices, label: str, *, required: bool = False):
        super().__init__()
        self.choices = list(choices)
        self.label = label
        self.required = required

    def _labels(self) -> dict[str, str]:
        result = {str(text): code for code, text in self.choices}
        with translation.override("zh-hans"):
            result.update({str(text): code for code, text in self.choices})
        return result

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            if self.required:
                raise ValueError(gettext("%(label)s不能为空") % {"label": self.label})
            return ""
        codes = {str(code): code for code, _ in self.choices}
        if text in codes:
            return codes[text]
        labels = self._labels()
        if text in labels:
            return labels[text]
        with translation.override("zh-hans"):
            allowed = "、".join(str(t) for _, t in self.choices)
        raise ValueError(
            gettext("%(label)s“%(text)s”无效，可选：%(allowed)s")
            % {"label": self.label, "text": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        with translation.override("zh-hans"):
            return str(dict(self.choices).get(value, value or ""))


class RegionCodeWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Region, field="code")

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if text.endswith(".0"):  # Excel stores codes typed as numbers as floats
            text = text[:-2]
        if not text:
            raise ValueError(gettext("所在地区代码不能为空"))
        region = Region.objects.filter(code=text).first()
        if region is None:
            raise ValueError(gettext("未知的行政区划代码“%(text)s”") % {"text": text})
        return region


class BooleanLabelWidget(widgets.BooleanWidget):
    TRUE_VALUES = ["1", 1, True, "true", "TRUE", "True", "是", "有效", "Y"]
    FALSE_VALUES = ["0", 0, False, "false", "FALSE", "False", "否", "停用", "N"]

    def clean(self, value, row=None, **kwargs):
        if value in ("", None):
            return True
        if value in self.TRUE_VALUES:
            return True
        if value in self.FALSE_VALUES:
            return False
        raise ValueError(gettext("“%(value)s”不是有效的是/否值") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class TextWidget(widgets.CharWidget):
    """A name or other text cell, checked by common.text (control and bidirectional control characters refused;
    Mongolian's selectors and joiners kept)."""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row=row, **kwargs)
        if text and (problem := text_error(str(text))):
            raise ValueError(problem)
        return text


class UsccWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value)
        problem = uscc_problem(text)
        if problem:
            raise ValueError(problem)
        return text


class OrganizationResource(resources.ModelResource):
    name = fields.Field("name", column_name="机构名称", widget=TextWidget())
    kind = fields.Field(
        "kind", column_name="机构类型", widget=ChoiceLabelWidget(Organization.Kind.choices, "机构类型", required=True)
    )
    uscc = fields.Field("uscc", column_name="统一社会信用代码", widget=UsccWidget())
    region = fields.Field("region", column_name="所在地区代码", widget=RegionCodeWidget())
    short_name = fields.Field("short_name", column_name="简称", widget=TextWidget())
    hospital_level = fields.Field(
        "hospital_level",
        column_name="医院等级",
        widget=ChoiceLabelWidget(Organization.HospitalLevel.choices, "医院等级"),
    )
    hospital_type = fields.Field(
        "hospital_type", column_name="医院类型", widget=ChoiceLabelWidget(Organization.HospitalType.choices, "医院类型")
    )
    ownership = fields.Field(
        "ownership", column_name="所有制", widget=ChoiceLabelWidget(Organization.Ownership.choices, "所有制")
    )
    is_active = fields.Field("is_active", column_name="有效", widget=BooleanLabelWidget())
    contact_person = fields.Field("contact_person", column_name="联系人", widget=TextWidget())
    contact_phone = fields.Field("contact_phone", column_name="联系电话", widget=TextWidget())
    address = fields.Field("address", column_name="地址", widget=TextWidget())

    REQUIRED_HEADERS = ["机构名称", "机构类型", "统一社会信用代码", "所在地区代码"]

    class Meta:
        model = Organization
        import_id_fields = ["uscc"]
        fields = [
            "name",
            "kind",
            "uscc",
            "region",
            "short_name",
            "hospital_level",
            "hospital_type",
            "ownership",
            "is_active",
            "contact_person",
            "contact_phone",
            "address",
        ]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def column_label(self, field_name: str) -> str:
        f = self.fields.get(field_name)
        return f.column_name if f else field_name

    def before_save_instance(self, instance, row, **kwargs):
        if instance.kind != Organization.Kind.HOSPITAL:
            instance.hospital_level = ""
            instance.hospital_type = ""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = {k: list(v) for k, v in (import_validation_errors or {}).items()}
        if instance.kind == Organization.Kind.HOSPITAL:
            for field_name in ("hospital_level", "hospital_type", "ownership"):
                if not getattr(instance, field_name):
                    errors.setdefault(field_name, []).append(gettext("医疗机构必须填写此项"))
        else:
            instance.hospital_level = ""
            instance.hospital_type = ""
        if instance.pk and Organization.objects.filter(pk=instance.pk).exclude(is_active=instance.is_active).exists():
            # Deactivation has consequences and an audit row with its reason: it is done one organisation at a time.
            errors.setdefault("is_active", []).append(
                gettext("导入不能停用或恢复已有机构，请在机构页面逐个操作并填写原因")
            )
        super().validate_instance(instance, errors, validate_unique)
