"""Demo catalog: ~350 products across every category, made by the demo manufacturers (names fictitious).

Codes follow the national shapes (catalog.codes) with each demo manufacturer's own 5-digit company code, so
the data passes the same rules as an imported NHSA workbook. Running it again changes nothing.
"""

from __future__ import annotations

from datetime import date

from accounts.demo import MANUFACTURERS, demo_organizations
from common.demo import DemoContext

from .codes import standard_code_check_digit
from .demo_devices import iol_rows
from .models import Product
from .rules import clean_product_fields
from .services import product_create

# generic name, dosage form, dosage-form group, class, generic code, min unit, pack unit, strengths, 甲乙, 过评, 短缺
CHEMICAL = [
    ("阿司匹林肠溶片", "肠溶片", "AB", "B01AC", "A014", "片", "盒", ["25mg", "100mg"], "A", True, False),
    ("阿托伐他汀钙片", "片剂", "A0", "C10AA", "A128", "片", "盒", ["10mg", "20mg"], "B", True, False),
    ("瑞舒伐他汀钙片", "片剂", "A0", "C10AA", "R055", "片", "盒", ["5mg", "10mg"], "B", True, False),
    ("苯磺酸氨氯地平片", "片剂", "A0", "C08CA", "A163", "片", "盒", ["5mg"], "A", True, False),
    ("硝苯地平控释片", "控释片", "AC", "C08CA", "X037", "片", "盒", ["30mg"], "B", True, False),
    ("厄贝沙坦片", "片剂", "A0", "C09CA", "E016", "片", "盒", ["75mg", "150mg"], "B", True, False),
    ("盐酸二甲双胍片", "片剂", "A0", "A10BA", "E032", "片", "盒", ["0.25g", "0.5g"], "A", True, False),
    ("格列美脲片", "片剂", "A0", "A10BB", "G024", "片", "盒", ["1mg", "2mg"], "B", True, False),
    ("头孢呋辛酯片", "片剂", "A0", "J01DC", "T061", "片", "盒", ["0.25g"], "A", True, False),
    ("阿莫西林胶囊", "胶囊剂", "C0", "J01CA", "A071", "粒", "盒", ["0.25g", "0.5g"], "A", True, False),
    ("左氧氟沙星片", "片剂", "A0", "J01MA", "Z011", "片", "盒", ["0.5g"], "A", True, False),
    ("奥美拉唑肠溶胶囊", "肠溶胶囊", "CB", "A02BC", "A085", "粒", "盒", ["20mg"], "A", True, False),
    ("雷贝拉唑钠肠溶片", "肠溶片", "AB", "A02BC", "L031", "片", "盒", ["10mg", "20mg"], "B", True, False),
    ("氯吡格雷片", "片剂", "A0", "B01AC", "L102", "片", "盒", ["75mg"], "B", True, False),
    ("孟鲁司特钠片", "片剂", "A0", "R03DC", "M064", "片", "盒", ["10mg"], "B", True, False),
    ("氯沙坦钾片", "片剂", "A0", "C09CA", "L084", "片", "盒", ["50mg", "100mg"], "B", True, False),
    ("恩替卡韦片", "片剂", "A0", "J05AF", "E054", "片", "盒", ["0.5mg"], "B", True, False),
    ("硝酸甘油片", "舌下片", "AD", "C01DA", "X012", "片", "瓶", ["0.5mg"], "A", False, True),
    ("注射用青霉素钠", "注射用无菌粉末", "F0", "J01CE", "Q007", "支", "盒", ["80万单位"], "A", False, True),
    ("重酒石酸去甲肾上腺素注射液", "注射液", "B0", "C01CA", "Q021", "支", "盒", ["2mg"], "A", False, True),
    ("地喹氯铵含片", "含片", "A0", "A01AB", "D075", "片", "盒", ["0.25mg"], "B", False, False),
    ("盐酸氨溴索片", "片剂", "A0", "R05CB", "A097", "片", "盒", ["30mg"], "B", True, False),
]
BIOLOGICAL = [
    ("人胰岛素注射液", "注射液", "B0", "A10AB", "Y012", "支", "盒", ["3ml:300单位"], "A"),
    ("甘精胰岛素注射液", "注射液", "B0", "A10AE", "G081", "支", "盒", ["3ml:300单位"], "B"),
    ("重组人干扰素α2b注射液", "注射液", "B0", "L03AB", "C063", "支", "盒", ["300万IU"], "B"),
    ("人血白蛋白", "注射液", "B0", "B05AA", "R041", "瓶", "瓶", ["10g(20%,50ml)"], "B"),
]
CHINESE_PATENT = [
    ("复方丹参片", "片剂", "A04BA", "L014", "片", "瓶", ["0.32g"], "A"),
    ("连花清瘟胶囊", "胶囊剂", "A01BA", "L093", "粒", "盒", ["0.35g"], "A"),
    ("六味地黄丸", "浓缩丸", "A12AB", "L027", "丸", "瓶", ["每8丸相当于饮片3g"], "A"),
    ("安宫牛黄丸", "大蜜丸", "A09AA", "A003", "丸", "盒", ["3g"], "A"),
    ("银杏叶片", "片剂", "A04DA", "Y058", "片", "盒", ["19.2mg"], "B"),
    ("血塞通胶囊", "胶囊剂", "A04EA", "X112", "粒", "盒", ["50mg"], "B"),
    ("感冒清热颗粒", "颗粒剂", "A01AA", "G015", "袋", "盒", ["12g"], "A"),
    ("板蓝根颗粒", "颗粒剂", "A01BA", "B009", "袋", "包", ["10g"], "A"),
    ("重楼解毒酊", "酊剂", "A14AC", "C077", "瓶", "盒", ["15ml"], "B"),
]
TCM_PIECES = [
    "黄芪",
    "当归",
    "重楼",
    "甘草",
    "党参",
    "白术",
    "茯苓",
    "川芎",
    "白芍",
    "熟地黄",
    "枸杞子",
    "菊花",
    "金银花",
    "连翘",
    "黄芩",
    "黄连",
    "柴胡",
    "陈皮",
    "法半夏",
    "丹参",
    "三七粉",
    "苍术",
    "莪术",
    "厚朴",
]
# 蒙成药: Chinese name, Mongolian name (traditional script), dosage form, min unit, pack unit, spec
MONGOLIAN_PATENT = [
    ("扎冲十三味丸", "ᠵᠠᠭᠤᠨ ᠠᠷᠪᠠᠨ ᠭᠤᠷᠪᠠ", "丸剂", "丸", "袋", "2g"),
    ("那如三味丸", "ᠨᠠᠷᠤ ᠭᠤᠷᠪᠠ", "丸剂", "丸", "袋", "1.5g"),
    ("阿拉坦五味丸", "ᠠᠯᠲᠠᠨ ᠲᠠᠪᠤ", "丸剂", "丸", "袋", "2g"),
    ("如意珍宝丸", "ᠡᠷᠳᠡᠨᠢ ᠣᠯᠵᠠᠢ", "丸剂", "丸", "瓶", "0.5g"),
    ("珍宝丸", "ᠡᠷᠳᠡᠨᠢ", "丸剂", "丸", "袋", "2g"),
    ("清心沉香八味散", "ᠠᠭᠠᠷ ᠨᠠᠢᠮᠠ", "散剂", "袋", "盒", "15g"),
    ("森登四味汤散", "ᠰᠡᠨᠳᠡᠩ ᠳᠥᠷᠪᠡ ᠲᠠᠩ", "散剂", "袋", "盒", "15g"),
    ("额尔敦-乌日勒", "ᠡᠷᠳᠡᠨᠢ ᠦᠷᠢᠯ", "丸剂", "丸", "瓶", "0.2g"),
    ("苏格木勒-3汤", "ᠰᠦᠭᠮᠡᠯ ᠭᠤᠷᠪᠠ ᠲᠠᠩ", "散剂", "袋", "盒", "3g"),
    ("肉蔻五味丸", "ᠵᠠᠳᠢ ᠲᠠᠪᠤ", "丸剂", "丸", "袋", "2g"),
    ("暖宫七味丸", "ᠰᠤᠮᠠ ᠳᠣᠯᠣᠭ᠎ᠠ", "丸剂", "丸", "袋", "2g"),
    ("哈敦海鲁木勒-9", "ᠬᠠᠲᠤᠨ ᠬᠠᠢᠯᠤᠮᠠᠯ ᠶᠢᠰᠦ", "丸剂", "丸", "袋", "2g"),
    ("吉祥安坤丸", "ᠪᠠᠶᠠᠨ ᠠᠮᠤᠭᠤᠯᠠᠩ", "丸剂", "丸", "袋", "2g"),
    ("风湿二十五味丸", "ᠬᠤᠷᠢᠨ ᠲᠠᠪᠤ", "丸剂", "丸", "袋", "2g"),
    ("顺气安神丸", "ᠬᠡᠢ ᠳᠠᠷᠤᠬᠤ", "丸剂", "丸", "袋", "2g"),
    ("益肾十七味丸", "ᠪᠦᠭᠡᠷ ᠠᠷᠪᠠᠨ ᠳᠣᠯᠣᠭ᠎ᠠ", "丸剂", "丸", "袋", "2g"),
    ("调元大补二十五味汤散", "ᠬᠣᠷᠢᠨ ᠲᠠᠪᠤ ᠲᠠᠩ", "散剂", "袋", "盒", "15g"),
    ("巴特日七味丸", "ᠪᠠᠭᠠᠲᠤᠷ ᠳᠣᠯᠣᠭ᠎ᠠ", "丸剂", "丸", "袋", "2g"),
]
# 蒙药饮片: Chinese name, Mongolian name
MONGOLIAN_PIECES = [
    ("诃子", "ᠠᠷᠤᠷᠠ"),
    ("沉香", "ᠠᠭᠠᠷ"),
    ("草乌叶", "ᠪᠣᠷᠤ ᠨᠠᠪᠴᠢ"),
    ("肉豆蔻", "ᠵᠠᠳᠢ"),
    ("木香", "ᠷᠤᠰᠲᠠ"),
    ("广枣", "ᠵᠢᠷᠦᠬᠡᠨ ᠰᠢᠮᠡ"),
    ("土木香", "ᠮᠠᠨᠠ"),
    ("紫檀香", "ᠵᠠᠨᠳᠠᠨ"),
    ("石榴", "ᠠᠨᠠᠷ"),
    ("红花", "ᠭᠦᠷᠭᠦᠮ"),
    ("丁香", "ᠯᠢᠰ"),
    ("荜茇", "ᠫᠢᠫᠢᠯᠢᠩ"),
    ("苦参", "ᠬᠤᠷᠤᠭᠤ ᠪᠠᠭᠠᠷ"),
    ("地格达", "ᠳᠢᠭᠳᠠ"),
    ("文冠木", "ᠰᠡᠩᠳᠡᠩ"),
    ("蓝刺头", "ᠲᠠᠲᠠᠷᠠ"),
]
# 医院制剂 of the demo Mongolian-medicine hospitals: name, Mongolian name (or ""), form, unit, pack, spec
PREPARATIONS = [
    ("蒙医消炎止痛散", "ᠬᠠᠯᠠᠭᠤᠨ ᠪᠠᠭᠠᠰᠬᠠᠬᠤ ᠰᠠᠩ", "散剂", "袋", "盒", "5g", True),
    ("蒙医健胃丸", "ᠬᠣᠳᠤᠭᠠᠳᠤ ᠦᠷᠢᠯ", "丸剂", "丸", "瓶", "0.5g", True),
    ("蒙医风湿外敷散", "ᠬᠡᠶᠢ ᠰᠠᠩ", "散剂", "袋", "盒", "30g", True),
    ("复方黄芪合剂", "", "合剂", "瓶", "盒", "100ml", False),
    ("清热解毒口服液", "", "口服溶液剂", "支", "盒", "10ml", False),
    ("蒙医安神散", "ᠰᠡᠳᠬᠢᠯ ᠲᠣᠭᠲᠠᠭᠠᠬᠤ ᠰᠠᠩ", "散剂", "袋", "盒", "3g", True),
]
# consumables: name, class, high-value class or "", spec, unit, pack, class code (6 digits)
CONSUMABLES = [
    ("冠脉药物洗脱支架", "血管介入类", "vascular", "2.5×18mm", "个", "盒", "020101"),
    ("冠脉球囊扩张导管", "血管介入类", "vascular", "2.0×15mm", "根", "盒", "020102"),
    ("人工晶体（非球面）", "眼科材料", "iol", "+20.0D", "片", "盒", "100201"),
    ("髋关节假体", "骨科关节类", "ortho_joint", "陶瓷-聚乙烯 标准型", "套", "盒", "030101"),
    ("膝关节假体", "骨科关节类", "ortho_joint", "后稳定型 中号", "套", "盒", "030102"),
    ("椎间融合器", "骨科脊柱类", "ortho_spine", "PEEK 10mm", "个", "盒", "030201"),
    ("植入式心脏起搏器", "起搏器类", "pacemaker", "双腔", "台", "盒", "070101"),
    ("一次性使用输液器", "输注器械", "", "带针 0.7mm", "支", "包", "140101"),
    ("一次性使用无菌注射器", "注射穿刺器械", "", "5ml", "支", "包", "140201"),
    ("医用外科口罩", "防护用品", "", "17.5×9.5cm", "只", "盒", "140601"),
    ("医用脱脂纱布块", "敷料", "", "8×10cm-8P", "块", "包", "140501"),
    ("一次性使用导尿包", "护理用品", "", "F16", "套", "箱", "140701"),
]

