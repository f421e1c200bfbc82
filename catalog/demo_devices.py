"""Demo intraocular lenses (人工晶体) with registration certificates, UDI-DIs and 20/27-character consumable codes.

The consumable tender of the demo (procurement.demo_consumables) bids these. Makers and brands are fictitious; the
shapes are real: 国械注准 + year + class digit 3 + category 16 (眼科器械) + serial, GS1 GTIN-14 with the check
digit computed (prefix 69: GS1 China), one HIBC DI, and one code in the 27-character form with its 7-digit
specification/model part.
"""

from __future__ import annotations

from .udi import gtin_check_digit

IOL_CLASS = "人工晶体类"
IOL_CLASS_CODE = "100201"  # the demo's class code of intraocular lenses (catalog.demo uses the same)
IOL_GENERIC = "人工晶状体"

# maker, trade name, specification, features code, registration serial, GS1 item (or an HIBC DI), model serial
IOLS = [
    ("星海眼科医疗科技有限公司", "星澈", "非球面 疏水性丙烯酸酯 一片式 +20.0D", "11001", "0215", "0000101", ""),
    ("星海眼科医疗科技有限公司", "星澈Pro", "非球面 预装式 疏水性丙烯酸酯 +20.0D", "11002", "0216", "0000102", ""),
    ("苍原医疗器械有限公司", "苍明", "非球面 亲水性丙烯酸酯 一片式 +20.0D", "12001", "0388", "0000201", "0000021"),
    ("白桦医用材料有限公司", "晶桦", "非球面 疏水性丙烯酸酯 三片式 +20.0D", "13001", "0412", "+B517IOL20D0", ""),
    ("银河骨科器械有限公司", "银晶", "球面 PMMA 一片式 +20.0D", "14001", "0457", "0000401", ""),
]


def _udi(item: str, company_code: str) -> str:
    """A GTIN-14 (indicator 0, prefix 69 + the company's code + item) with its check digit, or the HIBC DI as given."""
    if item.startswith("+"):
        return item
    body = f"069{company_code}{item[-5:]}"
    return body + str(gtin_check_digit(body))


def iol_rows(orgs, company_codes: dict[str, str]) -> list[dict]:
    makers = {m.name: m for m in orgs["manufacturers"]}
    rows = []
    for index, (maker_name, trade, spec, features, serial, item, model) in enumerate(IOLS):
        maker = makers.get(maker_name)
        if maker is None:
            continue
        company = company_codes[maker_name]
        rows.append(
            {
                "category": "consumable",
                "nhsa_code": f"C{IOL_CLASS_CODE}003{features}{company}{model}",
                "generic_name": IOL_GENERIC,
                "trade_name": trade,
                "specification": spec,
                "pack_size": 1,
                "min_unit": "片",
                "pack_unit": "盒",
                "manufacturer_id": maker.pk,
                "consumable_class": IOL_CLASS,
                "high_value": True,
                "high_value_class": "iol",
                "approval_number": f"国械注准{2019 + index}316{serial}",
                "udi_di": _udi(item, company),
                "insurance_class": "B",
                "insurance_status": "in",
                "data_source": "演示数据",
            }
        )
    return rows
