"""The English catalog is complete: every message has its English, compiled, and no page has Chinese outside a
translation tag. Fails when a string was added without `makemessages` + glossary + `scripts/i18n_fill.py`."""

import re
from pathlib import Path

import polib
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
CJK = re.compile(r"[\u3400-\u9fff]")


def catalog():
    return polib.pofile(str(PO))


def test_every_msgid_has_english():
    missing = [e.msgid for e in catalog() if not e.obsolete and (
        "fuzzy" in e.flags or not (e.msgstr or any(e.msgstr_plural.values())))]
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
    po = {e.msgid: e.msgstr for e in catalog() if not e.obsolete and not e.msgid_plural}
    mo = {e.msgid: e.msgstr for e in compiled if not e.msgid_plural}
    stale = [k for k, v in po.items() if k and mo.get(k) != v]
    assert not stale, "compile the catalog (scripts/i18n_fill.py): " + " | ".join(stale[:20])


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
