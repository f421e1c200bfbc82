"""The reads of pharmacies: 双通道 designations (for officials, for a pharmacy its own, and the public list) and the
negotiated-drug monitoring report (谈判药监测), run as the two statements of `pharmacies.sql`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Organization, Region
from accounts.permissions import scope_to_organization
from catalog.models import Product
from common import rules
from common.errors import ValidationFailed
from common.numbers import param_id

from . import sql
from .errors import PharmacyError
from .models import DualChannelPharmacy
from .services import parse_day

# --- 双通道 designations --------------------------------------------------------------------------------------------


def _with_relations(qs: QuerySet) -> QuerySet:
    # named as every page names a product (catalog.identity: strength, form, pack, maker)
    products = Product.objects.select_related("manufacturer").order_by("generic_name", "pk")
    return qs.select_related("pharmacy", "region", "designated_by", "revoked_by").prefetch_related(
        Prefetch("products", queryset=products)
    )


def designations_visible_to(user) -> QuerySet:
    """Every designation for officials; a pharmacy's own for its users; nothing for anyone else (404)."""
    return _with_relations(scope_to_organization(DualChannelPharmacy.objects.all(), user, field="pharmacy"))


def live_filter(on: date) -> Q:
    """Designations in force on `on`: not revoked, started, not ended."""
    return Q(revoked_at__isnull=True, valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def public_designations(*, on: date | None = None, region: int | None = None) -> QuerySet:
    """The 双通道 pharmacies in force today, for the public list (no sign-in): pharmacy, address, region, the drugs."""
    qs = DualChannelPharmacy.objects.filter(live_filter(on or timezone.localdate()), pharmacy__is_active=True)
    if region:
        qs = qs.filter(region_id=region)
    return _with_relations(qs)


def designation_choices() -> dict:
    """What the designation form offers: pooling regions, pharmacies and negotiated drugs (three queries)."""
    return {
        "regions": list(Region.objects.filter(level=Region.Level.LEAGUE_CITY).order_by("sort_order", "code")),
        "pharmacies": list(
            Organization.objects.filter(kind=Organization.Kind.PHARMACY, is_active=True)
            .select_related("region")
            .order_by("name")
        ),
        "drugs": list(
            Product.objects.filter(negotiated=True).select_related("manufacturer").order_by("generic_name", "pk")
        ),
    }


# --- the monitoring report ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringFilters:
    date_from: date
    date_to: date
    region: int | None = None
    q: str = ""
    only: str = ""
    region_name: str = ""

    def as_query(self) -> str:
        parts = [f"date_from={self.date_from.isoformat()}", f"date_to={self.date_to.isoformat()}"]
        if self.region:
            parts.append(f"region={self.region}")
        if self.q:
            parts.append(f"q={self.q}")
        if self.only:
            parts.append(f"only={self.only}")
        return "&".join(parts)


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    month = today.year * 12 + today.month - 1 - 11
    return date(month // 12, month % 12 + 1, 1), today


def monitoring_filters(params) -> MonitoringFilters:
    """The report's filters from a query string: dates (default the last twelve months), a pooling region, a text
    and `only` (expiring | unlisted | unstocked | gaps); a bad one is a 400 naming it."""
    start, end = default_period(timezone.localdate())
    date_from = parse_day(params.get("date_from"), field="date_from", label=gettext_lazy("起始日期")) or start
    date_to = parse_day(params.get("date_to"), field="date_to", label=gettext_lazy("截止日期")) or end
    if date_to < date_from:
        raise ValidationFailed(gettext("截止日期不能早于起始日期"), field="date_to", code=PharmacyError.INVALID_FILTER)
    region_id = param_id(params, "region", label=gettext_lazy("统筹区"))
    region_name = ""
    if region_id:
        region = Region.objects.filter(pk=region_id, level=Region.Level.LEAGUE_CITY).only("name").first()
        if region is None:
            raise ValidationFailed(
                gettext("统筹区不存在（须为盟市）"), field="region", code=PharmacyError.REGION_UNKNOWN
            )
        region_name = region.name
    only = str(params.get("only") or "")
    if only not in sql.ONLY:
        raise ValidationFailed(
            gettext("筛选“%(value)s”无效") % {"value": only[:20]}, field="only", code=PharmacyError.INVALID_FILTER
        )
    q = str(params.get("q") or "").strip()[:50]
    return MonitoringFilters(date_from, date_to, region_id, q, only, region_name)


@dataclass
class Monitoring:
    filters: MonitoringFilters
    drugs: list[dict] = field(default_factory=list)
    months: list[dict] = field(default_factory=list)


def _run(statement, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(cursor.cursor), params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def monitoring(filters: MonitoringFilters, *, months: bool = True) -> Monitoring:
    """The report for the filters: the per-drug rows and (with `months`) the per-drug-and-month volumes, two
    statements whatever the number of drugs."""
    today = timezone.localdate()
    like = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    params = {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "region": filters.region,
        "q": like,
        "today": today,
        "expiring_until": today + timedelta(days=rules.pharmacies().expiring_days),
        "only": filters.only,
    }
    report = Monitoring(filters=filters, drugs=_run(sql.drug_rows(), params))
    if months:
        report.months = _run(sql.monthly_rows(), params)
    return report
