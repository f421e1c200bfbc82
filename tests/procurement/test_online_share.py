"""The online-purchase share on a known small world, and the all-or-nothing import of off-platform purchases."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.errors import ValidationFailed
from procurement.models import OffPlatformPurchase
from procurement.offplatform import offplatform_import
from procurement.online_share import online_share
from tests.factories import (
    AgencyFactory,
    DistributorFactory,
    GoodsReturnLineFactory,
    HospitalFactory,
    OffPlatformPurchaseFactory,
    ProductFactory,
    ReceiptFactory,
    ReceiptLineFactory,
    UserFactory,
    league,
)
from tests.utils import api_as

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _receipt(hospital, product, day: date, amount: str):
    line = ReceiptLineFactory(
        receipt=ReceiptFactory(
            received_at=datetime(day.year, day.month, day.day, 10, tzinfo=SH), delivery__order__hospital=hospital
        ),
        delivery_line__order_line__listing__product=product,
        delivery_line__order_line__order__hospital=hospital,
    )
    type(line).objects.filter(pk=line.pk).update(amount=Decimal(amount), hospital=hospital)
    line.refresh_from_db()
    return line


@pytest.fixture
def small_world():
    hohhot = HospitalFactory(name="呼市医院")  # region 150100 (a league)
    banner = HospitalFactory(name="旗县医院", region=league("150100").children.first())
    chifeng = HospitalFactory(name="赤峰医院", region=league("150400"))
    drug = ProductFactory(generic_name="测试药")
    stent = ProductFactory(
        generic_name="冠脉支架",
        category="consumable",
        high_value=True,
        high_value_class="vascular",
        nhsa_code="C0201010010000000001",
        approval_number="国械注准20193130001",
    )
    gauze = ProductFactory(
        generic_name="纱布",
        category="consumable",
        nhsa_code="C0101010010000000002",
        approval_number="国械注准20193140002",
    )
    # 呼市医院, March: drugs 900 online − 90 returned, 90 offline → 810 / 900 = 90.00 %
    line = _receipt(hohhot, drug, date(2026, 3, 5), "900.00")
    GoodsReturnLineFactory(receipt_line=line, packs=1, returned_on=date(2026, 3, 20), amount=Decimal("90.00"))
    OffPlatformPurchaseFactory(hospital=hohhot, product=drug, month=date(2026, 3, 1), amount=Decimal("90.00"))
    # 呼市医院, March: stents 700 online, 300 offline → 70.00 % (< 80 %); gauze is not measured
    _receipt(hohhot, stent, date(2026, 3, 9), "700.00")
    OffPlatformPurchaseFactory(hospital=hohhot, product=stent, month=date(2026, 3, 1), amount=Decimal("300.00"))
    _receipt(hohhot, gauze, date(2026, 3, 9), "55.00")
    # 旗县医院 (in 呼和浩特), April: drugs 100 online → 100 %
    _receipt(banner, drug, date(2026, 4, 30), "100.00")
    # 赤峰医院, April: drugs only offline → 0 %
    OffPlatformPurchaseFactory(hospital=chifeng, product=drug, month=date(2026, 4, 1), amount=Decimal("50.00"))
    # outside the period
    _receipt(chifeng, drug, date(2026, 6, 1), "1000.00")
    return hohhot, banner, chifeng, drug


def test_share_per_hospital_and_month(small_world):
    hohhot, banner, chifeng, _ = small_world
    rows = online_share(date_from=date(2026, 3, 1), date_to=date(2026, 5, 31))
    got = {(r.name, r.month, r.supply_class): (r.online, r.offline, r.share, r.meets_target) for r in rows}
    assert got == {
        ("呼市医院", date(2026, 3, 1), "drug"): (Decimal("810.00"), Decimal("90.00"), Decimal("90.00"), True),
        ("呼市医院", date(2026, 3, 1), "hv_consumable"): (
            Decimal("700.00"),
            Decimal("300.00"),
            Decimal("70.00"),
            False,
        ),
        ("旗县医院", date(2026, 4, 1), "drug"): (Decimal("100.00"), Decimal("0"), Decimal("100.00"), True),
        ("赤峰医院", date(2026, 4, 1), "drug"): (Decimal("0"), Decimal("50.00"), Decimal("0.00"), False),
    }


def test_share_per_region_over_the_period(small_world):
    rows = online_share(date_from=date(2026, 3, 1), date_to=date(2026, 5, 31), by="region", per_month=False)
    got = {(r.name, r.supply_class): (r.online, r.offline, r.share) for r in rows}
    assert got == {
        ("呼和浩特市", "drug"): (Decimal("910.00"), Decimal("90.00"), Decimal("91.00")),
        ("呼和浩特市", "hv_consumable"): (Decimal("700.00"), Decimal("300.00"), Decimal("70.00")),
        ("赤峰市", "drug"): (Decimal("0"), Decimal("50.00"), Decimal("0.00")),
    }


def test_share_api_hospital_sees_only_its_own(small_world):
    hohhot, banner, *_ = small_world
    buyer = UserFactory(organization=banner, roles=["purchaser"])
    data = api_as(buyer).get("/api/v1/online-share/?date_from=2026-03-01&date_to=2026-05-31&by=region").json()
    assert [(r["name"], r["share"]) for r in data["results"]] == [("旗县医院", "100.00")]
    official = UserFactory(organization=AgencyFactory(), roles=["pricing_official"])
    data = (
        api_as(official)
        .get(f"/api/v1/online-share/?date_from=2026-03-01&date_to=2026-05-31&hospital={hohhot.pk}&per_month=0")
        .json()
    )
    assert {(r["supply_class"], r["share"], r["target"]) for r in data["results"]} == {
        ("drug", "90.00", 90),
        ("hv_consumable", "70.00", 80),
    }
    assert api_as(official).get("/api/v1/online-share/?date_from=2026-13-01").status_code == 400


CSV_OK = (
    "医疗机构,医保代码,月份,数量,金额,来源\n{h},{code},2026-03,100,50.00,HIS导出\n{h},{code},2026-04,120,60.5,HIS导出\n"
)


def test_import_is_all_or_nothing_and_reimport_changes_nothing():
    hospital = HospitalFactory(name="上报医院")
    product = ProductFactory()
    buyer = UserFactory(organization=hospital, roles=["purchaser"])
    good = CSV_OK.format(h=hospital.name, code=product.nhsa_code).encode()
    report, batch = offplatform_import(by=buyer, data=good, name="x.csv")
    assert report.ok and batch is not None and report.counts() == {"new": 2}
    assert OffPlatformPurchase.objects.get(month=date(2026, 4, 1)).amount == Decimal("60.50")
    report, batch = offplatform_import(by=buyer, data=good, name="x.csv")
    assert report.counts() == {"unchanged": 2}
    bad = (
        good.decode() + f"{hospital.name},NOPE,2026-05,1,1,\n"
        f"{hospital.name},{product.nhsa_code},2026-13,1,1,\n"
        f"{hospital.name},{product.nhsa_code},2026-06,1.5,1,\n"
        f"{hospital.name},{product.nhsa_code},2026-07,1,-1,\n"
        f"{hospital.name},{product.nhsa_code},2026-03,1,1,\n"
        f"别的医院,{product.nhsa_code},2026-08,1,1,\n"
    ).replace("2026-03,100,50.00", "2026-03,100,51.00")
    before = list(OffPlatformPurchase.objects.values_list("month", "amount"))
    report, batch = offplatform_import(by=buyer, data=bad.encode(), name="x.csv")
    assert batch is None and not report.ok
    errors = {r.row: r.errors[0] for r in report.error_rows}
    assert set(errors) == {4, 5, 6, 7, 8, 9}
    assert "医保代码“NOPE”" in errors[4] and "月份" in errors[5] and "数量" in errors[6] and "负数" in errors[7]
    assert "第 2 行重复" in errors[8] and "不在机构名录" in errors[9]
    assert list(OffPlatformPurchase.objects.values_list("month", "amount")) == before


def test_import_a_hospital_reports_only_for_itself():
    hospital, other = HospitalFactory(name="本院"), HospitalFactory(name="他院")
    product = ProductFactory()
    buyer = UserFactory(organization=hospital, roles=["purchaser"])
    report, batch = offplatform_import(
        by=buyer, data=CSV_OK.format(h=other.name, code=product.nhsa_code).encode(), name="x.csv"
    )
    assert batch is None and "只能上报本机构" in report.error_rows[0].errors[0]
    no_hospital_column = f"医保代码,月份,数量,金额\n{product.nhsa_code},2026-03,1,2\n".encode()
    report, batch = offplatform_import(by=buyer, data=no_hospital_column, name="x.csv")
    assert batch is not None and OffPlatformPurchase.objects.get().hospital == hospital
    with pytest.raises(ValidationFailed, match="缺少必需的列"):
        offplatform_import(by=buyer, data="医保代码,月份\nX,2026-01\n".encode(), name="x.csv")
    with pytest.raises(ValidationFailed, match="UTF-8"):
        offplatform_import(by=buyer, data="医保代码".encode("gbk"), name="x.csv")


def test_import_api(small_world):
    hohhot, *_, drug = small_world
    buyer = UserFactory(organization=hohhot, roles=["purchaser"])
    upload = SimpleUploadedFile("o.csv", f"医保代码,月份,数量,金额\n{drug.nhsa_code},2026-05,10,20\n".encode())
    response = api_as(buyer).post("/api/v1/offplatform-purchases/import/", {"file": upload}, format="multipart")
    assert response.status_code == 200 and response.json()["counts"] == {"new": 1}
    upload = SimpleUploadedFile("o.csv", f"医保代码,月份,数量,金额\n{drug.nhsa_code},2026-5,x,20\n".encode())
    response = api_as(buyer).post("/api/v1/offplatform-purchases/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and response.json()["rows"][0]["row"] == 2
    distributor_user = UserFactory(organization=DistributorFactory(), roles=["distributor_rep"])
    upload = SimpleUploadedFile("o.csv", b"x")
    assert (
        api_as(distributor_user)
        .post("/api/v1/offplatform-purchases/import/", {"file": upload}, format="multipart")
        .status_code
        == 403
    )
