#!/usr/bin/env python
"""Fill the English catalog from locale/en/glossary.tsv (中文<TAB>English), then compile it.

Source strings are Simplified Chinese (the default language); English is the translation. Run after
`manage.py makemessages -l en`; untranslated entries are listed so none is forgotten.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
GLOSSARY = ROOT / "locale/en/glossary.tsv"


def po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> int:
    glossary = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            zh, _, en = line.partition("\t")
            glossary[zh] = en
    text = PO.read_text(encoding="utf-8")
    missing = []

    def fill(match: re.Match) -> str:
        msgid = match.group("id")
        key = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8") if "\\u" in msgid else msgid
        key = key.replace('\\"', '"')
        if match.group("plural") is not None:
            en = glossary.get(key)
            if en is None:
                missing.append(key)
                return match.group(0)
            singular, _, plural = en.partition("|")
            return (
                f"msgid {po_quote(key)}\nmsgid_plural {match.group('plural')}\n"
                f"msgstr[0] {po_quote(singular)}\nmsgstr[1] {po_quote(plural or singular)}"
            )
        en = glossary.get(key)
        if en is None:
            missing.append(key)
            return match.group(0)
        return f"msgid {po_quote(key)}\nmsgstr {po_quote(en)}"

    pattern = re.compile(
        r'^msgid "(?P<id>(?:[^"\\]|\\.)+)"\n(?:msgid_plural (?P<plural>"(?:[^"\\]|\\.)*")\n'
        r'msgstr\[0\] "[^\n]*"\nmsgstr\[1\] "[^\n]*"|msgstr "(?:[^"\\]|\\.)*")',
        re.M,
    )
    text = pattern.sub(fill, text)
    text = text.replace("#, fuzzy\n", "")
    PO.write_text(text, encoding="utf-8")
    subprocess.run(["msgfmt", "--check-format", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    for key in missing:
        print(f"untranslated: {key}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
