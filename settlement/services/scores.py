"""综合绩效: a yearly score per hospital from what the platform knows, and what it is linked to.

The parts, each 0–100 (docs/budgets.md; seeds 000/002 "将…综合绩效考评结果与预算管理…及医保基金的拨付相关联"):
- completion — received / pro-rata expected volume of its commitments in cycles overlapping the year, capped at 100 %;
- online_share — per measured class, the online purchase share against its target (drugs 90 %, high-value
  consumables 80 %: `ONLINE_SHARE_TARGETS`), capped at 100 %, averaged over the classes it bought;
- receipt_timeliness — the share of its receipts of the year accepted within `SCORE_RECEIPT_ON_TIME_DAYS` of shipment;
- statement_timeliness — the share of its statements due for confirmation in the year that it confirmed itself by
  the deadline (a deemed confirmation is not on time);
- substitution — 100 × (1 − the share of non-selected products in the same lots).
A part without data is stored empty. The score is the weighted mean (`SCORE_WEIGHTS`) of the parts it has data for (a part without data is left out and
the weights of the others renormalised). It links (at or above `SCORE_HIGH`: up; below `SCORE_LOW`: down) the
prepayment rate by `SCORE_PREPAYMENT_BONUS` — never below the national 30 % floor nor the configured minimum — and
the retained-savings share by `SCORE_SAVINGS_BONUS` (within 0–100 %).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Q

from accounts.models import Organization
from accounts.permissions import require
from common import rules
from common.models import record_event
from procurement.models import CommitmentProgress, Receipt
from procurement.online_share import online_share
from procurement.selectors.progress import rollup

from ..generation import fund_for_hospital
from ..models import HospitalScore, SettlementStatement

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
ONE = Decimal("1")


def _pct(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return min(Decimal(numerator) / Decimal(denominator), ONE) * HUNDRED


def _progress_parts(year: int, ids) -> dict[int, dict]:
    rows = CommitmentProgress.objects.filter(
        period_kind=CommitmentProgress.PeriodKind.CYCLE,
        tender__cycle_start__lte=date(year, 12, 31),
        tender__cycle_end__gte=date(year, 1, 1),
    )
    if ids is not None:
        rows = rows.filter(hospital_id__in=ids)
    parts = {}
    for r in rollup(rows, "hospital"):
        subs = r.substitution
        parts[r.key] = {
            "completion": _pct(max(r.received, 0), r.expected),
            "substitution": (ONE - subs) * HUNDRED if subs is not None else None,
        }
    return parts


def _online_parts(year: int, ids) -> dict[int, Decimal]:
    found: dict[int, list[Decimal]] = {}
    for row in online_share(date_from=date(year, 1, 1), date_to=date(year, 12, 31), per_month=False, hospital_ids=ids):
        if row.share is not None and row.target:
            found.setdefault(row.key, []).append(min(row.share / Decimal(row.target), ONE) * HUNDRED)
    return {k: sum(v) / len(v) for k, v in found.items()}


def _receipt_parts(year: int, ids, days: int) -> dict[int, Decimal]:
    qs = Receipt.objects.filter(received_at__year=year)
    if ids is not None:
        qs = qs.filter(hospital_id__in=ids)
    rows = (
        qs.values("hospital_id")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(received_at__lte=F("delivery__shipped_at") + timedelta(days=days))),
        )
        .order_by()
    )
    return {r["hospital_id"]: _pct(r["on_time"], r["n"]) for r in rows}


def _statement_parts(year: int, ids) -> dict[int, Decimal]:
    qs = SettlementStatement.objects.filter(confirm_due_on__year=year)
    if ids is not None:
        qs = qs.filter(hospital_id__in=ids)
    rows = (
        qs.values("hospital_id")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(confirmed_by__isnull=False, confirmed_at__date__lte=F("confirm_due_on"))),
        )
        .order_by()
    )
    return {r["hospital_id"]: _pct(r["on_time"], r["n"]) for r in rows}


def weighted(parts: dict[str, Decimal | None], weights: dict[str, Decimal]) -> Decimal | None:
    """The weighted mean of the parts with data (the rule's specification)."""
    present = {k: v for k, v in parts.items() if v is not None}
    total = sum((weights[k] for k in present), Decimal("0"))
    if not total:
        return None
    return (sum(weights[k] * v for k, v in present.items()) / total).quantize(CENT, rounding=ROUND_HALF_UP)


def linked(score: Decimal, fund, r) -> tuple[Decimal, Decimal]:
    """(prepayment rate, retained-savings share) the score links the hospital to."""
    step = 1 if score >= r.score_high else -1 if score < r.score_low else 0
    floor = max(rules.settlement().min_prepayment_rate, Decimal("0.30"))
    prepayment = min(max(fund.prepayment_rate + step * r.score_prepayment_bonus, floor), ONE)
    savings = min(max(fund.retained_share + step * r.score_savings_bonus, Decimal("0")), ONE)
    return prepayment, savings


@transaction.atomic
def hospital_scores_compute(*, year: int, by, hospital_ids=None) -> list[HospitalScore]:
    """Compute (or recompute) the year's scores of every hospital with data (or of those given): a few grouped
    queries for all hospitals, one upsert."""
    require(by, "settlement.manage")
    r = rules.budgets()
    ids = list(hospital_ids) if hospital_ids is not None else None
    progress = _progress_parts(year, ids)
    online = _online_parts(year, ids)
    receipts = _receipt_parts(year, ids, r.receipt_on_time_days)
    statements = _statement_parts(year, ids)
    everyone = set(progress) | set(online) | set(receipts) | set(statements)
    hospitals = Organization.objects.filter(pk__in=everyone, kind=Organization.Kind.HOSPITAL).select_related("region")
    funds: dict[int, object] = {}
    scores = []
    for hospital in hospitals:
        parts = {
            "completion": progress.get(hospital.pk, {}).get("completion"),
            "online_share": online.get(hospital.pk),
            "receipt_timeliness": receipts.get(hospital.pk),
            "statement_timeliness": statements.get(hospital.pk),
            "substitution": progress.get(hospital.pk, {}).get("substitution"),
        }
        score = weighted(parts, r.score_weights)
        if score is None or hospital.region_id is None:
            continue
        if hospital.region_id not in funds:
            funds[hospital.region_id] = fund_for_hospital(hospital)
        prepayment, savings = linked(score, funds[hospital.region_id], r)
        scores.append(
            HospitalScore(
                hospital=hospital,
                year=year,
                score=score,
                weights={k: str(v) for k, v in r.score_weights.items()},
                prepayment_rate=prepayment,
                savings_share=savings,
                **{k: v.quantize(CENT, rounding=ROUND_HALF_UP) if v is not None else None for k, v in parts.items()},
            )
        )
    fields = [
        "score",
        "weights",
        "prepayment_rate",
        "savings_share",
        "completion",
        "online_share",
        "receipt_timeliness",
        "statement_timeliness",
        "substitution",
        "computed_at",
    ]
    saved = HospitalScore.objects.bulk_create(
        scores, update_conflicts=True, unique_fields=["hospital", "year"], update_fields=fields
    )
    record_event(by, "hospital_scores_computed", by=by, data={"year": year, "hospitals": len(saved)})
    return saved
