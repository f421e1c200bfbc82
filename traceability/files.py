"""Reading the uploaded files (CSV or xlsx, common.importing.load_dataset) into rows keyed by column, with Chinese or
English headers."""

from __future__ import annotations

from django.utils.translation import gettext

from common.errors import CommonError, ValidationFailed
from common.importing import load_dataset

# header → column, for the distributor's codes file and the insurance platform's dispensing file
HEADERS = {
    "配送明细": "delivery_line",
    "delivery_line": "delivery_line",
    "追溯码": "code",
    "code": "code",
    "上级码": "parent",
    "parent": "parent",
    "parent_code": "parent",
    "机构": "organization",
    "organization": "organization",
    "日期": "date",
    "date": "date",
}
CODES_COLUMNS = ("code",)
DISPENSING_COLUMNS = ("code", "organization", "date")


def read_rows(content: bytes, *, name: str, required: tuple[str, ...]) -> list[dict]:
    dataset = load_dataset(content, name=name)
    header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip(), "")) for h in dataset.headers]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationFailed(
            gettext("文件缺少列：%(cols)s") % {"cols": ", ".join(missing)},
            field="file",
            code=CommonError.MISSING_COLUMNS,
        )
    rows = []
    for values in dataset:
        cells = ["" if v is None else str(v).strip() for v in values]
        if any(cells):
            rows.append({col: cell for col, cell in zip(header, cells, strict=False) if col})
    if not rows:
        raise ValidationFailed(gettext("文件没有数据行"), field="file", code=CommonError.EMPTY_FILE)
    return rows
