"""Hostile files and strings shared by the per-app bad-input suites (tests/<app>/test_hostile_input.py)."""

from __future__ import annotations

import functools
import io
import zipfile

SCRIPT = '<script>alert("x")</script>'
SQL = "'; DROP TABLE accounts_organization; --"
IMG = '"><img src=x onerror=alert(1)>'


@functools.cache
def zip_bomb(declared_mb: int) -> bytes:
    """A workbook-shaped zip whose one sheet inflates to `declared_mb` MB of zeros (well under 1 MB on disk)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        chunk = b"\0" * (1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(declared_mb):
                member.write(chunk)
    return out.getvalue()


def many_members(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index in range(count):
            archive.writestr(f"xl/media/image{index}.xml", "x")
    return out.getvalue()


def not_utf8(good_csv: bytes) -> bytes:
    """The same csv saved in GBK, as Excel does by default on a Chinese Windows."""
    return good_csv.decode("utf-8").encode("gbk", errors="replace")


# name → (file name, builder given a good csv, settings to apply, words the error must contain)
BAD_FILES = {
    "oversized": ("f.csv", lambda good: good, {"IMPORT_MAX_UPLOAD_BYTES": 64}, "文件过大"),
    "zip-bomb": ("f.xlsx", lambda good: zip_bomb(520), {}, "解压后为 520 MB，超过上限 500 MB"),
    "too-many-parts": ("f.xlsx", lambda good: many_members(1001), {}, "1001 个部件，超过上限 1000"),
    "truncated-xlsx": ("f.xlsx", lambda good: zip_bomb(1)[:300], {}, "无法读取 Excel 文件"),
    "not-utf8": ("f.csv", not_utf8, {}, "UTF-8"),
}
