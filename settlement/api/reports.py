"""Settlement reports over the API: balances, the overdue list, reconciliation, retained savings."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Region
from accounts.permissions import HasCapability, require
from common.numbers import param_id
from procurement.models import Tender

from .. import selectors
from ..errors import CommonError, SettlementError, ValidationFailed
from ..generation import fund_for_region, parse_month
from .statements import StatementSerializer


class ReportView(APIView):
    """Balances, reconciliation, retained savings and the overdue list."""

    permission_classes = [HasCapability("settlement.view")]
    report = ""

    @extend_schema(responses=dict)
    def get(self, request):
        params = request.query_params
        if self.report == "balances":
            rows = [
                {**r, "balance": str(r["balance"]), "debit": str(r["debit"] or 0), "credit": str(r["credit"] or 0)}
                for r in selectors.balances(request.user, kind=params.get("kind") or None)
            ]
            return Response({"results": rows})
        if self.report == "overdue":
            rows = StatementSerializer(
                selectors.overdue_statements(request.user)[:500], many=True, context={"request": request}
            ).data
            return Response({"results": rows})
        require(request.user, "settlement.manage")
        if self.report == "reconciliation":
            fund = None
            if params.get("region"):
                region = Region.objects.filter(code=params["region"]).first()
                if region is None:
                    raise ValidationFailed(
                        _("统筹区代码“%(code)s”不存在") % {"code": params["region"][:20]},
                        field="region",
                        code=SettlementError.REGION_UNKNOWN,
                    )
                fund = fund_for_region(region)
            report = selectors.reconciliation(period=parse_month(params.get("period", "")), fund=fund)
            rows = [
                {
                    "statement": r["statement"].number,
                    **{k: str(v) for k, v in r.items() if k not in ("statement", "differences")},
                    "differences": r["differences"],
                }
                for r in report["rows"]
            ]
            return Response(
                {
                    "period": report["period"],
                    "totals": {k: str(v) for k, v in report["totals"].items()},
                    "rows": rows,
                    "unbalanced_entries": [
                        {"entry": e["pk"], "total": str(e["total"])} for e in report["unbalanced_entries"]
                    ],
                }
            )
        tender_id = param_id(params, "tender")
        if tender_id is None:
            raise ValidationFailed(_("请指定批次（tender）"), field="tender", code=CommonError.REQUIRED)
        tender = Tender.objects.filter(pk=tender_id).first()
        if tender is None:
            raise Http404
        rows = selectors.retained_savings(tender=tender)
        return Response(
            {
                "results": [
                    {
                        "hospital": r["hospital"],
                        "savings": str(r["savings"]),
                        "share": str(r["share"]),
                        "retained": str(r["retained"]),
                        "lots": [{k: str(v) for k, v in lot.items()} for lot in r["lots"]],
                    }
                    for r in rows
                ]
            }
        )
