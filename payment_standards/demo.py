"""Demo payment standards: the standards in force before the demo tenders (2024, imported and published), the year
2025 derived from the first tender's awards and published, and 2026 derived from both tenders — the first tender's
second transition year and the second tender's first year — left as drafts for the official to review.

The originals are set around each group's selected price so that every branch of the linkage rule shows: above 2×
(70 % the first year, stepped down after), within 2× (the selected price), below it (its own standard), and generics
without consistency evaluation (at most the selected price at once)."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import User
from catalog.models import Product
from common.demo import DemoContext
from common.money import quantize_unit_price
from procurement.models import Award, Tender

from .models import PaymentStandard, Publication
from .services import payment_standard_set, payment_standards_derive, payment_standards_publish

TENDERS = ("NMG-YP-2025-01", "NMG-YP-2026-01")
# original standard (2024) / the group's highest awarded price, by the non-selected product's rank in its group
FACTORS = ("3.2", "0.85", "1.6", "2.5", "1.2", "4.0")


def _originals(tender: Tender, by) -> int:
    written = 0
    for lot in tender.lots.order_by("pk"):
        awards = list(Award.objects.filter(lot=lot))
        if not awards:
            continue
        winners = {a.product_id for a in awards}
        high = max(a.awarded_price for a in awards)
        others = (
            Product.objects.filter(
                generic_name=lot.generic_name, specification=lot.reference_specification, is_active=True
            )
            .exclude(pk__in=winners)
            .order_by("pk")
        )
        for index, product in enumerate(others):
            original = quantize_unit_price(high * Decimal(FACTORS[index % len(FACTORS)]))
            payment_standard_set(
                product=product, year=2024, standard=original, source=PaymentStandard.Source.IMPORT, by=by,
                note="2024年度医保支付标准（导入，演示）",
            )  # fmt: skip
            written += 1
    return written


def seed(ctx: DemoContext) -> str:
    if Publication.objects.filter(year=2025).exists():
        return "已有演示支付标准，跳过"
    official = User.objects.filter(username="official").first()
    tenders = list(Tender.objects.filter(code__in=TENDERS, awards__isnull=False).distinct().order_by("code"))
    if official is None or len(tenders) < len(TENDERS):
        return "缺少演示批次，跳过"
    imported = sum(_originals(t, official) for t in tenders)
    payment_standards_publish(year=2024, by=official)
    first, second = tenders
    payment_standards_derive(tender=first, year=2025, by=official)
    published = payment_standards_publish(year=2025, by=official).count
    payment_standards_derive(tender=first, year=2026, by=official)
    payment_standards_derive(tender=second, year=2026, by=official)
    drafts = PaymentStandard.objects.filter(year=2026, status=PaymentStandard.Status.DRAFT).count()
    return f"2024 年度导入 {imported} 条，2025 年度发布 {published} 条，2026 年度待发布 {drafts} 条"
