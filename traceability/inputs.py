"""The three ways codes arrive — a file (CSV/xlsx: delivery line, code, parent), scanner text (one code per line,
``code,parent`` for a child of a case) or JSON rows — turned into the rows the services take. Shared by the API and
the pages."""

from __future__ import annotations

from django.utils.translation import gettext

from common.errors import ValidationFailed
from common.uploads import check_upload

from .errors import TraceError
from .files import CODES_COLUMNS, read_rows
from .services.common import split_scanner_text


def code_rows(*, upload=None, text: str = "", rows=None) -> list[dict]:
    if upload is not None:
        check_upload(upload, name=upload.name)
        return read_rows(upload.read(), name=upload.name, required=CODES_COLUMNS)
    if text and text.strip():
        return split_scanner_text(text)
    if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows):
        return rows
    if rows:
        raise ValidationFailed(gettext("rows 应为对象数组"), field="rows", code=TraceError.NO_CODES)
    raise ValidationFailed(gettext("请上传文件、扫码或填写追溯码"), field="codes", code=TraceError.NO_CODES)


def scanned_codes(*, text: str = "", codes=None) -> list[str]:
    if isinstance(codes, list) and codes:
        return [str(c) for c in codes]
    return [row["code"] for row in split_scanner_text(text)]
