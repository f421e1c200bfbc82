"""Export of a catalog search in the import layouts; exporting then importing the file changes nothing."""

import csv
import io

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from openpyxl import load_workbook

from catalog.imports.pipeline import import_file
from catalog.imports.report import ImportReport
from catalog.models import Product
from tests.catalog.test_import_nhsa import HEADERS, SAMPLE
from tests.catalog.test_import_platform import (
    CONSUMABLE_HEADERS,
    DRUG_HEADERS,
    GOOD_CONSUMABLES,
    GOOD_DRUGS,
    HOSPITAL,
)
from tests.catalog.test_import_platform import to_csv as rows_to_csv
from tests.factories import HospitalFactory


def load(data: bytes, layout: str, name: str = "in.csv"):
    result = import_file(io.BytesIO(data), name=name, layout=layout, report=ImportReport())
    assert result.ok, result.summary()
    return result


def export(user, **params):
    client = Client()
    client.force_login(user)
    return client.get("/catalog/export/", params)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


@pytest.fixture
def catalog(db):
    HospitalFactory(name=HOSPITAL, hospital_type="mongolian")
    load(SAMPLE.read_bytes(), "nhsa")
    load(rows_to_csv(DRUG_HEADERS, GOOD_DRUGS), "platform")
    load(rows_to_csv(CONSUMABLE_HEADERS, GOOD_CONSUMABLES), "consumables")


@pytest.mark.django_db
def test_everybody_signed_in_may_export_and_csv_is_streamed(catalog, purchaser):
    response = export(purchaser, layout="nhsa", format="csv")
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    data = body(export(purchaser, layout="nhsa"))
    assert data.startswith("\ufeff".encode())  # Excel needs the BOM to read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    by_code = {r[0]: dict(zip(HEADERS, r, strict=True)) for r in rows[1:]}
    # the sample's 11 and the 蒙成药 with a national code; not the consumables, nor products with provincial codes
    assert len(by_code) == 12 and "ZA04BAL0012010102286" in by_code
    assert "C0301012110000102617" not in by_code and "NMY150100000002" not in by_code
    row = by_code["XA01ABD075A002010100483"]
    assert row["商品名称"] == "无" and row["2025版甲乙类"] == "无" and row["生产企业"] == "汕头经济特区明治医药有限公司"
    assert row["最小包装数量"] == "24" and row["药品本位码"] == "86900483000019"


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get("/catalog/export/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("layout", ["nhsa", "platform", "consumables"])
def test_export_then_import_changes_nothing(catalog, purchaser, layout, fmt):
    response = export(purchaser, layout=layout, format=fmt)
    data = body(response) if fmt == "csv" else b"".join(response.streaming_content)
    if fmt == "xlsx":
        assert isinstance(response, FileResponse)
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        assert workbook.sheetnames == [{"nhsa": "总表", "platform": "药品", "consumables": "耗材"}[layout]]
    history = Product.history.count()
    updated = sorted(Product.objects.values_list("nhsa_code", "updated_at"))
    result = import_file(io.BytesIO(data), name=f"export.{fmt}", layout=layout, report=ImportReport())
    assert result.ok, result.summary()
    assert result.rows > 0 and result.counts["unchanged"] == result.rows
    assert Product.history.count() == history
    assert sorted(Product.objects.values_list("nhsa_code", "updated_at")) == updated


@pytest.mark.django_db
def test_the_export_follows_the_search_parameters(catalog, purchaser):
    codes = lambda **params: [r[1] for r in csv_rows(export(purchaser, layout="platform", **params))[1:]]  # noqa: E731
    assert codes(category="mongolian_pieces") == ["NMY150100000002"]
    assert codes(q="扎冲") == ["ZA04BAL0012010102286"]
    assert codes(shortage="1") == ["NMY150100000002"]
    assert sorted(codes(insurance_class="B")) == ["NMT150100000004"]
    assert len(codes(insurance_class="none")) == 11  # the sample's drugs are not in the insurance catalog
    Product.objects.filter(nhsa_code="NMT150100000004").update(is_active=False)
    assert "NMT150100000004" not in codes()  # active products by default, as the search
    assert "NMT150100000004" in codes(active="0")
    consumables = csv_rows(export(purchaser, layout="consumables", high_value="1"))
    header = consumables[0]
    assert set(CONSUMABLE_HEADERS) <= set(header)
    assert [r[0] for r in consumables[1:]] == ["C0301012110000102617"]
    assert consumables[1][header.index("高值耗材类别")] == "血管介入"


@pytest.mark.django_db
def test_an_unknown_layout_is_not_found(purchaser):
    assert export(purchaser, layout="other").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "layout, params, expected",
    [
        ("nhsa", {"q": "dklahp"}, 11),  # a pinyin search
        ("nhsa", {"q": "XA01ABD075A00201020"}, 3),  # a code prefix
        ("platform", {"category": "mongolian_pieces"}, 1),
        ("platform", {"insurance_class": "A"}, 3),  # the Mongolian medicines, 甲 by rule
        ("consumables", {"high_value": "1"}, 1),
    ],
)
def test_a_search_result_exported_imports_back_with_every_row_unchanged(
    catalog, purchaser, layout, params, expected, fmt
):
    response = export(purchaser, layout=layout, format=fmt, **params)
    data = b"".join(response.streaming_content)
    history = Product.history.count()
    before = sorted(Product.objects.values_list("nhsa_code", "updated_at"))
    result = import_file(io.BytesIO(data), name=f"search.{fmt}", layout=layout, report=ImportReport())
    assert result.ok, result.summary()
    assert result.counts == {"new": 0, "changed": 0, "unchanged": expected, "error": 0}
    assert Product.history.count() == history
    assert sorted(Product.objects.values_list("nhsa_code", "updated_at")) == before
