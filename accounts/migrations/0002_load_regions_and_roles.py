"""Loads the 12 leagues/cities of Inner Mongolia (pooling regions), their 103 banners/counties/districts
(GB/T 2260 administrative division codes) and the platform's roles."""

from django.db import migrations

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


def load(apps, schema_editor):
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


def unload(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.all().delete()
    Region = apps.get_model("accounts", "Region")
    Region.objects.filter(level="banner_county").delete()
    Region.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
