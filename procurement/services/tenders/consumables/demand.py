"""意向采购量: hospitals report their intended volume per product (brand) of a consumable lot, not per generic name.

Each report is one row per hospital, lot and product. The hospital's total for the lot is kept in its
``DemandReport`` (the agreed volumes are computed from those, as for drugs), naming the brand it reported most of:
if that brand wins, the hospital's agreed volume goes to it; if it loses, to the region's primary winner
(DESIGN §10's rule for a named brand that loses).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext

from common.errors import ValidationFailed
from common.models import record_event

from ....errors import TenderError
from ....models import ConsumableDemand, DemandReport, Lot
from ..demand import _demand_hospital, ensure_demand_window, parse_volume
from ..state import lock_tender
from .products import lot_setup, product_problem
from .setup import ensure_consumable_tender


def _refresh_total(lot: Lot, hospital, by) -> DemandReport:
    """The hospital's DemandReport for the lot: the sum of its brands, naming the brand with the largest volume."""
    rows = ConsumableDemand.objects.filter(lot=lot, hospital=hospital)
    total = rows.aggregate(total=Sum("volume"))["total"] or 0
    top = rows.filter(volume__gt=0).order_by("-volume", "product_id").values_list("product_id", flat=True).first()
    report, _ = DemandReport.objects.update_or_create(
        lot=lot,
        hospital=hospital,
        defaults={"tender": lot.tender, "annual_volume": total, "named_product_id": top, "reported_by": by},
    )
    return report


@transaction.atomic
def consumable_demand_report(*, lot: Lot, by, product, volume, hospital=None) -> ConsumableDemand:
    """Report (or change) a hospital's intended annual volume of one product of a consumable lot."""
    hospital = _demand_hospital(by, hospital)
    tender = lock_tender(lot.tender)
    ensure_consumable_tender(tender)
    ensure_demand_window(tender)
    volume = parse_volume(volume, field="volume")
    if product is None:
        raise ValidationFailed(
            gettext("请选择产品（品牌）"), field="product", code=TenderError.NAMED_PRODUCT_NOT_IN_LOT
        )
    problem = product_problem(lot, lot_setup(lot), product)
    if problem:
        raise ValidationFailed(problem, field="product", code=TenderError.NAMED_PRODUCT_NOT_IN_LOT)
    row, created = ConsumableDemand.objects.update_or_create(
        lot=lot,
        hospital=hospital,
        product=product,
        defaults={"tender": tender, "volume": volume, "reported_by": by},
    )
    report = _refresh_total(lot, hospital, by)
    record_event(
        report,
        "reported" if created else "changed",
        by=by,
        data={"product": product.pk, "volume": volume, "annual_volume": report.annual_volume},
    )
    return row
