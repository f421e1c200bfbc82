"""The price alerts inbox: the alerts, inquiries and shortage alerts a user may see, the inbox's checked filters
(unknown parameters refused, naming the field) and its groupings."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can, is_official
from catalog.identity import product_identity
from catalog.models import Product
from common.numbers import param_id, parse_decimal, parse_int

from ..detectors import labels as detector_labels
from ..errors import PricingError, ValidationFailed
from ..models import Inquiry, PriceAlert, ShortageAlert

SORTS = {
    "severity": ["-score", "-amount_at_stake", "-pk"],
    "amount": ["-amount_at_stake", "-pk"],
    "deviation": ["-deviation", "-pk"],
    "recent": ["-last_detected_at", "-pk"],
    "oldest": ["first_detected_at", "pk"],
    "period": ["-period_start", "-score", "-pk"],
}


# status filter values: each state, and two groups — every open state (未办结) and every closed one (已办结)
STATUS_GROUPS = {
    "active": PriceAlert.OPEN_STATUSES,
    "closed": (PriceAlert.Status.RESOLVED, PriceAlert.Status.DISMISSED),
}


GROUPINGS = ("product", "hospital")


ALERT_FILTERS = (
    "kind",
    "detector",
    "severity",
    "region",
    "status",
    "assignee",
    "hospital",
    "product",
    "overdue",
    "q",
    "sort",
    "min_amount",
    "period_from",
    "period_to",
    "group",
)


def _overdue_inquiries():
    return Inquiry.objects.filter(alert=OuterRef("pk"), replied_at__isnull=True, reply_due__lt=timezone.localdate())


def alerts_visible_to(user) -> QuerySet[PriceAlert]:
    if not (can(user, "pricing.view") and is_official(user)):
        return PriceAlert.objects.none()
    return PriceAlert.objects.select_related("product", "hospital", "region", "assignee", "manufacturer").annotate(
        has_overdue=Exists(_overdue_inquiries())
    )


def unknown_filter(name: str, value) -> ValidationFailed:
    return ValidationFailed(
        _("筛选条件“%(name)s”的值“%(value)s”无效") % {"name": name, "value": str(value)[:50]},
        field=name,
        code=PricingError.UNKNOWN_FILTER_VALUE,
    )


# paging and rendering parameters every list accepts besides its filters
PAGING = frozenset({"page", "page_size", "format", "limit", "offset", "cursor"})


def refuse_unknown_parameters(params, allowed) -> None:
    """A parameter that is neither a filter of the list nor paging is refused by name (a misspelt filter, e.g.
    `observed_on__gte` where the list has none, would otherwise be silently ignored and return everything)."""
    for name in params:
        if name not in PAGING and name not in allowed:
            raise ValidationFailed(
                _("未知的筛选条件“%(name)s”") % {"name": name[:50]},
                field=name[:50],
                code=PricingError.UNKNOWN_FILTER_VALUE,
            )


def _choice(params, name: str, allowed) -> str:
    value = (params.get(name) or "").strip()
    if value and value not in allowed:
        raise unknown_filter(name, value)
    return value


def _month(params, name: str) -> date | None:
    """A month filter: 2025-03 or a date (its month)."""
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value + "-01" if len(value) == 7 else value).replace(day=1)
    except ValueError:
        raise unknown_filter(name, value) from None


def alerts_filter(qs: QuerySet[PriceAlert], params, *, user=None, form: bool = False) -> QuerySet[PriceAlert]:
    """Filters of the inbox and the API, each value checked (an unknown one is a 400 naming the filter): signal
    `kind` (or `detector`), `severity` (minimum, 1–4), `region` (a league, with its banners), `status` (a state, or
    `active` every open state, `closed` resolved or dismissed), `assignee` ("me", "none" or an id), `hospital`,
    `product`, `overdue` replies, `min_amount` (amount at stake, yuan), `period_from` / `period_to` (months the case
    covers), a text query `q`; `sort`."""
    qs = _filter_choices(qs, params, user=user, form=form)
    amount = (params.get("min_amount") or "").strip()
    if amount:
        qs = qs.filter(amount_at_stake__gte=parse_decimal(amount, field="min_amount", max_digits=16, form=form))
    start, end = _month(params, "period_from"), _month(params, "period_to")
    if start:
        qs = qs.filter(period_end__gte=start)
    if end:
        qs = qs.filter(period_start__lt=date(end.year + end.month // 12, end.month % 12 + 1, 1))
    if (params.get("overdue") or "") in ("1", "true", "on"):
        qs = qs.filter(has_overdue=True)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(product__generic_name__icontains=q)
            | Q(product__nhsa_code__startswith=q)
            | Q(hospital__name__icontains=q)
            | Q(summary__icontains=q)
        )
    sort = _choice(params, "sort", SORTS) or "severity"
    return qs.order_by(*SORTS[sort])


def _filter_choices(qs, params, *, user, form: bool):
    kind = _choice(params, "kind", detector_labels()) or _choice(params, "detector", detector_labels())
    if kind:
        qs = qs.filter(kinds__contains=[kind])
    if (params.get("severity") or "").strip():
        qs = qs.filter(
            severity__gte=parse_int(params.get("severity"), field="severity", form=form, min_value=1, max_value=4)
        )
    if params.get("region"):
        region = param_id(params, "region", form=form)
        qs = qs.filter(Q(region_id=region) | Q(region__parent_id=region))
    status = _choice(params, "status", [*PriceAlert.Status.values, *STATUS_GROUPS])
    if status in STATUS_GROUPS:
        qs = qs.filter(status__in=STATUS_GROUPS[status])
    elif status:
        qs = qs.filter(status=status)
    assignee = (params.get("assignee") or "").strip()
    if assignee == "me" and user is not None:
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee_id=param_id(params, "assignee", form=form))
    if params.get("hospital"):
        qs = qs.filter(hospital_id=param_id(params, "hospital", form=form))
    if params.get("product"):
        qs = qs.filter(product_id=param_id(params, "product", form=form))
    _choice(params, "group", GROUPINGS)
    return qs


def alert_groups(qs: QuerySet[PriceAlert], by: str) -> list[dict]:
    """The filtered cases grouped by product or by hospital: count, amount at stake, highest score."""
    field = {"product": "product", "hospital": "hospital"}[by]
    rows = (
        qs.order_by()
        .values(
            f"{field}_id",
            *(["hospital__name"] if by == "hospital" else []),
        )
        .annotate(cases=Count("pk"), amount=Sum("amount_at_stake"), top=Max("score"))
        .order_by("-top", "-amount")
    )
    rows = list(rows[:200])
    products = (
        Product.objects.select_related("manufacturer").in_bulk([r["product_id"] for r in rows])
        if by == "product"
        else {}
    )
    out = []
    for row in rows:
        if by == "product":
            label = product_identity(products.get(row["product_id"]))
        else:
            label = row["hospital__name"] or _("全区")
        out.append(
            {
                "id": row[f"{field}_id"],
                "label": label,
                "cases": row["cases"],
                "amount": row["amount"],
                "top": row["top"],
            }
        )
    return out


def inquiries_visible_to(user) -> QuerySet[Inquiry]:
    qs = Inquiry.objects.select_related(
        "alert", "alert__product", "alert__manufacturer", "recipient", "sent_by", "replied_by"
    )
    if can(user, "pricing.view") and is_official(user):
        return qs
    if can(user, "pricing.answer_inquiry") and user.organization_id:
        return qs.filter(recipient_id=user.organization_id)
    return qs.none()


def shortage_alerts_visible_to(user) -> QuerySet[ShortageAlert]:
    if not (can(user, "pricing.view") and is_official(user)):
        return ShortageAlert.objects.none()
    return ShortageAlert.objects.select_related("product__manufacturer").prefetch_related("hospitals")
