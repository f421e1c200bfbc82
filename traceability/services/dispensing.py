"""发药/结算追溯码导入: the insurance information platform's file of codes dispensed or settled (code, hospital or
pharmacy, date). A serialised code dispensed or settled a second time is flagged (回流药, the national method)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Organization
from accounts.permissions import require
from common.errors import ValidationFailed

from .. import sql
from ..codes import parse_code
from ..errors import TraceError
from ..files import DISPENSING_COLUMNS, read_rows
from ..models import DispensingImport


def _organizations(names: set[str]) -> dict[str, int]:
    found = {}
    for pk, name, uscc in Organization.objects.filter(Q(name__in=names) | Q(uscc__in=names)).values_list(
        "pk", "name", "uscc"
    ):
        found[name] = pk
        if uscc:
            found[uscc] = pk
    return found


@transaction.atomic
def dispensing_import(*, content: bytes, file_name: str, by) -> DispensingImport:
    """Import the file; all or nothing (a bad row names its row number and column)."""
    require(by, "settlement.manage")
    rows = read_rows(content, name=file_name, required=DISPENSING_COLUMNS)
    orgs = _organizations({r.get("organization", "").strip().replace("\x00", "") for r in rows})
    codes, org_ids, days = [], [], []
    for i, r in enumerate(rows, start=2):
        codes.append(parse_code(r.get("code", ""), field=f"row {i}: code").code)
        org = r.get("organization", "").strip()
        if org not in orgs:
            raise ValidationFailed(
                gettext("第 %(row)s 行：机构 %(org)s 不存在") % {"row": i, "org": org},
                field=f"row {i}: organization",
                code=TraceError.UNKNOWN_ORGANIZATION,
            )
        org_ids.append(orgs[org])
        try:
            days.append(date.fromisoformat(r.get("date", "").strip()))
        except ValueError:
            raise ValidationFailed(
                gettext("第 %(row)s 行：日期应为 YYYY-MM-DD") % {"row": i},
                field=f"row {i}: date",
                code=TraceError.BAD_DATE,
            ) from None
    source = DispensingImport.objects.create(file_name=file_name[:200], imported_by=by, rows=len(rows))
    sql.run(sql.INSERT_DISPENSING, source=source.pk, code=codes, org=org_ids, day=days)
    source.flagged = sql.run(sql.FLAG_RESOLD, source=source.pk, now=timezone.now())
    source.save(update_fields=["flagged"])
    return source
