"""scripts/code_stats.py measures what docs/development.md shows: the largest modules and the function-local imports."""

from scripts import code_stats


def test_the_block_lists_the_largest_modules_and_the_local_imports_of_every_app():
    data = code_stats.stats()
    sizes = [lines for lines, _name in data["largest"]]
    assert len(sizes) == code_stats.LARGEST and sizes == sorted(sizes, reverse=True)
    assert all(not name.startswith("tests/") and "/migrations/" not in name for _lines, name in data["largest"])
    assert data["justified"]["config"] >= 1  # the embedded server's deferred import says why
    block = code_stats.block()
    assert "| accounts |" in block and "| settlement |" in block and "**all**" in block


def test_the_page_has_the_block_the_script_rewrites():
    page = code_stats.DOC.read_text(encoding="utf-8")
    assert code_stats.BEGIN_MARK in page and code_stats.END_MARK in page
    assert code_stats.render(page).count(code_stats.BEGIN_MARK) == 1
