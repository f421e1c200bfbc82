"""The English catalog is complete: every message has its English, compiled, and no page has Chinese outside a
translation tag. Fails when a string was added without `makemessages` + glossary + `scripts/i18n_fill.py`."""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
CJK = re.compile(r"[\u3400-\u9fff]")


def catalog():
    return polib.pofile(str(PO))


def test_every_msgid_has_english():
    missing = [
        e.msgid
        for e in catalog()
        if not e.obsolete and ("fuzzy" in e.flags or not (e.msgstr or any(e.msgstr_plural.values())))
    ]
    assert not missing, "no English for: " + " | ".join(missing[:20])


def test_english_is_english():
    """Chinese left in the English only where the English quotes the Chinese it names (a column to type)."""

    def foreign(e):
        english = e.msgstr or "".join(e.msgstr_plural.values())
        return any(run not in e.msgid for run in re.findall(r"[\u3400-\u9fff]+", english))

    chinese = [e.msgid for e in catalog() if not e.obsolete and foreign(e)]
    assert not chinese, "English still in Chinese: " + " | ".join(chinese[:20])


def test_compiled_catalog_matches_the_po():
    compiled = polib.mofile(str(PO.with_suffix(".mo")))
    po = {(e.msgctxt, e.msgid): e.msgstr for e in catalog() if not e.obsolete and not e.msgid_plural}
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in compiled if not e.msgid_plural}
    stale = [k[1] for k, v in po.items() if k[1] and mo.get(k) != v]
    assert not stale, "compile the catalog (scripts/i18n_fill.py): " + " | ".join(stale[:20])


PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|{\w*}")


def test_translations_keep_their_placeholders():
    """A translation names the same placeholders as its source: a missing or renamed ``%(name)s`` raises KeyError
    on the page, and msgfmt refuses the catalog (``compilemessages`` fails the deployment)."""

    def names(text):
        return sorted(m for m in PLACEHOLDER.findall(text) if m != "%%")

    wrong = []
    for e in catalog():
        if e.obsolete or not e.msgstr or not ({"python-format", "python-brace-format"} & set(e.flags)):
            continue
        if names(e.msgid) != names(e.msgstr):
            wrong.append(f"{e.msgid[:40]} → {e.msgstr[:40]}")
    assert not wrong, wrong[:20]


def test_msgfmt_accepts_the_catalog(tmp_path):
    """What ``compilemessages`` runs on a deployment: GNU msgfmt with its format checks."""
    msgfmt = shutil.which("msgfmt")
    if not msgfmt:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    run = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(PO)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-2000:]


def _templates():
    return sorted((ROOT / "templates").rglob("*.html"))


def test_templates_have_no_chinese_outside_translation_tags():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"{%\s*blocktranslate.*?endblocktranslate\s*%}", "", text, flags=re.S)
        for pattern in (r"{%.*?%}", r"{{.*?}}", r"{#.*?#}"):
            text = re.sub(pattern, "", text, flags=re.S)
        found += [f"{path.relative_to(ROOT)}: {line.strip()[:60]}" for line in text.splitlines() if CJK.search(line)]
    assert not found, found[:20]


def test_every_translate_tag_is_in_the_catalog():
    msgids = {e.msgid for e in catalog() if not e.obsolete}
    missing = set()
    for path in _templates():
        for match in re.finditer(r"""{%\s*translate\s+(["'])(.*?)\1""", path.read_text(encoding="utf-8")):
            if match.group(2).replace("%", "%%") not in msgids and match.group(2) not in msgids:
                missing.add(f"{path.name}: {match.group(2)}")
    assert not missing, "run makemessages: " + " | ".join(sorted(missing)[:20])


APPS = ("accounts", "catalog", "procurement", "pricing", "settlement", "common")
GETTEXT = {"_", "_l", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
# What services, validators and imports raise to the user; CommandError (command line) and TypeError (programming
# errors in rule configuration) are not shown on a page.
USER_ERRORS = {
    "ValidationFailed",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "DomainError",
    "FileProblem",
    "_RowError",
    "SealError",
    "ValueError",
    "ValidationError",
}


def _python_sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts and path.name != "demo.py" and "commands" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _has_chinese(node) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(CJK.search(node.value))
    return isinstance(node, ast.JoinedStr) and any(_has_chinese(v) for v in node.values)


def test_every_python_message_is_translated():
    """Every gettext source string in the Python code (service errors, import row reports, labels) has English."""
    english = {
        (e.msgctxt, e.msgid): e.msgstr or "".join(e.msgstr_plural.values())
        for e in catalog()
        if not e.obsolete and "fuzzy" not in e.flags
    }
    missing = []
    for path, tree in _python_sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) in GETTEXT and node.args):
                continue
            args = node.args
            context = None
            if _name(node.func).startswith("pgettext"):
                if len(args) < 2 or not isinstance(args[0], ast.Constant):
                    continue
                context, args = args[0].value, args[1:]
            msgid = args[0].value if isinstance(args[0], ast.Constant) else None
            if isinstance(msgid, str) and CJK.search(msgid) and not english.get((context, msgid)):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {msgid[:40]}")
    assert not missing, "makemessages + glossary + scripts/i18n_fill.py: " + " | ".join(missing[:20])


def test_errors_shown_to_users_are_translatable():
    """A Chinese message raised by a service, validator or import is a gettext source string, not a bare literal
    (an f-string would be formatted before translation and could never be looked up)."""
    bare = []
    for path, tree in _python_sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _name(node.func) in USER_ERRORS
                and node.args
                and _has_chinese(node.args[0])
            ):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare, "wrap in gettext with %(name)s placeholders: " + ", ".join(bare[:20])
