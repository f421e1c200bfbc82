#!/usr/bin/env python
"""Fill the English catalog from locale/en/glossary.tsv (中文<TAB>English), then compile it.

Source strings are Simplified Chinese (the default language); English is the translation. Run after
`manage.py makemessages -l en`; untranslated entries are listed so none is forgotten. Plural forms are
written in the glossary as `singular|plural`. A message with a context (pgettext) is looked up as `context::中文` first, then as `中文`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
GLOSSARY = ROOT / "locale/en/glossary.tsv"


def load_glossary() -> dict[str, str]:
    glossary: dict[str, str] = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            zh, en = line.split("\t", 1)
            glossary[zh] = en
    return glossary


def main() -> int:
    glossary = load_glossary()
    catalog = polib.pofile(str(PO), wrapwidth=0)
    missing = []
    for entry in catalog:
        if entry.obsolete:
            continue
        english = glossary.get(f"{entry.msgctxt}::{entry.msgid}") if entry.msgctxt else None
        if english is None:
            english = glossary.get(entry.msgid)
        if english is None:
            # a fuzzy entry carries makemessages' guess from a similar string: not a translation
            if "fuzzy" in entry.flags or not (entry.msgstr or any(entry.msgstr_plural.values())):
                missing.append(entry.msgid)
            continue
        if entry.msgid_plural:
            singular, _, plural = english.partition("|")
            entry.msgstr_plural = {0: singular, 1: plural or singular}
        else:
            entry.msgstr = english
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.metadata["Language"] = "en"
    catalog.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalog.save(str(PO))
    catalog.save_as_mofile(str(PO.with_suffix(".mo")))
    for msgid in missing:
        print(f"untranslated: {msgid}", file=sys.stderr)
    print(f"{len(catalog.translated_entries())} translated, {len(missing)} untranslated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
