"""Reads of the precomputed agreed-volume progress, scoped to the user: officials see every commitment, a hospital
its own, a manufacturer the commitments it supplies. Shared by the pages, the API and the export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.permissions import can, is_official
from common.charts import Series, bar_chart, line_chart
from common.numbers import param_id
from common.templatetags.display import format_quantity

from ..models import CommitmentProgress, ManufacturerProgress, ProgressRun, ProgressStatus

ALERT_STATUSES = (ProgressStatus.BEHIND, ProgressStatus.AT_RISK)

# Group-by keys of the roll-ups: key → (value fields, label field).
ROLLUPS = {
    "tender": ("tender_id", "tender__code", "tender__name"),
    "lot": ("lot_id", "lot__number", "lot__generic_name", "tender__code"),
    "region": ("region_id", "region__name"),
    "hospital": ("hospital_id", "hospital__name"),
    "manufacturer": ("manufacturer_id", "manufacturer__name"),
}

FILTERS = ("tender", "lot", "region", "hospital", "manufacturer", "status")


def progress_visible_to(user) -> QuerySet[CommitmentProgress]:
    qs = CommitmentProgress.objects.all()
    if is_official(user) or can(user, "progress.view_all"):
        return qs
    org_id = getattr(user, "organization_id", None)
    if org_id is None:
        return qs.none()
    condition = Q()
    if can(user, "progress.view_hospital"):
        condition |= Q(hospital_id=org_id)
    if can(user, "progress.view_manufacturer"):
        condition |= Q(manufacturer_id=org_id)
    return qs.filter(condition) if condition else qs.none()


def apply_filters(qs: QuerySet, params, *, form: bool = False) -> QuerySet:
    """Filters by id (tender, lot, region, hospital, manufacturer) and status; anything else is ignored."""
    for name in FILTERS:
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if name == "status":
            if value in ProgressStatus.values:
                qs = qs.filter(status=value)
        else:
            qs = qs.filter(**{f"{name}_id": param_id(params, name, form=form)})
    return qs


def cycle_rows(user, params=None) -> QuerySet[CommitmentProgress]:
    qs = progress_visible_to(user).filter(period_kind=CommitmentProgress.PeriodKind.CYCLE)
    if params is not None:
        qs = apply_filters(qs, params)
    return qs.select_related("tender", "lot", "hospital", "manufacturer", "region", "commitment__product")


PROGRESS_TOPIC = re.compile(r"commitment:(\d+):")


def with_live_progress(notes: list, rows: QuerySet[CommitmentProgress]) -> list:
    """The reminders, each about a commitment given that commitment's live cycle row as `live` (one query): a
    reminder shows today's figures, never the ones of the day it was raised."""
    ids = {int(m.group(1)) for n in notes if (m := PROGRESS_TOPIC.match(n.topic or ""))}
    live = {r.commitment_id: r for r in rows.filter(commitment_id__in=ids)} if ids else {}
    for n in notes:
        m = PROGRESS_TOPIC.match(n.topic or "")
        n.live = live.get(int(m.group(1))) if m else None
    return notes


def month_rows(user, commitment_id: int) -> QuerySet[CommitmentProgress]:
    return (
        progress_visible_to(user)
        .filter(commitment_id=commitment_id, period_kind=CommitmentProgress.PeriodKind.MONTH)
        .order_by("period_start")
    )


