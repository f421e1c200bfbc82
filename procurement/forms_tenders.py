"""Forms of the tender pages. They only parse; the rules (and their errors) are the tender services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.identity import product_choices
from common import forms as strict

from .evaluation import CHEMICAL, PATENT_MEDICINE, PatentMedicineRules, default_rules, rule_set_of
from .models import Lot, Tender

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
D = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TenderForm(forms.Form):
    code = strict.CharField(label=_("批次编号"), max_length=40)
    name = strict.CharField(label=_("批次名称"), max_length=200)
    level = forms.ChoiceField(label=_("采购层级"), choices=Tender.Level.choices, initial=Tender.Level.REGIONAL)
    kind = forms.ChoiceField(label=_("采购类别"), choices=Tender.Kind.choices, initial=Tender.Kind.DRUGS)
    demand_start = forms.DateTimeField(label=_("报量开始"), widget=DT)
    demand_end = forms.DateTimeField(label=_("报量截止"), widget=DT)
    bid_deadline = forms.DateTimeField(label=_("申报截止"), widget=DT)
    opening_at = forms.DateTimeField(label=_("开标时间"), widget=DT)
    cycle_start = forms.DateField(label=_("采购周期开始"), widget=D)
    cycle_end = forms.DateField(label=_("采购周期结束"), widget=D)


class RulesForm(forms.Form):
    """The rule set and the numbers of the selection rules officials usually change; the tables keep their defaults
    unless set by API. Initial values are the platform's defaults at the time the form is shown (common.rules)."""

    CHEMICAL_KEYS = ("ratio_to_lowest", "discount_from_max", "floor_price", "max_winners_cap", "exclude_highest")
    PATENT_KEYS = ("min_reduction", "winner_share", "max_winners_cap")

    rule_set = forms.ChoiceField(
        label=_("规则集"),
        choices=[
            (CHEMICAL, _("化学药品规则（1.8 倍、0.10 元、差比价）")),
            (PATENT_MEDICINE, _("中成药（蒙成药）降幅规则")),
        ],
        initial=CHEMICAL,
        required=False,
    )
    ratio_to_lowest = strict.NumberTextField(
        label=_("最低价倍数（入围）"), initial=lambda: str(default_rules().ratio_to_lowest)
    )
    discount_from_max = strict.NumberTextField(
        label=_("低于最高有效申报价的幅度"), initial=lambda: str(default_rules().discount_from_max)
    )
    floor_price = strict.NumberTextField(
        label=_("单位可比价入围下限（元）"), initial=lambda: str(default_rules().floor_price)
    )
    max_winners_cap = strict.IntegerField(
        label=_("每个品种最多中选企业数"), min_value=1, initial=lambda: default_rules().max_winners_cap
    )
    exclude_highest = forms.BooleanField(label=_("入围报价中的最高价不予中选"), required=False, initial=True)
    min_reduction = strict.NumberTextField(
        label=_("中成药：基准降幅（入围）"), required=False, initial=lambda: str(PatentMedicineRules().min_reduction)
    )
    winner_share = strict.NumberTextField(
        label=_("中成药：中选企业占有效企业的比例"),
        required=False,
        initial=lambda: str(PatentMedicineRules().winner_share),
    )

    def rules(self, base: dict | None = None) -> dict:
        """The tender's stored rules with the form's numbers of the chosen rule set (the other set's keys dropped)."""
        chosen = self.cleaned_data.get("rule_set") or CHEMICAL
        keys = self.PATENT_KEYS if chosen == PATENT_MEDICINE else self.CHEMICAL_KEYS
        data = {k: v for k, v in (base or {}).items() if rule_set_of(base) == chosen and k != "rule_set"}
        data.update({k: self.cleaned_data[k] for k in keys if self.cleaned_data.get(k) not in (None, "")})
        if chosen == PATENT_MEDICINE:
            data["rule_set"] = PATENT_MEDICINE
        return data


class LotForm(forms.Form):
    number = strict.CharField(label=_("品种编号"), max_length=20)
    generic_name = strict.CharField(label=_("通用名/耗材类别"), max_length=200)
    dosage_form_group = strict.CharField(label=_("剂型组"), max_length=100, required=False)
    dosage_forms = strict.CharField(
        label=_("包含剂型"), max_length=300, required=False, help_text=_("以顿号或逗号分隔，如：片剂、薄膜衣片")
    )
    reference_specification = strict.CharField(label=_("参比规格"), max_length=100, required=False)
    max_price = strict.NumberTextField(label=_("最高有效申报价"), max_length=30)
    quality_requirement = forms.ChoiceField(label=_("质量要求"), choices=Lot.Quality.choices, required=False)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        raw = data.pop("dosage_forms") or ""
        data["dosage_forms"] = [p.strip() for p in raw.replace("，", "、").replace(",", "、").split("、") if p.strip()]
        return data


LotFormSet = forms.formset_factory(LotForm, extra=3, min_num=0)


