"""Demo objections on the tender in its notice period (the procurement demo's opened tender): one answered
(rejected), one answered and appealed, the appeal waiting for the supervisor. Made through the services while the
notice runs; a second run finds them and changes nothing."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from common.demo import DemoContext
from procurement.models import Bid, Tender

from .models import Objection
from .services import appeals as appeal_svc
from .services import objections as objection_svc
from .services.holds import notice_for

TENDER_CODE = "NMG-YP-2026-02"
GROUNDS = [
    "我司申报产品已通过一致性评价，单位可比价计算时的规格折算有误，请复核第 01 品种的排序。",
    "第 02 品种排名第一的企业供应能力不足以覆盖全区约定采购量，请核实其供应能力承诺。",
]


def _bidder_reps(tender: Tender) -> list[User]:
    """One representative of each of the first two bidding companies (the demo's own logins first)."""
    makers = list(
        Bid.objects.filter(tender=tender)
        .exclude(status=Bid.Status.WITHDRAWN)
        .order_by("manufacturer_id")
        .values_list("manufacturer_id", flat=True)
        .distinct()
    )
    reps = []
    for maker_id in makers:
        rep = User.objects.filter(organization_id=maker_id, roles__code="manufacturer_rep").order_by("-is_active", "pk")
        rep = rep.filter(username__in=["mfr", "mfr2"]).first() or rep.first()
        if rep is not None:
            reps.append(rep)
    return reps[:2]


def seed_late(ctx: DemoContext) -> str:
    tender = Tender.objects.filter(code=TENDER_CODE).first()
    if tender is None:
        return "无公示中的演示批次"
    if Objection.objects.filter(tender=tender).exists():
        return f"{TENDER_CODE} 的异议已存在"
    notice = notice_for(tender)
    if notice is None or not notice.running():
        return f"{TENDER_CODE} 不在公示期内，未生成异议"
    official = User.objects.get(username="official")
    reps = _bidder_reps(tender)
    made = 0
    with transaction.atomic():
        for index, rep in enumerate(reps):
            objection = objection_svc.objection_file(by=rep, tender=tender, grounds=GROUNDS[index])
            objection_svc.objection_answer(
                objection=objection,
                by=official,
                outcome="rejected",
                answer="经复核，评审按采购文件规定的差比价规则和供应能力承诺执行，排序无误，异议不成立。",
            )
            if index == 1:
                appeal_svc.appeal_file(
                    objection=objection,
                    by=rep,
                    grounds="答复未说明供应能力核实的依据，请监督人员复查评审记录。",
                )
            made += 1
    return f"{TENDER_CODE}：异议 {made} 件（均已答复，其中 1 件已申诉待裁决）"