def ratio(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass
class Rollup:
    key: int | None
    label: str
    commitments: int
    agreed: int
    expected: int
    received: int
    substitutes: int
    amount: Decimal
    behind: int
    at_risk: int
    completed: int

    @property
    def completion(self) -> Decimal | None:
        return ratio(self.received, self.agreed)

    @property
    def pro_rata(self) -> Decimal | None:
        return ratio(self.expected, self.agreed)

    @property
    def substitution(self) -> Decimal | None:
        return ratio(max(self.substitutes, 0), max(self.received, 0) + max(self.substitutes, 0))

    @property
    def completion_percent(self) -> float:
        return float(min(self.completion or 0, 1) * 100)


def rollup(qs: QuerySet[CommitmentProgress], by: str) -> list[Rollup]:
    """Cycle rows summed by tender, lot, region, hospital or manufacturer (one GROUP BY)."""
    fields = ROLLUPS[by]
    rows = (
        qs.order_by()
        .values(*fields)
        .annotate(
            n=Count("id"),
            agreed=Sum("agreed_volume"),
            expected=Sum("expected_units"),
            received=Sum("cumulative_units"),
            subs=Sum("cumulative_substitute_units"),
            amount=Sum("cumulative_amount"),
            behind=Count("id", filter=Q(status=ProgressStatus.BEHIND)),
            at_risk=Count("id", filter=Q(status=ProgressStatus.AT_RISK)),
            completed=Count("id", filter=Q(status__in=[ProgressStatus.COMPLETED, ProgressStatus.OVER])),
        )
        .order_by(*fields[1:])
    )
    return [
        Rollup(
            key=r[fields[0]],
            label=" ".join(str(r[f]) for f in fields[1:] if r[f] is not None) or "—",
            commitments=r["n"],
            agreed=r["agreed"] or 0,
            expected=r["expected"] or 0,
            received=r["received"] or 0,
            substitutes=r["subs"] or 0,
            amount=r["amount"] or Decimal("0.00"),
            behind=r["behind"],
            at_risk=r["at_risk"],
            completed=r["completed"],
        )
        for r in rows
    ]


def alert_rows(user, params=None) -> QuerySet[CommitmentProgress]:
    """Commitments behind or at risk, the worst first."""
    return cycle_rows(user, params).filter(status__in=ALERT_STATUSES).order_by("completion_rate", "hospital__name")


def high_substitution_rows(user, params=None) -> QuerySet[CommitmentProgress]:
    threshold = Decimal(str(settings.COMMITMENT_PROGRESS["HIGH_SUBSTITUTION_RATIO"]))
    return cycle_rows(user, params).filter(substitution_ratio__gte=threshold).order_by("-substitution_ratio")


def manufacturer_rows(user) -> QuerySet[ManufacturerProgress]:
    qs = ManufacturerProgress.objects.select_related("manufacturer", "tender").order_by(
        "tender__code", "manufacturer__name"
    )
    if is_official(user) or can(user, "progress.view_all"):
        return qs
    if can(user, "progress.view_manufacturer"):
        return qs.filter(manufacturer_id=user.organization_id)
    return qs.none()


def last_run() -> ProgressRun | None:
    return ProgressRun.objects.filter(status=ProgressRun.Status.SUCCEEDED).order_by("-finished_at").first()


def chart(months: list[CommitmentProgress]):
    """Cumulative received month by month against the pro-rata volume expected by each month's end and the
    agreed volume (common.charts, server-side SVG with a table of the same numbers)."""
    if not months:
        return None
    unit = months[0].commitment.product.min_unit
    lines = [
        Series(_("累计入库量"), [m.cumulative_units for m in months], dashed=False),
        Series(_("按时间进度应完成量"), [m.expected_units for m in months], dashed=True),
        Series(_("约定采购量"), [m.agreed_volume for m in months]),
    ]
    for line in lines:
        line.formatted = [format_quantity(v, unit) for v in line.values]
    return line_chart(
        title=_("累计入库与进度应完成量"),
        x_title=_("月份"),
        y_title=_("数量（%(unit)s）") % {"unit": unit},
        x_labels=[f"{m.period_start:%Y-%m}" for m in months],
        series=lines,
        value_formatter=lambda v: format_quantity(v, unit),
    )


def rollup_chart(groups: list[Rollup], *, by_label: str):
    """Completion and the pro-rata share expected by today, per group of the page shown (common.charts, server-side
    SVG with a table of the same numbers)."""
    if not groups:
        return None

    def percent(value):
        return None if value is None else float((value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    bars = [
        Series(_("完成率"), [percent(g.completion) for g in groups]),
        Series(_("按时间进度应完成"), [percent(g.pro_rata) for g in groups]),
    ]
    for s in bars:
        s.formatted = ["—" if v is None else f"{v:.1f}%" for v in s.values]
    chart = bar_chart(
        title=_("各%(by)s完成率与时间进度") % {"by": by_label},
        x_title=by_label,
        y_title=_("占约定采购量（%）"),
        x_labels=[str(g.label) for g in groups],
        series=bars,
        value_formatter=lambda v: f"{v:.1f}%",
    )
    chart.names = True
    return chart
