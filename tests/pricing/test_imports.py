"""Observation and reference price imports: every bad row named, nothing written unless the whole file is good."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook

from common.errors import PermissionDeniedError, ValidationFailed
from pricing.models import PriceObservation, ReferencePrice
from pricing.services.imports import observations_import, reference_prices_import

HEADER = "产品代码,来源,日期,单价,单位,数量,医疗机构,省份\n"


def csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode("utf-8")


def test_a_good_file_imports_every_row(good_rows, official, product, hospital):
    report, batch = observations_import(content=csv(*good_rows), filename="obs.csv", by=official)
    assert report.ok and report.counts() == {"new": 3} and batch.startswith("OBS-")
    rows = {o.source: o for o in PriceObservation.objects.filter(import_batch=batch)}
    assert rows["off_platform"].hospital == hospital and rows["off_platform"].amount == Decimal("125.00")
    assert rows["off_platform"].region == hospital.region
    assert rows["other_province"].unit_price == Decimal("1.2000") and rows["other_province"].quantity == 24
    assert rows["other_province"].province == "吉林"


def test_xlsx_works_too(good_rows, official):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    for line in good_rows:
        ws.append(line.split(","))
    buffer = io.BytesIO()
    wb.save(buffer)
    report, _batch = observations_import(content=buffer.getvalue(), filename="obs.xlsx", by=official)
    assert report.ok and PriceObservation.objects.count() == 3


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("XA99ZZZ000A000000000000,医疗机构线下采购,2026-03-01,1.00,片,1,{uscc},", "不在产品目录中"),
        ("{code},医疗机构线下采购,2026-03-01,0,片,1,{uscc},", "必须大于零"),
        ("{code},医疗机构线下采购,2026-03-01,-2,片,1,{uscc},", "必须大于零"),
        ("{code},医疗机构线下采购,2026-03-01,一元,片,1,{uscc},", "不是有效的数字"),
        ("{code},医疗机构线下采购,{future},1.00,片,1,{uscc},", "晚于今天"),
        ("{code},医疗机构线下采购,2026-13-45,1.00,片,1,{uscc},", "不是日期"),
        ("{code},医疗机构线下采购,2026-03-01,1.00,支,1,{uscc},", "不是该产品的最小制剂单位"),
        ("{code},医疗机构线下采购,2026-03-01,1.00,片,1.5,{uscc},", "非负整数"),
        ("{code},医疗机构线下采购,2026-03-01,1.00,片,1,,", "线下采购必须填写医疗机构"),
        ("{code},外省价格,2026-03-01,1.00,片,1,,", "必须填写来源省份"),
        ("{code},平台入库验收,2026-03-01,1.00,片,1,{uscc},", "不能导入"),
        ("{code},天猫,2026-03-01,1.00,片,1,{uscc},", "来源"),
        ("{code},医疗机构线下采购,2026-03-01,1.00,片,1,不存在医院,", "不是已登记的医疗机构"),
    ],
)
def test_one_bad_row_names_itself_and_nothing_is_written(good_rows, official, product, hospital, bad, message):
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    line = bad.format(code=product.nhsa_code, uscc=hospital.uscc, future=future)
    report, batch = observations_import(content=csv(*good_rows, line), filename="obs.csv", by=official)
    assert not report.ok and batch == ""
    [error] = report.error_rows
    assert error.row == 5 and any(message in e for e in error.errors), error.errors
    assert PriceObservation.objects.count() == 0


def test_file_level_errors(official):
    with pytest.raises(ValidationFailed, match="缺少必需的列"):
        observations_import(content=csv("x", header="产品代码,单价\n"), filename="obs.csv", by=official)
    with pytest.raises(ValidationFailed, match="UTF-8"):
        observations_import(content="产品代码".encode("gbk") + b"\n", filename="obs.csv", by=official)
    with pytest.raises(ValidationFailed, match="为空"):
        observations_import(content=b"", filename="obs.csv", by=official)


def test_dry_run_writes_nothing(good_rows, official):
    report, batch = observations_import(content=csv(*good_rows), filename="obs.csv", by=official, dry_run=True)
    assert report.ok and batch == "" and PriceObservation.objects.count() == 0


def test_only_officials_import(good_rows, purchaser):
    with pytest.raises(PermissionDeniedError):
        observations_import(content=csv(*good_rows), filename="obs.csv", by=purchaser)


REF_HEADER = "产品代码,类型,单价,单位,生效日期,失效日期,来源,本产品中选\n"


def test_reference_prices_import_and_reimport(product, official):
    content = csv(
        f"{product.nhsa_code},医保支付标准,1.10,片,2026-01-01,,医保局文件,",
        f"{product.nhsa_code},national_lowest,12.00,盒,2026-01-01,2026-12-31,国家平台,",
        header=REF_HEADER,
    )
    report = reference_prices_import(content=content, filename="ref.csv", by=official)
    assert report.ok and report.counts() == {"new": 2}
    assert ReferencePrice.objects.get(kind="national_lowest").unit_price == Decimal("1.0000")
    again = reference_prices_import(content=content, filename="ref.csv", by=official)
    assert again.counts() == {"unchanged": 2}
    assert ReferencePrice.history.count() == 2


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{code},最便宜价,1.00,片,2026-01-01,,文件,", "类型"),
        ("{code},医保支付标准,1.00,片,2026-05-01,2026-04-01,文件,", "早于生效日期"),
        ("{code},医保支付标准,0,片,2026-01-01,,文件,", "必须大于零"),
        ("{code},医保支付标准,1.00,片,2026-01-01,,,", "来源"),
        ("{code},带量采购中选价,1.00,片,2026-01-01,,文件,也许", "是 或 否"),
    ],
)
def test_reference_price_bad_rows(product, official, bad, message):
    content = csv(
        f"{product.nhsa_code},医保支付标准,1.10,片,2026-01-01,,医保局文件,",
        bad.format(code=product.nhsa_code),
        header=REF_HEADER,
    )
    report = reference_prices_import(content=content, filename="ref.csv", by=official)
    [error] = report.error_rows
    assert error.row == 3 and any(message in e for e in error.errors), error.errors
    assert ReferencePrice.objects.count() == 0


def test_import_command(tmp_path, good_rows, official, product, hospital):
    from django.core.management import CommandError, call_command

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv(*good_rows, f"{product.nhsa_code},医疗机构线下采购,2026-03-01,0,片,1,{hospital.uscc},"))
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_prices", str(bad), "--user", official.username)
    assert PriceObservation.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_bytes(csv(*good_rows))
    call_command("import_prices", str(good), "--user", official.username, "--dry-run")
    assert PriceObservation.objects.count() == 0
    call_command("import_prices", str(good), "--user", official.username)
    assert PriceObservation.objects.count() == 3
