"""Retained savings (结余留用) per hospital of a tender's cycle."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.permissions import capability_required
from common.numbers import param_id
from procurement.models import Tender

from .. import selectors
from .exports import EXPORT_FORMATS, export


@capability_required("settlement.manage")
def retained_savings(request):
    tenders = Tender.objects.filter(commitments__isnull=False).distinct().order_by("-cycle_start")
    tender = tenders.filter(pk=param_id(request.GET, "tender", form=True) or 0).first() or tenders.first()
    rows = selectors.retained_savings(tender=tender) if tender else []
    if tender and request.GET.get("format") in EXPORT_FORMATS:
        return export(
            request.GET["format"],
            f"retained-savings-{tender.code}",
            _("结余留用 %(t)s") % {"t": tender.code},
            [
                _("医疗机构"),
                _("品种"),
                _("净采购量"),
                _("基准价"),
                _("基准来源"),
                _("中选价"),
                _("节约金额"),
                _("留用比例"),
                _("留用金额"),
            ],
            [
                [
                    r["hospital"],
                    lot["generic_name"],
                    lot["units"],
                    lot["baseline"],
                    lot["baseline_source"],
                    lot["awarded_price"],
                    lot["savings"],
                    r["share"],
                    r["retained"],
                ]
                for r in rows
                for lot in r["lots"]
            ],
        )
    return render(request, "settlement/retained_savings.html", {"rows": rows, "tender": tender, "tenders": tenders})
