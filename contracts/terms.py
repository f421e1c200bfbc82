"""The contract template: its clauses as sentences, rendered from the content (the page and the PDF show the same
words). The content, not these sentences, is what is digested and signed: rewording the template changes no
signature."""

from __future__ import annotations

from django.utils.translation import gettext as _

from common.dosage_forms import dosage_form_label
from common.markup import format_marked
from common.units import unit_label

from .content import contract_content


def _party(org: dict | None, html: bool) -> str:
    if not org:
        return _("（待医疗机构选择）")
    return format_marked(
        _("%(name)s（统一社会信用代码 %(uscc)s）"),
        {"name": org.get("name", ""), "uscc": org.get("uscc") or "—"},
        names={"name"},
        html=html,
    )


def _subject(contract, body: dict, html: bool) -> str:
    subject = body.get("subject") or {}
    if contract.kind == "commitment":
        return format_marked(
            _("依据%(tender)s（%(code)s）第 %(lot)s 品种中选结果及约定采购量"),
            {
                "tender": subject.get("tender_name", ""),
                "code": subject.get("tender", ""),
                "lot": subject.get("lot", ""),
            },
            names={"tender"},
            html=html,
        )
    return format_marked(
        _("依据挂网产品 %(listing)s 的 %(year)s 年度采购安排"),
        {"listing": subject.get("listing", ""), "year": subject.get("year", "")},
        names={"listing"},
        html=html,
    )


def clauses(contract, body: dict | None = None, html: bool = False) -> list[tuple[str, str]]:
    """(heading, text) of each clause, from the fixed content (or, for a draft, the content as it would be). For a
    page (`html`), the names and typed texts in them are marked as data (common.markup)."""
    if not body:
        body = contract_content(contract)
    product = body["product"]
    delivery = body["delivery_terms"]
    payment = body["payment_terms"]
    fund = payment.get("settlement") == "direct_settlement_by_insurance_fund"
    result = [
        (_("甲方（医疗机构）"), _party(body.get("hospital"), html)),
        (_("乙方（生产企业）"), _party(body.get("manufacturer"), html)),
        (_("丙方（配送企业）"), _party(body.get("distributor"), html)),
        (_("第一条 合同依据"), _subject(contract, body, html)),
        (
            _("第二条 产品"),
            format_marked(
                _("%(g)s %(t)s，%(f)s，%(s)s，包装 %(p)s%(u)s/包装，批准文号 %(a)s，医保代码 %(c)s"),
                {
                    "g": product["generic_name"],
                    "t": product["trade_name"],
                    "f": dosage_form_label(product["dosage_form"]) or product["dosage_form"],
                    "s": product["specification"],
                    "p": product["pack_size"],
                    "u": unit_label(product["min_unit"], product["pack_size"]),
                    "a": product["approval_number"] or "—",
                    "c": product["nhsa_code"],
                },
                names={"g", "t", "s", "a"} | ({"f"} if dosage_form_label(product["dosage_form"]) is None else set()),
                html=html,
            ),
        ),
        (
            _("第三条 数量、价格与金额"),
            _("约定采购量 %(q)s %(u)s，单价 %(p)s 元/%(u)s，合同金额 %(a)s 元（人民币）")
            % {
                "q": body["quantity"],
                "u": unit_label(product["min_unit"], 1),
                "p": body["unit_price"],
                "a": body["amount"],
            },
        ),
        (_("第四条 履行期"), _("%(s)s 至 %(e)s") % {"s": body["period"]["start"], "e": body["period"]["end"]}),
        (
            _("第五条 配送"),
            _("丙方在订单提交后 %(r)s 小时内响应，%(d)s 小时内送达，随货提供发票（两票制）；甲方在平台验收入库。")
            % {"r": delivery["distributor_response_hours"], "d": delivery["delivery_hours"]},
        ),
        (
            _("第六条 结算与付款"),
            (
                _("自验收合格之日起 %(n)s 日内付款，由医保基金与乙方直接结算（医保基金直接结算）。")
                if fund
                else _("自验收合格之日起 %(n)s 日内由甲方付款。")
            )
            % {"n": payment["payment_term_days"]},
        ),
    ]
    amendment = body.get("amendment")
    if amendment:
        result.append(
            (
                _("补充协议"),
                format_marked(
                    _("本版本补充并替代第 %(v)s 版（摘要 %(d)s），变更原因：%(r)s"),
                    {
                        "v": amendment["amends_version"],
                        "d": amendment["amends_digest"][:16] + "…",
                        "r": amendment["reason"],
                    },
                    names={"r"},
                    html=html,
                ),
            )
        )
    result.append((_("第七条 生效"), _("本合同经甲、乙、丙三方在平台以各自密钥签署确认后生效。")))
    return result