class ReasonForm(forms.Form):
    reason = strict.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class EvaluateForm(forms.Form):
    rerun_reason = strict.CharField(label=_("重新评审原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BidForm(forms.Form):
    """A bid on one lot: one of the manufacturer's own products of the lot, a price and a supply capacity."""

    product = forms.TypedChoiceField(label=_("申报产品"), coerce=int)
    price = strict.NumberTextField(label=_("申报单价（元/最小制剂单位）"), max_length=30)
    supply_capacity = strict.NumberTextField(label=_("供应能力（最小制剂单位）"), max_length=20)
    # The confirmation before a bid is sent (works without JavaScript: the browser and the server both require it).
    confirm = forms.BooleanField(
        label=_("我已核对申报产品、报价和供应能力，确认提交；提交后报价加密封存，开标前任何人都无法查看"),
        error_messages={"required": _("请勾选确认后再提交申报")},
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        # the manufacturer's own products: the maker goes without saying, the pack, the strength and its code do not
        self.fields["product"].choices = product_choices(products, maker=False, code=True)


class WithdrawForm(forms.Form):
    """The confirmation before a live bid is withdrawn."""

    confirm = forms.BooleanField(
        label=_("确认撤回该申报（撤回后本品种不再有本企业的有效申报，截止前可重新申报）"),
        error_messages={"required": _("请勾选确认后再撤回申报")},
    )


class VerifyForm(forms.Form):
    """Verify a bid from what its bidder kept: the receipt file, its text pasted, or the bid's price and nonce."""

    receipt_file = forms.FileField(label=_("申报回执文件（.json）"), required=False)
    receipt = forms.CharField(label=_("或粘贴回执内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    bid = forms.TypedChoiceField(
        label=_("或选择申报"), coerce=int, required=False, empty_value=None, widget=strict.NamedSelect
    )
    price = forms.CharField(label=_("申报单价（与申报时的写法一致）"), max_length=30, required=False)
    nonce = forms.CharField(label=_("随机数（回执中的 nonce）"), max_length=64, required=False)

    def __init__(self, *args, bids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bid"].choices = [("", "—")] + [
            (b.pk, f"{b.lot.number} {b.lot.generic_name} · {b.product.nhsa_code}") for b in bids
        ]


class DemandForm(forms.Form):
    annual_volume = strict.NumberTextField(label=_("年度需求量"), max_length=20)
    named_product = forms.TypedChoiceField(label=_("指定产品（可选）"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_product"].choices = [("", _("不指定")), *product_choices(products)]


class DemandImportForm(forms.Form):
    file = forms.FileField(label=_("文件"), help_text=_("Excel 工作簿（.xlsx）或 UTF-8 编码的 CSV"))
    dry_run = forms.BooleanField(label=_("仅校验，不写入"), required=False)


class ResultsImportForm(forms.Form):
    code = strict.CharField(label=_("批次编号"), max_length=40, help_text=_("平台上的批次编号"))
    name = strict.CharField(label=_("批次名称"), max_length=200)
    level = forms.ChoiceField(
        label=_("采购层级"),
        choices=[
            (Tender.Level.NATIONAL, Tender.Level.NATIONAL.label),
            (Tender.Level.ALLIANCE, Tender.Level.ALLIANCE.label),
        ],
    )
    cycle_start = forms.DateField(label=_("采购周期开始"), widget=D)
    cycle_end = forms.DateField(label=_("采购周期结束"), widget=D)
    lots_file = forms.FileField(label=_("采购品种目录"), help_text=_("Excel 工作簿（.xlsx）或 UTF-8 编码的 CSV"))
    file = forms.FileField(label=_("中选结果表"), help_text=_("Excel 工作簿（.xlsx）或 UTF-8 编码的 CSV"))
    dry_run = forms.BooleanField(label=_("仅校验，不写入"), required=False)


class FollowOnForm(forms.Form):
    code = strict.CharField(label=_("批次编号"), max_length=40)
    name = strict.CharField(label=_("批次名称"), max_length=200)
    demand_start = forms.DateTimeField(label=_("报量开始"), widget=DT)
    demand_end = forms.DateTimeField(label=_("报量截止"), widget=DT)
    bid_deadline = forms.DateTimeField(label=_("申报截止"), widget=DT)
    opening_at = forms.DateTimeField(label=_("开标时间"), widget=DT)
    cycle_start = forms.DateField(label=_("采购周期开始"), widget=D)
    cycle_end = forms.DateField(label=_("采购周期结束"), widget=D)
    cap = forms.ChoiceField(
        label=_("限价规则"),
        choices=[
            ("highest_awarded", _("不高于原最高中选价（默认）")),
            ("lowest_awarded", _("不高于原最低中选价")),
            ("max_price", _("原最高有效申报价")),
        ],
        initial="highest_awarded",
    )
    cap_factor = strict.CharField(label=_("限价系数"), max_length=10, required=False, help_text=_("留空为 1"))
    own_cap = forms.BooleanField(label=_("原中选企业不得高于其原中选价"), required=False, initial=True)
