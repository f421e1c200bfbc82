"""Hostile input to the catalog, every way in (import, command, page): oversized uploads, compressed bombs,
invalid UTF-8, and injection strings in names — a clear error and nothing written, or stored as text and shown
escaped."""

import pytest
from django.test import Client

from catalog import services
from catalog.models import ImportJob, Product
from tests.catalog.test_bad_input import WAYS, csv_bytes, nhsa_rows, written
from tests.catalog.test_import_files import workbook as xlsx_bytes
from tests.catalog.test_import_nhsa import HEADERS
from tests.catalog.test_search import make
from tests.hostile import IMG, SCRIPT, many_members, zip_bomb
from tests.utils import api_as

# Every test runs in the catalog world of the bad-input suite (a hospital, one product held by another maker).
pytestmark = pytest.mark.usefixtures("catalog")


def invalid_utf8() -> bytes:
    good = csv_bytes(HEADERS, nhsa_rows())
    lines = good.split(b"\r\n") if b"\r\n" in good else good.split(b"\n")
    lines[3] = lines[3].replace("片".encode(), "片".encode("gbk"), 1) + b"\xff\xfe"
    return b"\n".join(lines)


@pytest.mark.django_db
@pytest.mark.parametrize("way", list(WAYS))
def test_an_oversized_upload_is_refused_naming_the_limit(platform_admin, tmp_path, settings, way):
    data = csv_bytes(HEADERS, nhsa_rows())
    settings.IMPORT_MAX_UPLOAD_BYTES = len(data) - 1
    before = written()
    errors = WAYS[way](tmp_path, platform_admin, "nhsa", "f.csv", data)
    assert len(errors) == 1 and errors[0][0] is None, errors
    assert "文件过大" in errors[0][1] and "不能超过" in errors[0][1], errors
    assert written() == before
    assert not ImportJob.objects.exists()  # the page refuses before storing the file


