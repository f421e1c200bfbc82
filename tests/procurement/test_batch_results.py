"""A national batch's published results imported all or nothing: the tender, the lots and the province's share
(awards and listings); then the province's demand and agreed volumes; and every bad input named with nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from common.errors import ConflictError, ValidationFailed
from procurement.models import Award, Bid, Commitment, DemandReport, Listing, Lot, Tender
from procurement.services import batch_results
from procurement.services import tenders as svc

LOTS = "品种序号,药品通用名,剂型,参比规格,计价单位,最高有效申报价\n1,阿托伐他汀钙片,片剂,20mg,片,1.2000\n2,瑞舒伐他汀钙片,片剂,10mg,片,2.0000\n"
HEADER = "序号,品种序号,品种名称,规格包装,企业名称,中选价格（元）,单位中选价,供应省份\n"


def results(world, *rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


def good_rows(world):
    m = world["makers"]
    return [
        f"1,1,阿托伐他汀钙片,20mg*24片,{m[0].name},19.20,0.8000,内蒙古、江苏",
        f"2,1,阿托伐他汀钙片,20mg*24片,{m[1].name},14.40,,北京 内蒙古自治区",
        "3,1,阿托伐他汀钙片,20mg*7片,外省某制药有限公司,5.60,0.8000,上海",  # not for us: maker need not exist
        "4,2,瑞舒伐他汀钙片,10mg*28片,外省另一制药有限公司,28.00,1.0000,广东",
    ]


def run(world, text: str, *, lots: str = LOTS, code: str = "GJ-10", dry_run: bool = False, level: str = "national"):
    return batch_results.batch_results_import(
        by=world["official"],
        code=code,
        name="国家组织药品集中采购（第十批）",
        level=level,
        cycle_start=date(2027, 1, 1),
        cycle_end=date(2028, 12, 31),
        lots_content=lots.encode(),
        lots_filename="lots.csv",
        results_content=text.encode(),
        results_filename="results.csv",
        dry_run=dry_run,
    )


def nothing_written():
    assert not Tender.objects.filter(code="GJ-10").exists()
    assert not Award.objects.filter(tender__code="GJ-10").exists()
    assert not Listing.objects.filter(award__tender__code="GJ-10").exists()


def test_import_creates_the_tender_lots_and_the_provinces_awards_and_listings(world):
    report = run(world, results(world, *good_rows(world)))
    assert report.ok, report.lines()
    assert [r.status for r in report.results.rows] == ["new", "new", "other_province", "other_province"]
    tender = report.tender
    assert (tender.origin, tender.level, tender.status) == ("results_import", "national", "demand_collection")
    assert list(Lot.objects.filter(tender=tender).values_list("number", "max_price")) == [("1", Decimal("1.2000"))]
    awards = list(Award.objects.filter(tender=tender).order_by("rank"))
    # ranked by unit price: 14.40 / 24 = 0.60 before 0.80
    assert [(a.manufacturer, a.awarded_price) for a in awards] == [
        (world["makers"][1], Decimal("0.6000")),
        (world["makers"][0], Decimal("0.8000")),
    ]
    assert set(Bid.objects.filter(tender=tender).values_list("status", flat=True)) == {"selected"}
    listings = Listing.objects.filter(award__tender=tender).order_by("unit_price")
    assert [(x.unit_price, x.pack_price, x.valid_from) for x in listings] == [
        (Decimal("0.6000"), Decimal("14.40"), date(2027, 1, 1)),
        (Decimal("0.8000"), Decimal("19.20"), date(2027, 1, 1)),
    ]


def test_the_provinces_demand_then_sets_the_agreed_volumes(world):
    tender = run(world, results(world, *good_rows(world))).tender
    lot = tender.lots.get()
    for i, buyer in enumerate(world["buyers"]):
        svc.demand_report(lot=lot, by=buyer, annual_volume=1000 * (i + 1))
    svc.imported_results_confirm(tender=tender, by=world["official"])
    tender.refresh_from_db()
    assert tender.status == "awarded"
    commitments = Commitment.objects.filter(tender=tender)
    assert commitments.count() == 4
    # the share for two winners (the tender's agreed-share table), applied to each hospital's report
    assert {c.award.manufacturer_id for c in commitments} <= {m.pk for m in world["makers"][:2]}
    assert all(0 < c.agreed_volume <= c.reported_volume for c in commitments)


def test_the_window_end_confirms_by_itself(world):
    tender = run(world, results(world, *good_rows(world))).tender
    DemandReport.objects.create(tender=tender, lot=tender.lots.get(), hospital=world["hospitals"][0], annual_volume=500)
    now = timezone.now()
    Tender.objects.filter(pk=tender.pk).update(
        demand_start=now - timedelta(hours=2), demand_end=now - timedelta(seconds=1)
    )
    svc.tender_refresh(tender=tender)
    tender.refresh_from_db()
    assert tender.status == "awarded" and Commitment.objects.filter(tender=tender).count() == 1
    assert not Bid.objects.filter(tender=tender).exclude(status="selected").exists()


def test_a_dry_run_writes_nothing(world):
    assert run(world, results(world, *good_rows(world)), dry_run=True).ok
    nothing_written()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("5,9,阿托伐他汀钙片,20mg*24片,{m0},19.20,,内蒙古", "品种序号：“9”不是本批次采购品种目录中的品种"),
        ("5,1,阿托伐他汀钙片,20mg*24片,不在平台的制药有限公司,19.20,,内蒙古", "不是平台上有效的生产企业"),
        ("5,1,阿托伐他汀钙片,20mg*24片,{m2},48.00,2.0000,内蒙古", "高于品种 1 的最高有效申报价 1.2000"),
        ("5,1,阿托伐他汀钙片,20mg*24片,{m0},19.20,0.8000,内蒙古", "与第 2 行重复（同一品种、同一中选企业）"),
        # another province's row per pack only: 14.00 ÷ 7 = 2.00 per tablet, above the max
        ("5,1,阿托伐他汀钙片,20mg*7片,外省第三制药有限公司,14.00,,上海", "单位价格 2.0000 高于品种 1 的最高有效申报价"),
        ("5,1,阿托伐他汀钙片,20mg*24片,{m2},19.20,0.7000,内蒙古", "单位中选价 × 包装数量 24 ≠ 中选价格 19.20"),
        ("5,1,阿托伐他汀钙片,20mg*24片,{m2},abc,,内蒙古", "中选价格"),
        ("5,1,阿托伐他汀钙片,20mg*24片,{m2},19.20,,", "供应省份：不能为空"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(world, bad, message):
    m = world["makers"]
    report = run(world, results(world, *good_rows(world), bad.format(m0=m[0].name, m2=m[2].name)))
    assert not report.ok
    errors = report.results.error_rows
    assert [r.row for r in errors] == [6]
    assert message in "；".join(errors[0].errors)
    nothing_written()


def test_a_bad_lot_list_row_and_a_missing_column(world):
    report = run(world, results(world, *good_rows(world)), lots=LOTS + "2,重复品种,片剂,1mg,片,1\n")
    assert not report.ok and report.lots.error_rows[0].row == 4
    nothing_written()
    with pytest.raises(ValidationFailed) as exc:
        run(world, "品种序号,企业名称\n1,x\n")
    assert exc.value.code == "missing_columns" and "供应省份" in exc.value.message
    nothing_written()


def test_only_national_or_alliance_batches(world):
    with pytest.raises(ValidationFailed) as exc:
        run(world, results(world, *good_rows(world)), level="regional")
    assert exc.value.code == "results_level_invalid"
    nothing_written()


def test_confirming_a_tender_the_platform_ran_is_refused(world):
    with pytest.raises(ConflictError) as exc:
        svc.imported_results_confirm(tender=world["tender"], by=world["official"])
    assert exc.value.code == "not_imported_tender"


def page_form(world, *rows, dry_run=False) -> dict:
    """The import page's fields with the lot list and a results table of `rows`."""
    data = {
        "code": "GJ-10",
        "name": "第十批",
        "level": "national",
        "cycle_start": "2027-01-01",
        "cycle_end": "2028-12-31",
        "lots_file": SimpleUploadedFile("lots.csv", LOTS.encode()),
        "file": SimpleUploadedFile("results.csv", results(world, *rows).encode()),
    }
    if dry_run:
        data["dry_run"] = "on"
    return data


