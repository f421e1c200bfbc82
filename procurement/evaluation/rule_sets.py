"""A tender's rule set: the chemical-drug selection rules (``SelectionRules``, the default) or another set named by the
stored rules' ``rule_set`` key (``patent_medicine``: ``PatentMedicineRules``). One place reads stored rules and runs
the evaluation of the set they name, so the services never branch on the kind of round."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext, gettext_noop

from ._values import _fmt_plain
from .inputs import BidInput, LotEvaluation, LotInput
from .patent_medicine import PATENT_MEDICINE, PatentMedicineRules, evaluate_patent_tender
from .rules import SelectionRules
from .selection import evaluate_tender

CHEMICAL = "chemical"
RULE_SET_KEY = "rule_set"
RULE_SETS = {CHEMICAL: SelectionRules, PATENT_MEDICINE: PatentMedicineRules}
#: The names of the rule sets, for people.
RULE_SET_NAMES = {
    CHEMICAL: gettext_noop("化学药品规则（国家组织集采：1.8 倍、0.10 元、差比价）"),
    PATENT_MEDICINE: gettext_noop("中成药（蒙成药）降幅规则"),
}

AnyRules = SelectionRules | PatentMedicineRules


def rule_set_of(data: Mapping[str, Any] | None) -> str:
    return (data or {}).get(RULE_SET_KEY) or CHEMICAL


def rules_from_dict(data: Mapping[str, Any] | None) -> AnyRules:
    """The rules stored with a tender or an evaluation run, of the set they name (chemical when none)."""
    data = dict(data or {})
    name = rule_set_of(data)
    if name not in RULE_SETS:
        raise ValueError(gettext("未知的规则集：%(name)s") % {"name": name})
    if name == CHEMICAL:
        data.pop(RULE_SET_KEY, None)
    return RULE_SETS[name].from_dict(data)


def evaluate_by_rules(
    lots: Iterable[LotInput], bids_by_lot: Mapping[int, Sequence[BidInput]], rules: AnyRules
) -> dict[int, LotEvaluation]:
    if isinstance(rules, PatentMedicineRules):
        return evaluate_patent_tender(lots, bids_by_lot, rules)
    return evaluate_tender(lots, bids_by_lot, rules)


def describe_rules(data: Mapping[str, Any] | None) -> dict:
    """The rule set's name and its numbers as lines for people (the bidder's result page, the API), in the reader's
    language."""
    rules = rules_from_dict(data)
    if isinstance(rules, PatentMedicineRules):
        lines = [
            gettext("降幅（相对最高有效申报价）不低于 %(reduction)s%% 入围")
            % {"reduction": _fmt_plain(rules.min_reduction * 100)},
            gettext("或降幅不低于本品种有效报价的平均降幅") if rules.at_least_average_reduction else "",
            gettext("中选企业数不超过有效申报企业数的 %(share)s%%（向上取整），最多 %(cap)s 家")
            % {"share": _fmt_plain(rules.winner_share * 100), "cap": rules.max_winners_cap},
            gettext("不适用差比价、0.10 元与“入围最高价不中选”规则"),
        ]
        name = PATENT_MEDICINE
    else:
        lines = [
            gettext("单位可比价不高于最低有效单位可比价的 %(ratio)s 倍") % {"ratio": _fmt_plain(rules.ratio_to_lowest)},
            gettext("或低于最高有效申报价 %(discount)s%% 以上")
            % {"discount": _fmt_plain(rules.discount_from_max * 100)},
            gettext("或不高于 %(floor)s 元（每最小制剂单位）") % {"floor": _fmt_plain(rules.floor_price)},
            gettext("入围报价中的最高价不予中选") if rules.exclude_highest else "",
            gettext("每个品种最多中选 %(cap)s 家；单位可比价按差比价规则换算至参比规格")
            % {"cap": rules.max_winners_cap},
        ]
        name = CHEMICAL
    return {
        "rule_set": name,
        "name": gettext(RULE_SET_NAMES[name]),
        "lines": [line for line in lines if line],
        "rules": rules.to_dict(),
    }
