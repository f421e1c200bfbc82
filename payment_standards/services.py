"""Writes of payment standards: a standard entered by hand or imported, the standards a tender's award derives, and
the publication of a year's drafts."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.permissions import require
from catalog.models import Product
from common import rules
from common.errors import ConflictError, ValidationFailed
from common.history import record_history
from common.models import record_event
from common.numbers import parse_decimal, parse_int
from procurement.models import Tender

from . import sql
from .errors import PaymentStandardError as E
from .models import Basis, PaymentStandard, Publication

PS = PaymentStandard
_ENTERED_SOURCES = (PS.Source.MANUAL, PS.Source.IMPORT)


def _year(value) -> int:
    return parse_int(value, field="year", label=gettext("年度"), min_value=2000, max_value=2100)


def _standard(value) -> Decimal:
    number = parse_decimal(value, field="standard", label=gettext("支付标准"), column=PS._meta.get_field("standard"))
    if number <= 0:
        raise ValidationFailed(gettext("支付标准必须大于零"), field="standard", code=E.STANDARD_NOT_POSITIVE)
    return number


@transaction.atomic
def payment_standard_set(*, product: Product, year, standard, source: str, by, note: str = "") -> PaymentStandard:
    """Enter a product's standard for a year by hand or from an import: a draft (replacing the year's draft),
    published with the year's other drafts."""
    require(by, "payment_standard.manage")
    if source not in _ENTERED_SOURCES:
        raise ValidationFailed(gettext("请选择支付标准来源（手工录入或导入）"), field="source", code=E.SOURCE_REQUIRED)
    year, standard = _year(year), _standard(standard)
    row, _created = PS.objects.update_or_create(
        product=product,
        year=year,
        status=PS.Status.DRAFT,
        defaults={
            "standard": standard,
            "source": source,
            "basis": Basis.IMPORTED if source == PS.Source.IMPORT else Basis.MANUAL,
            "award": None,
            "lot": None,
            "selected_price": None,
            "original_standard": None,
            "note": note[:300],
            "created_by": by,
        },
    )
    return row


@transaction.atomic
def payment_standards_derive(*, tender: Tender, by=None, year=None) -> int:
    """Derive the year's standards of a tender's groups (default: its first year) as drafts, in one statement.

    `by` None is the award itself (the hook); an official may derive a later year of the transition."""
    if by is not None:
        require(by, "payment_standard.manage")
    tender = Tender.objects.get(pk=tender.pk)
    if not tender.awards.exists():
        raise ConflictError(gettext("该批次尚未公布中选结果"), field="tender", code=E.TENDER_NOT_AWARDED)
    base_year = tender.cycle_start.year
    year = base_year if year is None else _year(year)
    if year < base_year:
        raise ValidationFailed(gettext("年度不能早于采购周期开始的年度"), field="year", code=E.YEAR_BEFORE_CYCLE)
    ids = sql.derive(
        tender_id=tender.pk,
        base_year=base_year,
        year=year,
        rules=rules.payment_standard_linkage(base_year),
        note=tender.code[:300],
        reason=tender.code,
        by_id=getattr(by, "pk", None),
    )  # with each standard's history row (`+` new, `~` a replaced draft), in the same statement
    record_event(tender, "payment_standards_derived", by=by, data={"year": year, "rows": len(ids)})
    return len(ids)


@transaction.atomic
def payment_standards_publish(*, year, by) -> Publication:
    """Publish every draft of the year: each replaces the product's published standard of that year (superseded)."""
    require(by, "payment_standard.manage")
    year = _year(year)
    drafts = PS.objects.select_for_update().filter(year=year, status=PS.Status.DRAFT).order_by("pk")
    draft_ids = list(drafts.values_list("pk", flat=True))
    if not draft_ids:
        raise ConflictError(gettext("该年度没有待发布的支付标准（已发布）"), field="year", code=E.NOTHING_TO_PUBLISH)
    products = PS.objects.filter(pk__in=draft_ids).values("product_id")
    old = PS.objects.filter(year=year, status=PS.Status.PUBLISHED, product_id__in=products)
    old_ids = list(old.values_list("pk", flat=True))
    if old_ids:
        PS.objects.filter(pk__in=old_ids).update(status=PS.Status.SUPERSEDED)
        record_history(PS.objects.filter(pk__in=old_ids), by=by, reason="被新发布的支付标准替代")
    now = timezone.now()
    PS.objects.filter(pk__in=draft_ids).update(status=PS.Status.PUBLISHED, published_at=now, published_by=by)
    record_history(PS.objects.filter(pk__in=draft_ids), by=by, reason="发布")
    publication = Publication.objects.create(year=year, count=len(draft_ids), published_by=by)
    record_event(publication, "published", by=by, to_state="published", data={"year": year, "superseded": len(old_ids)})
    return publication
