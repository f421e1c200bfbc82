"""`manage.py import_catalog FILE --layout … [--dry-run]`: the per-row report and the exit status."""

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Product
from tests.catalog.test_import_nhsa import HEADERS, ROWS, SAMPLE, edited, to_csv


@pytest.fixture
def sample_file(tmp_path):
    path = tmp_path / "nhsa.csv"
    path.write_bytes(SAMPLE.read_bytes())
    return path


@pytest.mark.django_db
def test_a_good_file_is_imported_and_the_command_exits_zero(sample_file, capsys):
    call_command("import_catalog", str(sample_file), "--layout", "nhsa")
    out = capsys.readouterr().out
    assert "第 2 行 XA01ABD075A002010100483 新增" in out and "已导入" in out
    assert Product.objects.count() == 11


@pytest.mark.django_db
def test_dry_run_exits_zero_and_writes_nothing(sample_file, capsys):
    call_command("import_catalog", str(sample_file), "--layout", "nhsa", "--dry-run")
    out = capsys.readouterr().out
    assert out.count(" 新增\n") == 11 and "仅校验，未写入" in out
    assert Product.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_bad_row_exits_nonzero_with_the_row_errors_and_writes_nothing(tmp_path, capsys, dry_run):
    path = tmp_path / "bad.csv"
    path.write_bytes(to_csv(HEADERS, ROWS[:3] + [edited(ROWS[3], 最小包装数量="-1")]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_catalog", str(path), "--layout", "nhsa", *(["--dry-run"] if dry_run else []))
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert "第 5 行 XA01ABD075A002010200483 错误：最小包装数量：最小包装数量应大于 0，实际为 -1" in captured.out
    assert "有 1 行错误，未导入任何数据" in captured.err
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_a_file_of_the_wrong_layout_exits_nonzero(sample_file, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_catalog", str(sample_file), "--layout", "consumables")
    assert exit_info.value.code == 1
    assert "缺少必需的列：医保代码、耗材名称" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_catalog", str(tmp_path / "nothing.csv"), "--layout", "nhsa")
