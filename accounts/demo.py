"""Demo organisations and users: a believable province with clearly fictitious names."""

from __future__ import annotations

from common.demo import DemoContext

from .models import Organization, Region, Role, User
from .uscc import make_uscc

H = Organization.HospitalType
L = Organization.HospitalLevel
O = Organization.Ownership  # noqa: E741

# Short forms used in the demo names, per league/city code.
CITY_SHORT = {
    "150100": "呼和浩特",
    "150200": "包头",
    "150300": "乌海",
    "150400": "赤峰",
    "150500": "通辽",
    "150600": "鄂尔多斯",
    "150700": "呼伦贝尔",
    "150800": "巴彦淖尔",
    "150900": "乌兰察布",
    "152200": "兴安",
    "152500": "锡林郭勒",
    "152900": "阿拉善",
}

# (name pattern, level, type, ownership) — every region gets these five; bigger cities get the extras.
HOSPITAL_PATTERNS = [
    ("{city}北辰人民医院", L.TERTIARY, H.GENERAL, O.PUBLIC),
    ("{city}瀚海蒙医医院", L.SECONDARY, H.MONGOLIAN, O.PUBLIC),
    ("{city}明德中医医院", L.SECONDARY, H.TCM, O.PUBLIC),
    ("{county}青松社区卫生服务中心", L.PRIMARY, H.PRIMARY_CARE, O.PUBLIC),
    ("{city}苍原康复专科医院", L.SECONDARY, H.SPECIALTY, O.PRIVATE),
]
EXTRA_HOSPITALS = {
    "150100": [
        ("{city}云杉医科大学附属医院", L.TERTIARY, H.GENERAL, O.PUBLIC),
        ("{city}金穗中蒙医医院", L.TERTIARY, H.TCM_MONGOLIAN, O.PUBLIC),
        ("{city}白桦妇幼保健院", L.SECONDARY, H.SPECIALTY, O.PUBLIC),
    ],
    "150500": [
        ("{city}科尔沁蒙医药研究院附属医院", L.TERTIARY, H.MONGOLIAN, O.PUBLIC),
        ("{county}苏木卫生院", L.PRIMARY, H.PRIMARY_CARE, O.PUBLIC),
    ],
    "150200": [("{city}钢城第二人民医院", L.SECONDARY, H.GENERAL, O.PUBLIC)],
    "150400": [("{city}红山蒙医中医医院", L.SECONDARY, H.TCM_MONGOLIAN, O.PUBLIC)],
    "150600": [("{city}康巴什仁和诊所", L.UNRATED, H.PRIMARY_CARE, O.PRIVATE)],
    "152500": [("{city}草原蒙医医院", L.TERTIARY, H.MONGOLIAN, O.PUBLIC)],
}

MANUFACTURERS = [
    # name, league code, makes Mongolian medicines
    ("草原康泰蒙药股份有限公司", "150500", True),
    ("科尔沁蒙药制药有限公司", "150500", True),
    ("瀚海蒙医药集团有限公司", "150100", True),
    ("锡林蒙药科技有限公司", "152500", True),
    ("阿拉善苁蓉生物药业有限公司", "152900", True),
    ("北辰制药股份有限公司", "150100", False),
    ("青城华康药业有限公司", "150100", False),
    ("鹿城生物制药有限公司", "150200", False),
    ("云杉医药科技有限公司", "150600", False),
    ("金穗中药饮片有限公司", "150400", False),
    ("明德中药股份有限公司", "150400", False),
    ("松州制药有限公司", "150400", False),
    ("苍原医疗器械有限公司", "150200", False),
    ("白桦医用材料有限公司", "150900", False),
    ("银河骨科器械有限公司", "150600", False),
    ("星海眼科医疗科技有限公司", "150100", False),
    ("大漠药业有限公司", "150800", False),
    ("岭北生物技术有限公司", "150700", False),
    ("黄河医药化工有限公司", "150300", False),
    ("兴安岭天然药物有限公司", "152200", False),
]

DISTRIBUTORS = [
    ("北疆医药物流有限公司", "150100"),
    ("鹿城医药配送有限公司", "150200"),
    ("草原通医药有限公司", "150500"),
    ("红山医药供应链有限公司", "150400"),
    ("鄂尔多斯康达医药有限公司", "150600"),
    ("岭北医药配送有限公司", "150700"),
    ("河套医药物流有限公司", "150800"),
    ("锡林医药商贸有限公司", "152500"),
]

AGENCY_NAME = "自治区医药集中采购服务中心（演示）"