def test_the_import_page_names_the_bad_row_and_writes_nothing(world, client):
    client.force_login(world["official"])
    assert client.get("/tenders/import-results/").status_code == 200
    form = page_form(world, "1,9,阿托伐他汀钙片,20mg*24片,某公司,19.20,,内蒙古")
    response = client.post("/tenders/import-results/", form)
    assert response.status_code == 400
    assert "不是本批次采购品种目录中的品种" in response.content.decode()
    nothing_written()
    response = client.post("/tenders/import-results/", page_form(world, *good_rows(world)))
    assert response.status_code == 302 and Tender.objects.get(code="GJ-10").origin == "results_import"


def test_a_hospital_cannot_import_results(world, client):
    client.force_login(world["buyers"][0])
    assert client.get("/tenders/import-results/").status_code == 403


def test_the_command_imports_whole_or_fails_naming_the_row(world, tmp_path):
    lots = tmp_path / "lots.csv"
    lots.write_text(LOTS, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(results(world, "1,9,阿托伐他汀钙片,20mg*24片,某公司,19.20,,内蒙古"), encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text(results(world, *good_rows(world)), encoding="utf-8")
    args = ["--code", "GJ-10", "--name", "第十批", "--cycle-start", "2027-01-01", "--cycle-end", "2028-12-31"]
    args += ["--user", world["official"].username]
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_batch_results", str(lots), str(bad), *args, stdout=out)
    assert "第 2 行 error" in out.getvalue() and "不是本批次采购品种目录中的品种" in out.getvalue()
    nothing_written()
    call_command("import_batch_results", str(lots), str(good), *args, stdout=out)
    assert Tender.objects.get(code="GJ-10").awards.count() == 2