PACKS = [(12, 2), (24, 1), (36, 3), (48, 4), (7, 5), (28, 6), (10, 7), (30, 8)]


def company_codes() -> dict[str, str]:
    """A stable 5-digit company code per demo manufacturer (the last five of its national codes)."""
    return {name: f"{9100 + index * 7:05d}" for index, (name, _, _) in enumerate(MANUFACTURERS)}


def standard_code(company: str, serial: int) -> str:
    first13 = f"869{company}{serial:05d}"
    return first13 + str(standard_code_check_digit(first13))


def _approval(letter: str, seq: int) -> str:
    return f"国药准字{letter}{20150000 + seq:08d}"


def _drug_rows(orgs) -> list[dict]:
    codes = company_codes()
    device_words = ("器械", "材料", "医疗", "饮片")
    chemical_makers = [
        m
        for m in orgs["manufacturers"]
        if m not in orgs["mongolian_manufacturers"] and not any(w in m.name for w in device_words)
    ]
    mongolian_makers = orgs["mongolian_manufacturers"]
    rows: list[dict] = []
    seq = 0
    for g_index, (name, form, group, klass, gcode, unit, pack, strengths, ins, evaluated, shortage) in enumerate(
        CHEMICAL
    ):
        makers = [chemical_makers[(g_index + k * 3) % len(chemical_makers)] for k in range(3 if g_index % 3 else 4)]
        for s_index, strength in enumerate(strengths):
            for m_index, maker in enumerate(makers):
                for pack_size, pack_no in PACKS[(g_index + m_index) % 4 : (g_index + m_index) % 4 + 2]:
                    seq += 1
                    company = codes[maker.name]
                    rows.append(
                        {
                            "category": "chemical",
                            "nhsa_code": f"X{klass}{gcode}{group}{s_index + 1:02d}{m_index + 1:02d}{pack_no:02d}{company}",
                            "generic_name": name,
                            "trade_name": "",
                            "dosage_form": form,
                            "registered_dosage_form": form,
                            "specification": strength,
                            "registered_specification": strength,
                            "packaging_material": "铝塑",
                            "pack_size": pack_size,
                            "min_unit": unit,
                            "pack_unit": pack,
                            "manufacturer_id": maker.pk,
                            "drug_enterprise": maker.name,
                            "approval_number": _approval("H", seq),
                            "standard_code": standard_code(company, seq),
                            "insurance_class": ins,
                            "insurance_status": "in",
                            "consistency_evaluated": evaluated and m_index != 2,
                            "shortage": shortage,
                            "market_status": "上市",
                            "data_source": "演示数据",
                        }
                    )
    for b_index, (name, form, group, klass, gcode, unit, pack, strengths, ins) in enumerate(BIOLOGICAL):
        for m_index, maker in enumerate(chemical_makers[2 + b_index : 4 + b_index]):
            seq += 1
            company = codes[maker.name]
            rows.append(
                {
                    "category": "biological",
                    "nhsa_code": f"X{klass}{gcode}{group}01{m_index + 1:02d}01{company}",
                    "generic_name": name,
                    "dosage_form": form,
                    "specification": strengths[0],
                    "pack_size": 1,
                    "min_unit": unit,
                    "pack_unit": pack,
                    "manufacturer_id": maker.pk,
                    "approval_number": _approval("S", seq),
                    "standard_code": standard_code(company, seq),
                    "insurance_class": ins,
                    "insurance_status": "in",
                    "negotiated": b_index == 1,
                    "negotiated_from": date(2025, 1, 1) if b_index == 1 else None,
                    "negotiated_to": date(2026, 12, 31) if b_index == 1 else None,
                    "market_status": "上市",
                    "data_source": "演示数据",
                }
            )
    for c_index, (name, form, klass, gcode, unit, pack, strengths, ins) in enumerate(CHINESE_PATENT):
        for m_index, maker in enumerate(chemical_makers[c_index % 5 : c_index % 5 + 3]):
            seq += 1
            company = codes[maker.name]
            rows.append(
                {
                    "category": "chinese_patent",
                    "nhsa_code": f"Z{klass}{gcode}A0{m_index + 1:03d}{company}",
                    "generic_name": name,
                    "dosage_form": form,
                    "specification": strengths[0],
                    "pack_size": [60, 24, 36][m_index],
                    "min_unit": unit,
                    "pack_unit": pack,
                    "manufacturer_id": maker.pk,
                    "approval_number": _approval("Z", seq),
                    "standard_code": standard_code(company, seq),
                    "insurance_class": ins,
                    "insurance_status": "in",
                    "market_status": "上市",
                    "data_source": "演示数据",
                }
            )
    pieces_makers = [m for m in orgs["manufacturers"] if "中药" in m.name or "饮片" in m.name] or chemical_makers[:2]
    for t_index, name in enumerate(TCM_PIECES):
        maker = pieces_makers[t_index % len(pieces_makers)]
        rows.append(
            {
                "category": "tcm_pieces",
                "nhsa_code": f"T{100 + t_index:04d}{codes[maker.name]}",
                "generic_name": name,
                "dosage_form": "饮片",
                "specification": "净制 1000g",
                "pack_size": 1000,
                "min_unit": "g",
                "pack_unit": "袋",
                "manufacturer_id": maker.pk,
                "insurance_class": "A" if t_index % 4 else "B",
                "insurance_status": "in",
                "market_status": "上市",
                "data_source": "演示数据",
            }
        )
    for k, (name, name_mn, form, unit, pack, spec) in enumerate(MONGOLIAN_PATENT):
        maker = mongolian_makers[k % len(mongolian_makers)]
        seq += 1
        company = codes[maker.name]
        rows.append(
            {
                "category": "mongolian_patent",
                "nhsa_code": f"ZA99MNM{k + 1:03d}B0{k % 9 + 1:03d}{company}",
                "generic_name": name,
                "name_mn": name_mn,
                "dosage_form": form,
                "specification": spec,
                "pack_size": 30 if unit == "丸" else 10,
                "min_unit": unit,
                "pack_unit": pack,
                "manufacturer_id": maker.pk,
                "approval_number": _approval("Z", seq),
                "standard_code": standard_code(company, seq),
                "insurance_status": "in",
                "market_status": "上市",
                "data_source": "演示数据",
            }
        )
    for k, (name, name_mn) in enumerate(MONGOLIAN_PIECES):
        maker = mongolian_makers[k % len(mongolian_makers)]
        rows.append(
            {
                "category": "mongolian_pieces",
                "nhsa_code": f"NMY{maker.region.code if maker.region else '150500'}{k + 1:06d}",
                "generic_name": name,
                "name_mn": name_mn,
                "dosage_form": "饮片",
                "specification": "净制 500g",
                "pack_size": 500,
                "min_unit": "g",
                "pack_unit": "袋",
                "manufacturer_id": maker.pk,
                "insurance_status": "in",
                "market_status": "上市",
                "data_source": "演示数据",
            }
        )
    return rows


