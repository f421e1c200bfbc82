"""Organisation import through the admin: a bad row is reported and nothing is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Organization

HEADER = "机构名称,机构类型,统一社会信用代码,所在地区代码,医院等级,医院类型,所有制,有效\n"
GOOD = "后台导入医院,医疗机构,12100000400000624D,150100,二级,蒙医医院,公立,是\n"
BAD = "后台导入坏行,配送企业,91350100M000100Y44,150100,,,,是\n"


def csv_format_index(client) -> str:
    html = client.get("/admin/accounts/organization/import/").content.decode()
    import re

    match = re.search(r'<option value="(\d+)">csv</option>', html)
    assert match, "csv format not offered"
    return match.group(1)


def post_import(client, content: str):
    upload = SimpleUploadedFile("orgs.csv", content.encode("utf-8"), content_type="text/csv")
    return client.post(
        "/admin/accounts/organization/import/",
        {"import_file": upload, "format": csv_format_index(client), "resource": "0"},
    )


@pytest.mark.django_db
def test_admin_import_with_a_bad_row_shows_the_error_and_writes_nothing(platform_admin):
    client = Client()
    client.force_login(platform_admin)
    response = post_import(client, HEADER + GOOD + BAD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "校验位错误" in html
    assert 'name="confirm"' not in html and "process_import" not in html
    assert not Organization.objects.filter(name__startswith="后台导入").exists()


@pytest.mark.django_db
def test_admin_import_of_a_good_file_is_confirmed_then_written(platform_admin):
    client = Client()
    client.force_login(platform_admin)
    response = post_import(client, HEADER + GOOD)
    html = response.content.decode()
    assert "process_import" in html
    assert not Organization.objects.filter(name="后台导入医院").exists()  # the first step is a dry run
    import re

    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', html))
    confirm = {k: fields[k] for k in ("import_file_name", "original_file_name", "format", "resource") if k in fields}
    done = client.post("/admin/accounts/organization/process_import/", confirm)
    assert done.status_code == 302, done.content.decode()[:2000]
    assert Organization.objects.get(name="后台导入医院").hospital_type == "mongolian"
