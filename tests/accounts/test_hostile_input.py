"""Hostile input to organisations: bad files through the command and the admin import (clear error, nothing
written), and injection strings in names stored as text, shown escaped in pages and admin, plain text in the API."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from import_export.formats.base_formats import CSV, XLSX

from accounts.models import Organization
from common.admin import LimitedImportForm
from tests.factories import HospitalFactory
from tests.hostile import BAD_FILES, IMG, SCRIPT, SQL
from tests.utils import api_as

GOOD = (
    "机构名称,机构类型,统一社会信用代码,所在地区代码\n呼和浩特市第九医院,医疗机构,12150100MB1234567X,150100\n"
).encode()


def organizations():
    return sorted(Organization.objects.values_list("name", "uscc")), Organization.history.count()


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_the_import_command_refuses_a_hostile_file_and_writes_nothing(case, tmp_path, settings):
    name, build, overrides, words = BAD_FILES[case]
    for key, value in overrides.items():
        setattr(settings, key, value)
    path = tmp_path / name
    path.write_bytes(build(GOOD))
    before = organizations()
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_organizations", str(path), stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert words in err.getvalue(), err.getvalue()
    assert organizations() == before


@pytest.mark.parametrize("case", ["oversized", "zip-bomb", "too-many-parts", "truncated-xlsx"])
def test_the_admin_import_form_refuses_a_hostile_file(case, settings):
    name, build, overrides, words = BAD_FILES[case]
    for key, value in overrides.items():
        setattr(settings, key, value)
    from accounts.resources import OrganizationResource

    form = LimitedImportForm(
        [CSV, XLSX],
        [OrganizationResource],
        data={"format": "0" if name.endswith(".csv") else "1", "resource": "0"},
        files={"import_file": SimpleUploadedFile(name, build(GOOD))},
    )
    assert not form.is_valid()
    assert words in " ".join(form.errors["import_file"]), form.errors


@pytest.mark.django_db
def test_the_admin_import_page_uses_the_limited_form(platform_admin, settings):
    platform_admin.is_superuser = True
    platform_admin.save()
    settings.IMPORT_MAX_UPLOAD_BYTES = 64
    client = Client()
    client.force_login(platform_admin)
    before = organizations()
    response = client.post(
        "/admin/accounts/organization/import/", {"format": "0", "import_file": SimpleUploadedFile("f.csv", GOOD)}
    )
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert organizations() == before


@pytest.fixture
def hostile_org(db):
    return HospitalFactory(name=f"{SCRIPT}{SQL}", address=IMG, short_name="<b>短</b>")


@pytest.mark.django_db
def test_injection_strings_in_names_are_stored_as_text(hostile_org):
    assert Organization.objects.get(pk=hostile_org.pk).name == f"{SCRIPT}{SQL}"


@pytest.mark.django_db
def test_injection_strings_are_escaped_in_pages_and_admin(hostile_org, official, platform_admin):
    platform_admin.is_superuser = True
    platform_admin.save()
    pages = [
        (official, "/accounts/organizations/"),
        (official, f"/accounts/organizations/{hostile_org.pk}/"),
        (platform_admin, "/admin/accounts/organization/"),
        (platform_admin, f"/admin/accounts/organization/{hostile_org.pk}/change/"),
        (platform_admin, f"/admin/accounts/organization/{hostile_org.pk}/history/"),
    ]
    for user, url in pages:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "&lt;script&gt;alert(" in html, url
        assert SCRIPT not in html and "<img src=x" not in html and "<b>短</b>" not in html, url


@pytest.mark.django_db
def test_the_api_returns_names_as_json_text(hostile_org, official):
    response = api_as(official).get(f"/api/v1/organizations/{hostile_org.pk}/")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["name"] == f"{SCRIPT}{SQL}"
    for query in (SQL, "' OR 1=1 --", SCRIPT):
        assert api_as(official).get("/api/v1/organizations/", {"search": query}).status_code == 200
        assert Client().get("/accounts/organizations/", {"q": query}).status_code == 302  # login first


@pytest.mark.django_db
def test_the_import_refuses_a_bidi_control_in_a_name_and_keeps_mongolian_joiners(tmp_path):
    from accounts.uscc import check_character

    uscc = "12150100MB1234567" + check_character("12150100MB1234567")
    good = (
        GOOD.decode()
        .replace("12150100MB1234567X", uscc)
        .replace("所在地区代码\n", "所在地区代码,医院等级,医院类型,所有制\n")
        .replace(",150100\n", ",150100,三级,蒙医医院,公立\n")
    )
    bad = good.replace("呼和浩特市第九医院", "呼和浩特市\u202e院医九第").encode()
    path = tmp_path / "bidi.csv"
    path.write_bytes(bad)
    before = organizations()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_organizations", str(path), stdout=out, stderr=err)
    assert "U+202E" in out.getvalue() + err.getvalue(), out.getvalue() + err.getvalue()
    assert organizations() == before
    mongolian = "ᠬᠥᠬᠡᠬᠣᠲᠠ\u180eᠶᠢᠨ ᠡᠮᠨᠡᠯᠭᠡ\u202fᠶᠢᠨ\u200d"
    path.write_bytes(good.replace("呼和浩特市第九医院", mongolian).encode())
    out = io.StringIO()
    try:
        call_command("import_organizations", str(path), stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(out.getvalue())
    assert Organization.objects.filter(name=mongolian).exists()