def _preparation_rows(orgs) -> list[dict]:
    hospitals = [h for h in orgs["hospitals"] if h.hospital_type in ("mongolian", "tcm_mongolian")]
    maker = orgs["mongolian_manufacturers"][0]
    rows = []
    for h_index, hospital in enumerate(hospitals[:4]):
        division = hospital.region.pooling_region.code
        for k, (name, name_mn, form, unit, pack, spec, mongolian) in enumerate(PREPARATIONS):
            if (h_index + k) % 2:
                continue
            rows.append(
                {
                    "category": "hospital_preparation",
                    "nhsa_code": f"NMZ{division}{h_index * 100 + k + 1:06d}",
                    "generic_name": name,
                    "name_mn": name_mn,
                    "dosage_form": form,
                    "specification": spec,
                    "pack_size": 10,
                    "min_unit": unit,
                    "pack_unit": pack,
                    "manufacturer_id": maker.pk,
                    "preparing_hospital_id": hospital.pk,
                    "mongolian_medicine": mongolian,
                    "approval_number": f"蒙药制字{'M' if mongolian else 'Z'}{20150100 + h_index * 10 + k:08d}",
                    "insurance_class": "A" if mongolian else "B",
                    "insurance_status": "in",
                    "data_source": "演示数据",
                }
            )
    return rows


