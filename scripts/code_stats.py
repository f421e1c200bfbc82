"""Refresh the numbers of docs/development.md: the largest modules of the apps and the function-local imports.

    .venv/bin/python scripts/code_stats.py            # rewrite the block between the `code-stats` markers
    .venv/bin/python scripts/code_stats.py --print    # only print it

App code is every Django app (a top-level package with an apps.py) and config/, without migrations. A function-local
import is an `import` inside a function or method, as ruff's PLC0415 finds it; "justified" ones carry a
`# noqa: PLC0415 - <why>` comment (a cycle, or a costly import only one path needs).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "development.md"
BEGIN_MARK = "<!-- code-stats:start (scripts/code_stats.py writes this block) -->"
END_MARK = "<!-- code-stats:end -->"
LARGEST = 15


def app_packages() -> list[Path]:
    return sorted({p.parent for p in ROOT.glob("*/apps.py")} | {ROOT / "config"})


def modules() -> list[Path]:
    return sorted(
        path for package in app_packages() for path in package.rglob("*.py") if "migrations" not in path.parts
    )


def _local_imports(*, ignore_noqa: bool) -> Counter:
    """Function-local imports by app, as ruff's PLC0415 finds them (the lint CI runs)."""
    command = [sys.executable, "-m", "ruff", "check", "--select", "PLC0415", "--output-format", "json", "--quiet"]
    command += ["--ignore-noqa"] if ignore_noqa else []
    command += [str(path.relative_to(ROOT)) for path in app_packages()]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    return Counter(Path(item["filename"]).relative_to(ROOT).parts[0] for item in json.loads(result.stdout or "[]"))


def stats() -> dict:
    sizes = []
    for path in modules():
        lines = path.read_text(encoding="utf-8").count("\n")
        sizes.append((lines, path.relative_to(ROOT).as_posix()))
    sizes.sort(key=lambda item: (-item[0], item[1]))
    local = _local_imports(ignore_noqa=True)
    unjustified = _local_imports(ignore_noqa=False)
    justified = Counter({app: local[app] - unjustified[app] for app in local})
    return {"largest": sizes[:LARGEST], "local": local, "justified": justified, "modules": len(sizes)}


def block() -> str:
    data = stats()
    out = [
        f"The {LARGEST} largest of the {data['modules']} modules of app code (lines, docstrings and comments included):",
        "",
        "| lines | module |",
        "|---:|---|",
        *(f"| {lines} | `{name}` |" for lines, name in data["largest"]),
        "",
        "Function-local imports in app code (PLC0415), by app; justified ones say why in a `# noqa: PLC0415 - …`:",
        "",
        "| app | local imports | of which justified |",
        "|---|---:|---:|",
    ]
    apps = sorted({p.name for p in app_packages()})
    out += [f"| {app} | {data['local'][app]} | {data['justified'][app]} |" for app in apps]
    out.append(f"| **all** | **{sum(data['local'].values())}** | **{sum(data['justified'].values())}** |")
    return "\n".join(out)


def render(page: str) -> str:
    head, found, rest = page.partition(BEGIN_MARK)
    if not found or END_MARK not in rest:
        raise SystemExit(f"{DOC.relative_to(ROOT)} has no {BEGIN_MARK} … {END_MARK} block")
    return f"{head}{BEGIN_MARK}\n{block()}\n{END_MARK}{rest.partition(END_MARK)[2]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--print", action="store_true", help="print the block instead of writing the page")
    args = parser.parse_args(argv)
    if args.print:
        print(block())
        return 0
    page = DOC.read_text(encoding="utf-8")
    DOC.write_text(render(page), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
