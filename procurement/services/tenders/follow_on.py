"""接续采购: when a batch's purchase cycle has ended, a new tender pre-filled from it — the same lots, the hospitals'
demand carried over as the default for them to confirm, open to the former winners and to new entrants — with each
lot's 最高有效申报价 capped by the renewal rule (docs/national-batches.md).

The cap rule is the tender's (`cap`, `cap_factor`; defaults from `common.rules.national_batches()`):
`highest_awarded` — not above the expiring lot's highest awarded unit comparison price (the default: no renewal bid
may exceed the expiring awarded price); `lowest_awarded` — not above its lowest; `max_price` — the expiring lot's own
最高有效申报价; each times the factor. With `own_cap` (default on) a former winner's bid is also capped at its own
expiring awarded price (× the factor) in that lot (`origin_detail["own_caps"]`, checked at bid submission).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from common import rules as business_rules
from common.errors import ConflictError, ValidationFailed
from common.history import record_history
from common.models import record_event
from common.money import quantize_unit_price
from common.numbers import parse_decimal

from ...errors import TenderError
from ...models import Award, DemandReport, Lot, Tender
from .lifecycle import tender_create

LOT_FIELDS = (
    "number",
    "generic_name",
    "dosage_form_group",
    "dosage_forms",
    "reference_specification",
    "reference_strength",
    "strength_unit",
    "comparison_unit",
    "quality_requirement",
    "consumable_class",
    "price_ratio_per_doubling",
)


def _cap_rule(cap: str | None, cap_factor) -> tuple[str, Decimal]:
    defaults = business_rules.national_batches()
    cap = (cap or defaults.follow_on_cap).strip()
    if cap not in business_rules.FOLLOW_ON_CAPS:
        raise ValidationFailed(
            _("限价规则“%(cap)s”无效，可选：%(choices)s")
            % {"cap": cap, "choices": "、".join(business_rules.FOLLOW_ON_CAPS)},
            field="cap",
            code=TenderError.INVALID_FOLLOW_ON_CAP,
        )
    if cap_factor in (None, ""):
        return cap, defaults.follow_on_factor
    factor = parse_decimal(cap_factor, field="cap_factor", label=_("限价系数"), max_digits=6, decimal_places=4)
    if factor <= 0:
        raise ValidationFailed(_("限价系数必须大于零"), field="cap_factor", code=TenderError.INVALID_FOLLOW_ON_CAP)
    return cap, factor


@transaction.atomic
def tender_follow_on_create(
    *,
    tender: Tender,
    by,
    code: str,
    name: str,
    demand_start: datetime,
    demand_end: datetime,
    bid_deadline: datetime,
    opening_at: datetime,
    cycle_start,
    cycle_end,
    cap: str | None = None,
    cap_factor=None,
    own_cap: bool = True,
) -> Tender:
    """A draft follow-on tender of `tender` (whose cycle must have ended: 409 `cycle_not_ended` otherwise)."""
    require(by, "tender.manage")
    cap, factor = _cap_rule(cap, cap_factor)
    if tender.status == Tender.Status.CANCELLED or timezone.localdate() <= tender.cycle_end:
        raise ConflictError(
            _("批次 %(code)s 的采购周期（至 %(end)s）尚未结束，不能发起接续采购")
            % {"code": tender.code, "end": tender.cycle_end},
            field="tender",
            code=TenderError.CYCLE_NOT_ENDED,
        )
    prices = {
        row["lot_id"]: row
        for row in Award.objects.filter(tender=tender)
        .values("lot_id")
        .annotate(high=Max("comparison_price"), low=Min("comparison_price"))
    }
    if not prices:
        raise ConflictError(
            _("批次 %(code)s 没有中选结果，无从接续") % {"code": tender.code},
            field="tender",
            code=TenderError.NOTHING_TO_FOLLOW,
        )
    winners = sorted(set(Award.objects.filter(tender=tender).values_list("manufacturer_id", flat=True)))
    own_caps: dict[str, dict[str, str]] = {}
    if own_cap:  # a former winner renews at no more than its own expiring awarded price (the lowest, if several)
        for number, maker_id, price in (
            Award.objects.filter(tender=tender)
            .values("lot__number", "manufacturer_id")
            .annotate(price=Min("awarded_price"))
            .values_list("lot__number", "manufacturer_id", "price")
        ):
            own_caps.setdefault(number, {})[str(maker_id)] = str(quantize_unit_price(price * factor))
    new = tender_create(
        by=by,
        code=code,
        name=name,
        level=tender.level,
        kind=tender.kind,
        demand_start=demand_start,
        demand_end=demand_end,
        bid_deadline=bid_deadline,
        opening_at=opening_at,
        cycle_start=cycle_start,
        cycle_end=cycle_end,
        rules=tender.rules,
    )
    new.origin, new.follows = Tender.Origin.FOLLOW_ON, tender
    new.origin_detail = {
        "from": tender.code,
        "cap": cap,
        "cap_factor": str(factor),
        "former_winners": winners,
        "own_caps": own_caps,
    }
    new.save(update_fields=["origin", "follows", "origin_detail"])
    old_lots = list(tender.lots.filter(pk__in=list(prices)).order_by("number"))
    lots = Lot.objects.bulk_create(
        [
            Lot(
                tender=new, max_price=_cap(lot, prices[lot.pk], cap, factor), **{f: getattr(lot, f) for f in LOT_FIELDS}
            )
            for lot in old_lots
        ]
    )
    new_lot = {old.pk: lot for old, lot in zip(old_lots, lots, strict=True)}
    carried = DemandReport.objects.bulk_create(
        [
            DemandReport(
                tender=new,
                lot=new_lot[d.lot_id],
                hospital_id=d.hospital_id,
                annual_volume=d.annual_volume,
                named_product_id=d.named_product_id,
                reported_by=None,  # carried over: the hospital confirms or changes it in the window
            )
            for d in DemandReport.objects.filter(tender=tender, lot_id__in=list(new_lot)).order_by("pk")
        ],
        batch_size=1000,
    )
    record_history(Lot.objects.filter(tender=new), history_type="+", by=by, reason="接续采购")
    record_history(DemandReport.objects.filter(tender=new), history_type="+", by=by, reason="接续采购：沿用原报量")
    record_event(
        new,
        "follow_on_created",
        by=by,
        note=tender.code,
        data={"lots": len(lots), "demand_reports": len(carried), "cap": cap, "cap_factor": str(factor)},
    )
    return new


def _cap(lot: Lot, awarded: dict, cap: str, factor: Decimal) -> Decimal:
    base = {"highest_awarded": awarded["high"], "lowest_awarded": awarded["low"], "max_price": lot.max_price}[cap]
    return quantize_unit_price(base * factor)