def _consumable_rows(orgs) -> list[dict]:
    codes = company_codes()
    makers = [m for m in orgs["manufacturers"] if "器械" in m.name or "材料" in m.name or "医疗" in m.name]
    rows = []
    for k, (name, klass, high_value_class, spec, unit, pack, class_code) in enumerate(CONSUMABLES):
        for m_index, maker in enumerate(makers[:3] if high_value_class else makers[:2]):
            for variant in range(2):
                rows.append(
                    {
                        "category": "consumable",
                        "nhsa_code": f"C{class_code}{k + 1:03d}{m_index * 10 + variant + 1:05d}{codes[maker.name]}",
                        "generic_name": name,
                        "specification": f"{spec}{' 加长型' if variant else ''}",
                        "pack_size": 1 if high_value_class else 100,
                        "min_unit": unit,
                        "pack_unit": pack,
                        "manufacturer_id": maker.pk,
                        "consumable_class": klass,
                        "high_value": bool(high_value_class),
                        "high_value_class": high_value_class,
                        "approval_number": f"国械注准{2018 + k % 6}3{(k * 7) % 90 + 10:02d}{m_index * 100 + k:04d}",
                        "insurance_class": "B" if high_value_class else "A",
                        "insurance_status": "in",
                        "data_source": "演示数据",
                    }
                )
    return rows


def seed(ctx: DemoContext) -> str:
    orgs = demo_organizations()
    rows = _drug_rows(orgs) + _preparation_rows(orgs) + _consumable_rows(orgs) + iol_rows(orgs, company_codes())
    existing = set(
        Product.objects.filter(nhsa_code__in=[r["nhsa_code"] for r in rows]).values_list("nhsa_code", flat=True)
    )
    created = 0
    for row in rows:
        if row["nhsa_code"] in existing:
            continue
        _, errors = clean_product_fields(dict(row))
        if errors:  # demo data must pass the same rules as real data: fail loudly
            raise ValueError(f"演示产品 {row['nhsa_code']} {row['generic_name']} 不合规：{errors}")
        product_create(**row)
        created += 1
    return f"{len(rows)} 个产品（新建 {created} 个）"
