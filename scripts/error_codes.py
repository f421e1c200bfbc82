"""Write the list of every API error code into docs/api-errors.md (between its `error-codes` markers).

    .venv/bin/python scripts/error_codes.py           # rewrite the table
    .venv/bin/python scripts/error_codes.py --check   # exit 1 when the page is out of date (tests/test_error_codes_doc.py)

The codes are the members of every `common.errors.ErrorCode` enum, found by importing each app's `errors` module
(`<app>/errors.py`, or any `errors.py` inside an app package): a new member or a new enum appears without changing
this script. For each code the table gives

- the app and enum that define it;
- the HTTP status it is raised with, read from the source: every error class of common.errors (and their
  subclasses) called with `code=<Enum>.<MEMBER>` anywhere in the apps gives its status, a Django or DRF
  `ValidationError(…, code=…)` gives 400, and a trailing `(NNN)` in the member's comment adds a status the calls
  do not show (a response built by hand, a code chosen from a table);
- its meaning: the comment on the member's line (or the lines just above it).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import re
import sys
import tokenize
from collections import defaultdict
from enum import Enum
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api-errors.md"
START = "<!-- error-codes:start (scripts/error_codes.py writes this table; do not edit it by hand) -->"
END = "<!-- error-codes:end -->"
SKIP_DIRS = {"tests", "migrations", "bench", "scripts", "docs", "static", "templates", "locale", "node_modules"}
# Codes checked by field validation (Django's and DRF's ValidationError): a 400.
VALIDATION_ERRORS = {"ValidationError"}
_STATUS_IN_COMMENT = re.compile(r"\s*\((\d{3}(?:,\s*\d{3})*)\)\s*$")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()


def app_dirs() -> list[Path]:
    """The project's apps: top-level packages with an apps.py (Django apps), in the order the platform layers them."""
    return sorted((p.parent for p in ROOT.glob("*/apps.py")), key=lambda p: (_LAYERS.get(p.name, 99), p.name))


_LAYERS = {"common": 0, "accounts": 1, "catalog": 2, "procurement": 3, "pricing": 4, "settlement": 5}


def error_modules() -> list[str]:
    modules = []
    for app in app_dirs():
        for path in sorted(app.rglob("errors.py")):
            if SKIP_DIRS.isdisjoint(path.relative_to(ROOT).parts):
                modules.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return modules


def enums() -> list[type[Enum]]:
    """Every ErrorCode enum of the apps, in layer order, each once."""
    from common.errors import ErrorCode  # noqa: PLC0415 - importable once setup_django() put the root on sys.path

    for name in error_modules():
        importlib.import_module(name)
    found: list[type[Enum]] = []
    pending = list(ErrorCode.__subclasses__())
    while pending:
        enum = pending.pop(0)
        if enum not in found and enum.__module__.split(".")[0] in _app_names():
            found.append(enum)
        pending.extend(enum.__subclasses__())
    return sorted(found, key=lambda e: (_LAYERS.get(e.__module__.split(".")[0], 99), e.__module__, _line_of(e)))


def _app_names() -> set[str]:
    return {p.name for p in app_dirs()}


def _line_of(enum: type[Enum]) -> int:
    return _class_node(enum).lineno


def _class_node(enum: type[Enum]) -> ast.ClassDef:
    tree = ast.parse(Path(sys.modules[enum.__module__].__file__).read_text(encoding="utf-8"))
    return next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == enum.__name__)


def _comments(path: Path) -> dict[int, str]:
    """Line number → the text of the comment on it."""
    with tokenize.open(path) as source:
        return {
            token.start[0]: token.string.lstrip("#").strip()
            for token in tokenize.generate_tokens(source.readline)
            if token.type == tokenize.COMMENT
        }


def meanings(enum: type[Enum]) -> dict[str, str]:
    """Member name → its comment: the one ending its line, else the comment lines right above it."""
    path = Path(sys.modules[enum.__module__].__file__)
    comments = _comments(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    found = {}
    for node in _class_node(enum).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        text = comments.get(node.end_lineno, "")
        line = node.lineno - 1
        above = []
        while not text and line > 0 and lines[line - 1].strip().startswith("#"):
            above.insert(0, comments.get(line, ""))
            line -= 1
        found[node.targets[0].id] = text or " ".join(above)
    return found


def _error_statuses() -> dict[str, int]:
    """Class name → HTTP status, for common.errors.DomainError and every subclass the apps define."""
    from common.errors import DomainError  # noqa: PLC0415 - importable once setup_django() put the root on sys.path

    statuses, pending = {}, [DomainError]
    while pending:
        cls = pending.pop()
        statuses[cls.__name__] = cls.status_code
        pending.extend(cls.__subclasses__())
    return statuses


def raised_statuses(enum_names: set[str]) -> dict[tuple[str, str], set[int]]:
    """(enum, member) → the statuses of the errors raised with it anywhere in the apps' code."""
    statuses = _error_statuses()
    found: dict[tuple[str, str], set[int]] = defaultdict(set)
    for app in app_dirs():
        for path in app.rglob("*.py"):
            if not SKIP_DIRS.isdisjoint(path.relative_to(ROOT).parts):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                status = 400 if name in VALIDATION_ERRORS else statuses.get(name)
                if status is None:
                    continue
                for keyword in node.keywords:
                    if keyword.arg != "code":
                        continue
                    for part in ast.walk(keyword.value):
                        if (
                            isinstance(part, ast.Attribute)
                            and isinstance(part.value, ast.Name)
                            and part.value.id in enum_names
                        ):
                            found[(part.value.id, part.attr)].add(status)
    return found


def rows() -> list[tuple[str, str, str, str]]:
    """(code, app · enum, status, meaning) of every member of every enum."""
    found = enums()
    raised = raised_statuses({e.__name__ for e in found})
    table = []
    for enum in found:
        meaning_of = meanings(enum)
        for member in enum:
            meaning = meaning_of.get(member.name, "")
            statuses = sorted(raised.get((enum.__name__, member.name), ()))
            in_comment = _STATUS_IN_COMMENT.search(meaning)
            if in_comment:  # a status the source does not show (a response built by hand, a code chosen by field)
                meaning = meaning[: in_comment.start()]
                statuses = sorted({*statuses, *(int(s) for s in in_comment.group(1).split(","))})
            status = ", ".join(str(s) for s in statuses) or "—"
            app = enum.__module__.split(".")[0]
            table.append((member.value, f"{app} · `{enum.__name__}`", status, meaning))
    return table


def table() -> str:
    lines = ["| code | defined in | status | meaning |", "|---|---|---|---|"]
    for code, where, status, meaning in rows():
        meaning = meaning.replace("|", "\\|")
        lines.append(f"| `{code}` | {where} | {status} | {meaning} |")
    return "\n".join(lines)


def render(page: str) -> str:
    """The page with the table between its markers (appended, under a heading, when the page has none yet)."""
    block = f"{START}\n{table()}\n{END}"
    if START in page and END in page:
        before, rest = page.split(START, 1)
        return before + block + rest.split(END, 1)[1]
    return page.rstrip("\n") + "\n\n## Every error code\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/api-errors.md is out of date")
    args = parser.parse_args(argv)
    setup_django()
    page = DOC.read_text(encoding="utf-8")
    wanted = render(page)
    if args.check:
        if wanted != page:
            print("docs/api-errors.md is out of date: run .venv/bin/python scripts/error_codes.py", file=sys.stderr)
            return 1
        return 0
    if wanted != page:
        DOC.write_text(wanted, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)} ({len(rows())} codes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
