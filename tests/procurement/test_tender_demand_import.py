"""Demand reports from a file: only during demand collection, all or nothing, a report line per row."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from common.errors import ConflictError, PermissionDeniedError, ValidationFailed
from procurement.errors import TenderError
from procurement.models import DemandReport
from procurement.services import tenders as svc
from procurement.services.tender_demand_import import demand_import
from tests.fixtures.tenders import shift

HEAD = "批次编号,品种编号,医疗机构统一社会信用代码,医疗机构名称,年度需求量,指定产品医保代码\n"


def csv(*lines: str) -> bytes:
    return (HEAD + "".join(line + "\n" for line in lines)).encode("utf-8")


@pytest.mark.django_db
def test_official_imports_for_any_hospital_and_a_bad_row_writes_nothing(collecting):
    w = collecting
    tender, official = w["tender"], w["official"]
    h = w["hospitals"]
    code = w["products"][0].nhsa_code
    good = [f"NMG-T-01,01,{h[0].uscc},{h[0].name},12000,{code}", f"NMG-T-01,01,{h[1].uscc},,3000,"]
    bad_rows = [
        f"NMG-T-01,09,{h[2].uscc},,100,",  # no such lot
        f"NMG-T-01,01,{h[2].uscc},,-5,",  # negative
        f"NMG-T-01,01,{h[3].uscc},,12.5,",  # not whole
        "NMG-T-01,01,,,100,",  # no hospital
        f"NMG-T-01,01,{w['makers'][0].uscc},,100,",  # not a hospital
        f"NMG-T-01,01,{h[0].uscc},,100,",  # duplicate of row 2
        f"NMG-T-01,01,{h[2].uscc},别的医院,100,",  # name does not match
        f"NMG-T-01,01,{h[3].uscc},,100,{w['other_generic'].nhsa_code}",  # product of another generic
        f"NMG-T-01,01,{h[3].uscc},,100,XNOSUCHCODE",  # unknown product
        f"NMG-OTHER,01,{h[3].uscc},,100,",  # another tender
    ]
    report = demand_import(tender=tender, by=official, content=csv(*good, *bad_rows), filename="d.csv")
    assert not report.ok and not DemandReport.objects.exists()
    errors = {r.row: "；".join(r.errors) for r in report.error_rows}
    assert sorted(errors) == list(range(4, 14))
    for row, fragment in zip(
        range(4, 14),
        [
            "没有品种“09”",
            "不能为负数",
            "整数",
            "不能为空",
            "不是平台上有效的医疗机构",
            "与第 2 行重复",
            "不一致",
            "不属于本品种",
            "没有医保代码",
            "不是本批次",
        ],
        strict=True,
    ):
        assert fragment in errors[row], (row, errors[row])
    assert [r.status for r in report.rows[:2]] == ["new", "new"]
    # dry run: checked, not written
    dry = demand_import(tender=tender, by=official, content=csv(*good), filename="d.csv", dry_run=True)
    assert dry.ok and not DemandReport.objects.exists()
    done = demand_import(tender=tender, by=official, content=csv(*good), filename="d.csv")
    assert done.written and DemandReport.objects.count() == 2
    assert DemandReport.objects.get(hospital=h[0]).named_product == w["products"][0]
    assert DemandReport.history.count() == 2
    again = demand_import(
        tender=tender, by=official, content=csv(good[0], f"NMG-T-01,01,{h[1].uscc},,3500,"), filename="d.csv"
    )
    assert [r.status for r in again.rows] == ["unchanged", "changed"]
    assert DemandReport.objects.get(hospital=h[1]).annual_volume == 3500


@pytest.mark.django_db
def test_a_hospital_imports_only_its_own_rows(collecting):
    w = collecting
    buyer, h = w["buyers"][0], w["hospitals"]
    own = demand_import(
        tender=w["tender"], by=buyer, content="品种编号,年度需求量\n01,8000\n".encode(), filename="x.csv"
    )
    assert own.written and DemandReport.objects.get().hospital == h[0]
    foreign = demand_import(
        tender=w["tender"], by=buyer, content=csv(f"NMG-T-01,01,{h[1].uscc},,10,"), filename="x.csv"
    )
    assert not foreign.ok and "只能导入本机构" in foreign.error_rows[0].errors[0]
    assert DemandReport.objects.count() == 1 and DemandReport.objects.get().annual_volume == 8000
    with pytest.raises(PermissionDeniedError):
        demand_import(tender=w["tender"], by=w["reps"][0], content=csv(), filename="x.csv")


@pytest.mark.django_db
def test_import_outside_the_window_or_a_bad_file_is_refused(world):
    buyer = world["buyers"][0]
    with pytest.raises(ConflictError) as exc:  # still a draft
        demand_import(
            tender=world["tender"], by=buyer, content="品种编号,年度需求量\n01,1\n".encode(), filename="x.csv"
        )
    assert exc.value.code == TenderError.OUTSIDE_WINDOW
    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    with pytest.raises(ValidationFailed, match="缺少必需的列"):
        demand_import(tender=world["tender"], by=buyer, content="品种编号\n01\n".encode(), filename="x.csv")
    with pytest.raises(ValidationFailed, match="UTF-8"):
        demand_import(
            tender=world["tender"], by=buyer, content="品种编号,年度需求量\n01,1\n".encode("gbk"), filename="x.csv"
        )
    with pytest.raises(ValidationFailed, match="缺少必需的列"):  # an official must name the hospital
        demand_import(
            tender=world["tender"],
            by=world["official"],
            content="品种编号,年度需求量\n01,1\n".encode(),
            filename="x.csv",
        )
    shift(world["tender"], demand_start=timedelta(hours=-2), demand_end=timedelta(seconds=-1))
    with pytest.raises(ConflictError) as exc:
        demand_import(
            tender=world["tender"], by=buyer, content="品种编号,年度需求量\n01,1\n".encode(), filename="x.csv"
        )
    assert exc.value.code == TenderError.OUTSIDE_WINDOW
    assert not DemandReport.objects.exists()


@pytest.mark.django_db
def test_import_page_with_xlsx_template_round_trip(collecting):
    w = collecting
    client = Client()
    client.force_login(w["buyers"][0])
    response = client.get(f"/tenders/{w['tender'].pk}/demand/template.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][1] == "品种编号" and rows[1][1] == "01" and rows[1][2] == w["hospitals"][0].uscc
    out = Workbook()
    ws = out.active
    ws.append(rows[0])
    ws.append(rows[1][:4] + [-1, None])
    buffer = io.BytesIO()
    out.save(buffer)
    bad = client.post(
        f"/tenders/{w['tender'].pk}/demand/import/", {"file": SimpleUploadedFile("d.xlsx", buffer.getvalue())}
    )
    assert bad.status_code == 400 and "不能为负数" in bad.content.decode() and not DemandReport.objects.exists()
    ws.delete_rows(2)
    ws.append(rows[1][:4] + [4200, None])
    buffer = io.BytesIO()
    out.save(buffer)
    ok = client.post(
        f"/tenders/{w['tender'].pk}/demand/import/", {"file": SimpleUploadedFile("d.xlsx", buffer.getvalue())}
    )
    assert ok.status_code == 200 and "已导入" in ok.content.decode()
    assert DemandReport.objects.get().annual_volume == 4200
    rep = Client()
    rep.force_login(w["reps"][0])
    assert rep.get(f"/tenders/{w['tender'].pk}/demand/import/").status_code == 403


def _csv_format(client) -> str:
    html = client.get("/admin/procurement/demandreport/import/").content.decode()
    match = re.search(r'<option value="(\d+)">csv</option>', html)
    assert match, "csv format not offered"
    return match.group(1)


@pytest.mark.django_db
def test_admin_import_goes_through_the_service_and_export_has_the_same_columns(collecting, platform_admin):
    w = collecting
    h = w["hospitals"]
    client = Client()
    client.force_login(platform_admin)
    fmt = _csv_format(client)
    bad = client.post(
        "/admin/procurement/demandreport/import/",
        {
            "import_file": SimpleUploadedFile(
                "d.csv", csv(f"NMG-T-01,01,{h[0].uscc},,100,", f"NMG-T-01,01,{h[1].uscc},,-1,")
            ),
            "format": fmt,
            "resource": "0",
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and "不能为负数" in html and "process_import" not in html
    assert not DemandReport.objects.exists()
    good = client.post(
        "/admin/procurement/demandreport/import/",
        {
            "import_file": SimpleUploadedFile(
                "d.csv", csv(f"NMG-T-01,01,{h[0].uscc},,100,", f"NMG-T-01,01,{h[1].uscc},,200,")
            ),
            "format": fmt,
            "resource": "0",
        },
    )
    html = good.content.decode()
    assert "process_import" in html and not DemandReport.objects.exists()  # first step: a dry run
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', html))
    confirm = {k: fields[k] for k in ("import_file_name", "original_file_name", "format", "resource") if k in fields}
    done = client.post("/admin/procurement/demandreport/process_import/", confirm)
    assert done.status_code == 302, done.content.decode()[:2000]
    assert sorted(DemandReport.objects.values_list("annual_volume", flat=True)) == [100, 200]
    export = client.post(
        "/admin/procurement/demandreport/export/",
        {
            "format": fmt,
            "resource": "0",
            **{
                f"demandreportresource_{f}": "on"
                for f in ("tender", "lot", "uscc", "hospital", "annual_volume", "product")
            },
        },
    )
    text = export.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("批次编号,品种编号,医疗机构统一社会信用代码"), text[:300]
    assert h[0].uscc in text
    # outside the window the admin import is refused whole
    shift(w["tender"], demand_start=timedelta(hours=-2), demand_end=timedelta(seconds=-1))
    late = client.post(
        "/admin/procurement/demandreport/import/",
        {
            "import_file": SimpleUploadedFile("d.csv", csv(f"NMG-T-01,01,{h[2].uscc},,100,")),
            "format": fmt,
            "resource": "0",
        },
    )
    assert "不在报量时间内" in late.content.decode() and DemandReport.objects.count() == 2
