"""The catalog in the admin: product list, search, history, export in the layouts, edits through the services."""

import csv
import io
import re

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from catalog.imports.pipeline import import_file
from catalog.imports.report import ImportReport
from catalog.models import ImportJob, Product
from tests.catalog.test_import_nhsa import HEADERS, SAMPLE
from tests.factories import ManufacturerFactory, ProductFactory, UserFactory


@pytest.fixture
def admin_client(agency):
    user = UserFactory(username="root", organization=agency, roles=["platform_admin"], is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def sample(db):
    result = import_file(io.BytesIO(SAMPLE.read_bytes()), name="s.csv", layout="nhsa", report=ImportReport())
    assert result.ok
    return Product.objects.get(nhsa_code="XA01ABD075A002010100483")


@pytest.mark.django_db
def test_the_product_list_filters_and_links_to_the_import_page(admin_client, sample):
    ProductFactory(nhsa_code="XA01ABD075A002019900001", generic_name="布洛芬片", shortage=True)
    html = admin_client.get("/admin/catalog/product/").content.decode()
    for name in ("category", "insurance_class", "high_value", "shortage", "is_active"):
        assert f"{name}__exact=" in html, name
    assert 'href="/catalog/imports/new/"' in html and "/admin/catalog/product/export/" in html
    shortage = admin_client.get("/admin/catalog/product/?shortage__exact=1").content.decode()
    assert "XA01ABD075A002019900001" in shortage and "XA01ABD075A002010100483" not in shortage


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["dklahp", "XA01ABD075A0020101004", "地喹氯铵"])
def test_search_by_pinyin_initials_code_or_name(admin_client, sample, query):
    ProductFactory(nhsa_code="XA01ABD075A002019900001", generic_name="布洛芬片", name_initials="blfp")
    html = admin_client.get("/admin/catalog/product/", {"q": query}).content.decode()
    assert "XA01ABD075A002010100483" in html and "XA01ABD075A002019900001" not in html


@pytest.mark.django_db
def test_the_history_of_an_imported_product_is_visible(admin_client, sample):
    html = admin_client.get(f"/admin/catalog/product/{sample.pk}/history/").content.decode()
    assert "目录导入" in html  # the import's change reason


@pytest.mark.django_db
def test_the_manufacturer_is_picked_with_autocomplete(admin_client, sample):
    html = admin_client.get(f"/admin/catalog/product/{sample.pk}/change/").content.decode()
    assert re.search(r'<select name="manufacturer"[^>]*admin-autocomplete', html)


@pytest.mark.django_db
def test_an_admin_edit_goes_through_the_catalog_rules_and_leaves_history(admin_client, sample):
    data = {
        k: ("" if v is None else v)
        for k, v in model_to_dict(sample).items()
        if k not in ("id", "name_pinyin", "name_initials")
    }
    data.update({"pack_size": 36, "_save": "保存"})
    for flag in ("negotiated", "consistency_evaluated", "shortage", "mongolian_medicine", "high_value", "is_active"):
        if not data[flag]:
            data.pop(flag)
    response = admin_client.post(f"/admin/catalog/product/{sample.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    sample.refresh_from_db()
    assert sample.pack_size == 36
    latest = sample.history.latest()
    assert latest.history_change_reason == "管理后台修改" and latest.history_user == admin_client.user

    data.update({"category": "mongolian_patent", "nhsa_code": "ZA04BAL0012010102286", "insurance_class": "B"})
    response = admin_client.post(f"/admin/catalog/product/{sample.pk}/change/", data)
    assert response.status_code == 200 and "按甲类管理" in response.content.decode()
    sample.refresh_from_db()
    assert sample.category == "chemical" and sample.insurance_class == ""


def admin_export(client, resource: int, query: str = "") -> list[list[str]]:
    page = client.get(f"/admin/catalog/product/export/{query}").content.decode()
    fmt = re.search(r'<option value="(\d+)">csv</option>', page).group(1)
    response = client.post(f"/admin/catalog/product/export/{query}", {"format": fmt, "resource": str(resource)})
    assert response.status_code == 200, response.content[:500]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_the_admin_exports_in_the_layouts_and_the_file_imports_back(admin_client, sample):
    ProductFactory(
        nhsa_code="C0301012110000102617",
        category="consumable",
        generic_name="支架",
        manufacturer=ManufacturerFactory(name="乐普（北京）医疗器械股份有限公司"),
    )
    rows = admin_export(admin_client, 0)
    assert rows[0] == HEADERS and len(rows) == 12  # the consumable is not a row of the NHSA layout
    consumables = admin_export(admin_client, 2)
    assert consumables[0][:2] == ["医保代码", "耗材名称"] and [r[0] for r in consumables[1:]] == [
        "C0301012110000102617"
    ]
    filtered = admin_export(admin_client, 0, "?q=XA01ABD075A0020101004")
    assert [r[0] for r in filtered[1:]] == ["XA01ABD075A002010100483"]

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    result = import_file(io.BytesIO(out.getvalue().encode()), name="admin.csv", layout="nhsa", report=ImportReport())
    assert result.ok and result.counts["unchanged"] == 11


@pytest.mark.django_db
def test_import_jobs_are_read_only_in_the_admin(admin_client):
    job = ImportJob.objects.create(layout="nhsa", original_name="x.csv", status="succeeded")
    assert admin_client.get("/admin/catalog/importjob/").status_code == 200
    assert admin_client.get("/admin/catalog/importjob/add/").status_code == 403
    page = admin_client.get(f"/admin/catalog/importjob/{job.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.post(f"/admin/catalog/importjob/{job.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ImportJob.objects.filter(pk=job.pk).exists()


@pytest.mark.django_db
def test_a_product_added_in_the_admin_goes_through_the_service(admin_client):
    maker = ManufacturerFactory(name="华润双鹤药业股份有限公司")
    data = {
        "category": "chemical",
        "nhsa_code": "xa01abd075a002010200144 ",
        "generic_name": "地喹氯铵含片",
        "pack_size": 12,
        "min_unit": "片",
        "pack_unit": "盒",
        "manufacturer": maker.pk,
        "is_active": "on",
        "approval_number": "国药准字H11021869",
        "_save": "保存",
    }
    response = admin_client.post("/admin/catalog/product/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get()
    assert product.nhsa_code == "XA01ABD075A002010200144"  # normalised by the catalog rules
    assert product.name_initials == "dklahp" and product.history.get().history_user == admin_client.user
