"""Reference prices that come from the platform's own tenders: the VBP awarded price of each lot."""

from __future__ import annotations

from django.db import transaction

from catalog.models import Product
from procurement.models import Award, Tender

from ..models import ReferencePrice


@transaction.atomic
def reference_prices_sync_awards() -> dict[str, int]:
    """For every awarded lot: each selected product gets its own awarded price (selected = true); every other
    product of the lot's generic name and dosage forms gets the lot's lowest awarded price (selected = false), which
    the non-selected premium detector compares with. Valid for the tender's purchase cycle. Safe to run again."""

    awarded = (
        Award.objects.filter(tender__status__in=[Tender.Status.AWARDED, Tender.Status.EXECUTING, Tender.Status.CLOSED])
        .select_related("tender", "lot")
        .order_by("lot_id", "awarded_price")
    )
    by_lot: dict[int, list[Award]] = {}
    for award in awarded:
        by_lot.setdefault(award.lot_id, []).append(award)
    wanted: dict[tuple, dict] = {}
    for awards in by_lot.values():
        lot, tender = awards[0].lot, awards[0].tender
        label = f"{tender.code} {lot.number} {lot.generic_name}"[:200]
        lowest = min(a.awarded_price for a in awards)
        selected_ids = {a.product_id for a in awards}
        for award in awards:
            wanted[(award.product_id, tender.cycle_start)] = {
                "unit_price": award.awarded_price,
                "selected": True,
                "valid_to": tender.cycle_end,
                "lot_label": label,
                "source": f"带量采购中选结果 {tender.code}"[:200],
            }
        others = Product.objects.filter(generic_name=lot.generic_name).exclude(pk__in=selected_ids)
        if lot.dosage_forms:
            others = others.filter(dosage_form__in=lot.dosage_forms)
        for product_id in others.values_list("pk", flat=True):
            wanted[(product_id, tender.cycle_start)] = {
                "unit_price": lowest,
                "selected": False,
                "valid_to": tender.cycle_end,
                "lot_label": label,
                "source": f"带量采购中选价（本产品未中选）{tender.code}"[:200],
            }
    existing = {
        (r.product_id, r.valid_from): r
        for r in ReferencePrice.objects.filter(
            kind=ReferencePrice.Kind.VBP_AWARDED, product_id__in={k[0] for k in wanted}
        )
    }
    created = updated = 0
    for (product_id, valid_from), values in wanted.items():
        row = existing.get((product_id, valid_from))
        if row is None:
            ReferencePrice.objects.create(
                product_id=product_id, kind=ReferencePrice.Kind.VBP_AWARDED, valid_from=valid_from, **values
            )
            created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
            updated += 1
    return {"created": created, "updated": updated}