@pytest.mark.django_db
@pytest.mark.slow
@pytest.mark.parametrize("way", list(WAYS))
def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_unpacked(platform_admin, tmp_path, way):
    data = zip_bomb(520)  # over the default 500 MB, in well under 1 MB
    assert len(data) < 1024 * 1024
    before = written()
    errors = WAYS[way](tmp_path, platform_admin, "nhsa", "f.xlsx", data)
    assert len(errors) == 1 and errors[0][0] is None, errors
    assert "解压后为 520 MB，超过上限 500 MB" in errors[0][1], errors
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize("way", list(WAYS))
def test_a_real_workbook_over_the_unpacked_limit_is_refused(platform_admin, tmp_path, settings, way):
    data = xlsx_bytes({"总表": [HEADERS] + nhsa_rows() * 40})
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 20_000
    before = written()
    errors = WAYS[way](tmp_path, platform_admin, "nhsa", "f.xlsx", data)
    assert len(errors) == 1 and "超过上限" in errors[0][1] and "压缩炸弹" in errors[0][1], errors
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize("way", list(WAYS))
def test_a_workbook_with_too_many_parts_is_refused(platform_admin, tmp_path, way):
    before = written()
    errors = WAYS[way](tmp_path, platform_admin, "nhsa", "f.xlsx", many_members(1001))
    assert len(errors) == 1 and "1001 个部件，超过上限 1000" in errors[0][1], errors
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize("way", list(WAYS))
def test_a_truncated_workbook_is_refused(platform_admin, tmp_path, way):
    data = xlsx_bytes({"总表": [HEADERS] + nhsa_rows()})
    before = written()
    errors = WAYS[way](tmp_path, platform_admin, "nhsa", "f.xlsx", data[: len(data) // 2])
    assert len(errors) == 1 and "无法读取 Excel 文件" in errors[0][1], errors
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize("way", list(WAYS))
def test_invalid_utf8_is_refused_naming_the_line(platform_admin, tmp_path, way):
    before = written()
    errors = WAYS[way](tmp_path, platform_admin, "nhsa", "f.csv", invalid_utf8())
    assert len(errors) == 1 and "UTF-8" in errors[0][1], errors
    assert written() == before


def test_the_upload_middleware_refuses_a_huge_multipart_body_before_reading_it(db, platform_admin, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    client = Client()
    client.force_login(platform_admin)
    body = b"x" * (3 * 1024 * 1024)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/catalog/imports/new/", {"file": SimpleUploadedFile("f.csv", body), "layout": "nhsa"})
    assert response.status_code == 413
    assert "文件不能超过" in response.content.decode()
    assert not ImportJob.objects.exists()


# --- injection strings: stored as text, shown escaped ------------------------------------------------------
SQL = "'; DROP TABLE catalog_product; --"


@pytest.fixture
def hostile_product(db):
    return make("阿莫西林胶囊", "XJ01CAA040E001010100483", trade_name=f"{SCRIPT}{SQL}", remarks=IMG)


@pytest.mark.django_db
def test_injection_strings_are_stored_as_text(hostile_product):
    stored = Product.objects.get(pk=hostile_product.pk)
    assert stored.trade_name == f"{SCRIPT}{SQL}"
    assert stored.remarks == IMG
    assert Product.objects.filter(trade_name__startswith=SCRIPT).count() == 1  # the table is still there


@pytest.mark.django_db
def test_injection_strings_are_escaped_in_the_pages(hostile_product, purchaser):
    client = Client()
    client.force_login(purchaser)
    for url in (f"/catalog/products/{hostile_product.pk}/", "/catalog/?q=阿莫西林"):
        html = client.get(url).content.decode()
        assert "&lt;script&gt;alert(" in html, url
        assert SCRIPT not in html and "<img src=x" not in html, url


@pytest.mark.django_db
def test_injection_strings_in_a_search_are_text(hostile_product, purchaser):
    client = Client()
    client.force_login(purchaser)
    count = Product.objects.count()
    for query in (SQL, "' OR '1'='1", SCRIPT, "%", "_", "\\"):
        response = client.get("/catalog/", {"q": query})
        assert response.status_code == 200, query
        assert SCRIPT not in response.content.decode(), query
        api = api_as(purchaser).get("/api/v1/products/", {"q": query})
        assert api.status_code == 200, query
        assert api["Content-Type"].startswith("application/json")
    assert Product.objects.count() == count


@pytest.mark.django_db
def test_the_api_returns_injection_strings_as_json_text(hostile_product, purchaser):
    response = api_as(purchaser).get(f"/api/v1/products/{hostile_product.pk}/")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["trade_name"] == f"{SCRIPT}{SQL}"


@pytest.mark.django_db
def test_a_nul_character_in_a_name_is_refused_by_the_service(db, official):
    from common.errors import ValidationFailed

    product = make("布洛芬片", "XM01AEB101A001010100483")
    with pytest.raises(ValidationFailed) as error:
        services.product_update(product=product, by=official, trade_name="芬必得\x00")
    assert (error.value.code, error.value.field) == ("invalid", "trade_name")
    assert "控制字符（U+0000）" in error.value.message
    assert Product.objects.get(pk=product.pk).trade_name == product.trade_name


@pytest.mark.django_db
@pytest.mark.parametrize("way", list(WAYS))
def test_a_nul_character_in_a_file_is_refused_naming_row_and_column(platform_admin, tmp_path, way):
    before = written()
    errors = WAYS[way](tmp_path, platform_admin, "nhsa", "f.csv", csv_bytes(HEADERS, nhsa_rows(商品名称="芬必得\x00")))
    assert [row for row, _ in errors] == [6], errors
    assert "商品名称" in errors[0][1] and "U+0000" in errors[0][1], errors
    assert written() == before


@pytest.mark.django_db
def test_a_nul_character_in_a_code_is_refused_naming_row_and_column(platform_admin, tmp_path):
    """The code is looked up in the database (duplicates, the product holding it), which takes no NUL in text."""
    before = written()
    rows = nhsa_rows()
    rows[4][0] = rows[4][0][:5] + "\x00" + rows[4][0][5:]
    errors = WAYS["command"](tmp_path, platform_admin, "nhsa", "f.csv", csv_bytes(HEADERS, rows))
    assert [row for row, _ in errors] == [6], errors
    assert "药品代码" in errors[0][1], errors
    assert written() == before
