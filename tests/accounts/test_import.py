import pytest

from accounts.models import Organization
from accounts.resources import OrganizationResource
from common.errors import CommonError, ValidationFailed
from common.importing import load_dataset, require_headers, run_resource_import

HEADER = "机构名称,机构类型,统一社会信用代码,所在地区代码,医院等级,医院类型,所有制,有效\n"
GOOD_ROWS = (
    "导入测试第一医院,医疗机构,12100000400000624D,150100,三级,综合医院,公立,是\n"
    "导入测试配送有限公司,配送企业,91110000600037341L,150200,,,,是\n"
)


def import_text(text: str, *, dry_run: bool = False):
    dataset = load_dataset(text.encode("utf-8"), name="orgs.csv")
    require_headers(dataset, OrganizationResource.REQUIRED_HEADERS)
    return run_resource_import(OrganizationResource(), dataset, dry_run=dry_run)


@pytest.mark.django_db
def test_good_file_imports_every_row_and_reimport_changes_nothing():
    report = import_text(HEADER + GOOD_ROWS)
    assert report.written, report.lines()
    assert report.counts() == {"new": 2}
    hospital = Organization.objects.get(uscc="12100000400000624D")
    assert hospital.hospital_level == "3" and hospital.region.code == "150100"
    again = import_text(HEADER + GOOD_ROWS)
    assert again.counts() == {"unchanged": 2}


@pytest.mark.django_db
def test_dry_run_reports_but_writes_nothing():
    report = import_text(HEADER + GOOD_ROWS, dry_run=True)
    assert report.ok and not report.written
    assert report.counts() == {"new": 2}
    assert not Organization.objects.filter(uscc="12100000400000624D").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad_row, row_message",
    [
        ("坏代码公司,配送企业,91350100M000100Y44,150100,,,,是\n", "统一社会信用代码"),
        ("未知地区公司,配送企业,91350100M000100Y43,150199,,,,是\n", "未知的行政区划代码“150199”"),
        ("缺等级医院,医疗机构,91350100M000100Y43,150100,,综合医院,公立,是\n", "医疗机构必须填写此项"),
        ("错类型公司,药店,91350100M000100Y43,150100,,,,是\n", "机构类型“药店”无效"),
    ],
)
def test_a_bad_row_names_its_row_and_nothing_is_written(bad_row, row_message):
    before = Organization.objects.count()
    report = import_text(HEADER + GOOD_ROWS + bad_row)
    assert not report.ok and not report.written
    [error] = report.error_rows
    assert error.row == 4  # header is row 1, the two good rows are 2 and 3
    assert any(row_message in e for e in error.errors), error.errors
    assert Organization.objects.count() == before


def test_missing_header_and_empty_file_are_clear_errors():
    with pytest.raises(ValidationFailed, match="缺少必需的列：统一社会信用代码") as missing:
        dataset = load_dataset("机构名称,机构类型,所在地区代码\n甲,医疗机构,150100\n".encode(), name="x.csv")
        require_headers(dataset, OrganizationResource.REQUIRED_HEADERS)
    assert missing.value.code == CommonError.MISSING_COLUMNS
    with pytest.raises(ValidationFailed) as empty:
        load_dataset(b"", name="x.csv")
    assert (empty.value.code, empty.value.field) == (CommonError.EMPTY_FILE, "file")
    with pytest.raises(ValidationFailed) as not_a_workbook:
        load_dataset(b"not a zip", name="x.xlsx")
    assert not_a_workbook.value.code == CommonError.BAD_FILE


@pytest.mark.django_db
def test_management_command_exits_nonzero_on_a_bad_row(tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "orgs.csv"
    path.write_text(HEADER + GOOD_ROWS + "坏代码公司,配送企业,123,150100,,,,是\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("import_organizations", str(path))
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "第 4 行 error" in out
    assert not Organization.objects.filter(uscc="12100000400000624D").exists()
    path.write_text(HEADER + GOOD_ROWS, encoding="utf-8")
    call_command("import_organizations", str(path))
    assert Organization.objects.filter(uscc="12100000400000624D").exists()
