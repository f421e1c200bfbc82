"""docs/api-errors.md lists every error code (scripts/error_codes.py writes the table): adding a member to an app's
enum without regenerating the page fails here."""

import importlib
import inspect
from pathlib import Path

from common.errors import ErrorCode
from scripts import error_codes


def test_the_page_lists_every_error_code_as_the_script_writes_it():
    page = error_codes.DOC.read_text(encoding="utf-8")
    assert error_codes.render(page) == page, "docs/api-errors.md is out of date: run scripts/error_codes.py"


def test_every_enum_of_every_apps_errors_module_is_listed():
    listed = {(code, where.split("`")[1]) for code, where, _status, _meaning in error_codes.rows()}
    for name in error_codes.error_modules():
        module = importlib.import_module(name)
        for enum in vars(module).values():
            if inspect.isclass(enum) and issubclass(enum, ErrorCode) and enum is not ErrorCode:
                assert {(m.value, enum.__name__) for m in enum} <= listed, enum
    assert {"common.errors", "accounts.errors", "catalog.errors"} <= set(error_codes.error_modules())


def test_a_code_raised_with_an_error_class_gets_its_status():
    rows = {code: status for code, _where, status, _meaning in error_codes.rows()}
    assert rows["already_inactive"] == "409"  # ConflictError(…, code=AccountsError.ALREADY_INACTIVE)
    assert rows["integration_token"] == "403"  # PermissionDeniedError
    assert rows["invalid_uscc"] == "400"  # Django's ValidationError in a field validator
    assert rows["throttled"] == "429"  # from the member's comment: the response is built by hand


def test_the_script_runs_from_the_command_line_in_check_mode():
    assert Path(error_codes.__file__).name == "error_codes.py"
    assert error_codes.main(["--check"]) == 0