# username, organisation selector, roles, display name, description
USERS = [
    ("admin", "agency", ["platform_admin"], "平台管理员", "平台管理员（同时是后台超级用户）"),
    ("official", "agency", ["pricing_official"], "王价格", "医保局价格招采处工作人员"),
    ("fund", "agency", ["fund_officer"], "李基金", "医保基金经办人员"),
    ("supervisor", "agency", ["supervisor"], "周监督", "监督人员 · 裁决对异议答复的申诉"),
    ("buyer", "hospital:150100:0", ["purchaser"], "张采购", "采购员 · 呼和浩特北辰人民医院（三级综合）"),
    ("hospadmin", "hospital:150100:0", ["hospital_admin", "purchaser"], "赵院办", "医疗机构管理员 · 同上"),
    ("buyer_mn", "hospital:150500:1", ["purchaser"], "巴特尔", "采购员 · 通辽瀚海蒙医医院（二级蒙医）"),
    ("buyer_cf", "hospital:150400:0", ["purchaser"], "刘采购", "采购员 · 赤峰北辰人民医院（三级综合）"),
    ("mfr", "manufacturer:0", ["manufacturer_rep"], "其木格", "生产企业代表 · 草原康泰蒙药（蒙成药）"),
    ("mfr2", "manufacturer:5", ["manufacturer_rep"], "陈企业", "生产企业代表 · 北辰制药（化学药品）"),
    ("dist", "distributor:0", ["distributor_rep"], "孙配送", "配送企业代表 · 北疆医药物流"),
]


def _county_of(league: Region, rng) -> Region:
    children = list(league.children.order_by("code"))
    return children[0] if children else league


def seed(ctx: DemoContext) -> str:
    rng = ctx.sub_rng("accounts")
    leagues = {r.code: r for r in Region.objects.filter(level=Region.Level.LEAGUE_CITY)}
    created = 0

    def ensure(name: str, **fields) -> Organization:
        nonlocal created
        org = Organization.objects.filter(name=name).first()
        # The USCC is drawn even when the row exists, so later rows get the same codes on every run.
        division = fields.pop("division")
        uscc = make_uscc(rng, division_code=division, category=fields.pop("uscc_category", "1"))
        if org is None:
            org = Organization(name=name, uscc=uscc, **fields)
            org.full_clean()
            org.save()
            created += 1
        return org

    hospitals: dict[str, list[Organization]] = {}
    for code, league in sorted(leagues.items()):
        city = CITY_SHORT[code]
        county = _county_of(league, rng)
        patterns = HOSPITAL_PATTERNS + EXTRA_HOSPITALS.get(code, [])
        for pattern, level, htype, ownership in patterns:
            name = pattern.format(city=city, county=f"{city}{county.name}" if county != league else city)
            hospitals.setdefault(code, []).append(
                ensure(
                    name,
                    kind=Organization.Kind.HOSPITAL,
                    region=league if "{county}" not in pattern else county,
                    hospital_level=level,
                    hospital_type=htype,
                    ownership=ownership,
                    division=county.code if "{county}" in pattern else code,
                    uscc_category="2" if ownership == O.PUBLIC else "1",
                    short_name=name.replace(city, "", 1)[:50],
                )
            )
    manufacturers = [
        ensure(name, kind=Organization.Kind.MANUFACTURER, region=leagues[code], division=code)
        for name, code, _mongolian in MANUFACTURERS
    ]
    distributors = [
        ensure(name, kind=Organization.Kind.DISTRIBUTOR, region=leagues[code], division=code)
        for name, code in DISTRIBUTORS
    ]
    agency = ensure(
        AGENCY_NAME, kind=Organization.Kind.AGENCY, region=leagues["150100"], division="150000", uscc_category="2"
    )

    def resolve(selector: str) -> Organization:
        kind, *rest = selector.split(":")
        if kind == "agency":
            return agency
        if kind == "hospital":
            return hospitals[rest[0]][int(rest[1])]
        if kind == "manufacturer":
            return manufacturers[int(rest[0])]
        return distributors[int(rest[0])]

    roles = {r.code: r for r in Role.objects.all()}
    users_created = 0
    for username, selector, role_codes, display, description in USERS:
        ctx.logins.append((username, description))
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            organization=resolve(selector),
            display_name=display,
            is_staff=username == "admin",
            is_superuser=username == "admin",
        )
        user.set_password(ctx.password)
        user.save()
        user.roles.set([roles[c] for c in role_codes])
        users_created += 1
    total_hospitals = sum(len(v) for v in hospitals.values())
    return (
        f"{total_hospitals} 家医疗机构、{len(manufacturers)} 家生产企业、{len(distributors)} 家配送企业、1 个经办机构；"
        f"新建机构 {created} 个、用户 {users_created} 个"
    )


def demo_organizations() -> dict[str, list[Organization]]:
    """Lookups for the other apps' seeders."""
    return {
        "hospitals": list(Organization.objects.filter(kind="hospital").order_by("id")),
        "manufacturers": list(
            Organization.objects.filter(kind="manufacturer", name__in=[m[0] for m in MANUFACTURERS]).order_by("id")
        ),
        "mongolian_manufacturers": list(
            Organization.objects.filter(name__in=[m[0] for m in MANUFACTURERS if m[2]]).order_by("id")
        ),
        "distributors": list(Organization.objects.filter(kind="distributor").order_by("id")),
        "agency": list(Organization.objects.filter(kind="agency")),
    }
