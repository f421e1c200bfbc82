"""结余留用 earned and paid: after a tender's cycle, each hospital's savings (`selectors.retained_savings`) become an
award, payable only when the hospital completed its agreed volumes and kept non-selected products under the
threshold; a fund officer approves or refuses it, and the payment goes through the ledger.

The rule (docs/budgets.md; seed 000 "完善结余留用政策，促进中选产品优先合理使用"):
- completion = Σ received of the awarded products / Σ agreed volume over the hospital's commitments of the tender
  (the cycle rows of agreed-volume progress), ≥ `SAVINGS_MIN_COMPLETION` (default 100 %);
- substitution = non-selected units / (selected + non-selected units) of the same lots ≤ `SAVINGS_MAX_SUBSTITUTION`;
- amount = savings × share, the share being the fund's retained share as the hospital's latest score linked it
  (`HospitalScore.savings_share`), 0 when it did not qualify (the reasons say why).
Ledger: debit the hospital's retained-savings expense, credit the fund's bank.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organization
from accounts.permissions import require
from common import rules
from common.models import record_event
from common.money import quantize_amount
from procurement.models import CommitmentProgress
from procurement.selectors.progress import rollup

from .. import ledger, selectors
from ..errors import ConflictError, SettlementError, ValidationFailed
from ..generation import fund_for_hospital
from ..models import HospitalScore, JournalEntry, LedgerAccount, SavingsAward

S = SavingsAward.Status
ZERO = Decimal("0.00")


def award_reasons(*, savings, completion, substitution, min_completion, max_substitution) -> list[dict]:
    """Why an award is (not) payable, as codes with parameters (rendered by `reason_text`)."""
    params = {"completion": str(completion), "min_completion": str(min_completion)}
    reasons = [
        {"code": "completion_met" if completion >= min_completion else "completion_below", "params": params},
        {
            "code": "substitution_within" if substitution <= max_substitution else "substitution_over",
            "params": {"substitution": str(substitution), "max_substitution": str(max_substitution)},
        },
    ]
    if savings <= 0:
        reasons.append({"code": "no_savings", "params": {"savings": str(savings)}})
    return reasons


REASON_TEXTS = {
    "completion_met": gettext_noop("约定采购量完成率 {completion} ≥ {min_completion}"),
    "completion_below": gettext_noop("约定采购量完成率 {completion} 低于 {min_completion}"),
    "substitution_within": gettext_noop("非中选产品替代率 {substitution} ≤ {max_substitution}"),
    "substitution_over": gettext_noop("非中选产品替代率 {substitution} 超过 {max_substitution}"),
    "no_savings": gettext_noop("无节约金额（{savings}）"),
}


def reason_text(reason: dict) -> str:
    """A stored reason in the reader's language."""
    template = REASON_TEXTS.get(reason.get("code"), "{code}")
    params = {**reason.get("params", {}), "code": reason.get("code")}
    return _(template).format(**params)


def _share(hospital_id: int, fund, year: int) -> Decimal:
    score = HospitalScore.objects.filter(hospital_id=hospital_id, year__lte=year).order_by("-year").first()
    return score.savings_share if score is not None else fund.retained_share


def _fund(hospital, funds: dict):
    """The hospital's fund, looked up once per region."""
    if hospital.region_id not in funds:
        funds[hospital.region_id] = fund_for_hospital(hospital)
    return funds[hospital.region_id]


@transaction.atomic
def savings_awards_assess(*, tender, by, fund=None) -> list[SavingsAward]:
    """Assess (or re-assess, while still awaiting review) every hospital's award of a tender whose cycle ended."""
    require(by, "settlement.manage")
    if tender.cycle_end is None or tender.cycle_end >= timezone.localdate():
        raise ConflictError(
            _("“%(tender)s”的采购周期尚未结束") % {"tender": tender},
            field="tender",
            code=SettlementError.CYCLE_NOT_ENDED,
        )
    r = rules.budgets()
    rows = selectors.retained_savings(tender=tender, fund=fund)
    progress = {
        p.key: p
        for p in rollup(
            CommitmentProgress.objects.filter(
                tender=tender,
                period_kind=CommitmentProgress.PeriodKind.CYCLE,
                hospital_id__in=[row["hospital_id"] for row in rows],
            ),
            "hospital",
        )
    }
    hospitals = Organization.objects.select_related("region").in_bulk([row["hospital_id"] for row in rows])
    funds: dict[int, object] = {}
    existing = {a.hospital_id: a for a in SavingsAward.objects.filter(tender=tender).select_for_update(of=("self",))}
    done = []
    for row in rows:
        hospital_id = row["hospital_id"]
        award = existing.get(hospital_id)
        if award is not None and award.status != S.ASSESSED:
            continue
        p = progress.get(hospital_id)
        completion = (p.completion if p else None) or Decimal("0")
        substitution = (p.substitution if p else None) or Decimal("0")
        savings = max(row["savings"], ZERO)
        fund_of = fund or _fund(hospitals[hospital_id], funds)
        share = _share(hospital_id, fund_of, tender.cycle_end.year)
        qualified = (
            savings > 0 and completion >= r.savings_min_completion and substitution <= r.savings_max_substitution
        )
        values = {
            "fund": fund_of,
            "savings": savings,
            "share": share,
            "amount": quantize_amount(savings * share) if qualified else ZERO,
            "completion_rate": min(completion, Decimal("9.9999")),
            "substitution_rate": substitution,
            "qualified": qualified,
            "reasons": award_reasons(
                savings=savings,
                completion=completion,
                substitution=substitution,
                min_completion=r.savings_min_completion,
                max_substitution=r.savings_max_substitution,
            ),
        }
        award, _created = SavingsAward.objects.update_or_create(hospital_id=hospital_id, tender=tender, defaults=values)
        record_event(award, "assessed", by=by, to_state=award.status, data={"amount": str(award.amount)})
        done.append(award)
    return done


def _lock(award: SavingsAward) -> SavingsAward:
    return (
        SavingsAward.objects.select_for_update(of=("self",))
        .select_related("hospital", "tender", "fund")
        .get(pk=award.pk)
    )


def _ensure_qualified(award: SavingsAward) -> None:
    if not award.qualified or award.amount <= 0:
        raise ValidationFailed(
            _("%(hospital)s未达到结余留用条件（%(reasons)s），不能核定或拨付")
            % {"hospital": award.hospital, "reasons": "；".join(reason_text(r) for r in award.reasons)},
            field="award",
            code=SettlementError.SAVINGS_NOT_QUALIFIED,
        )


@transaction.atomic
def savings_award_review(*, award: SavingsAward, approve: bool, by, note: str = "") -> SavingsAward:
    """The fund officer's decision: approve a qualified award, or refuse it with a reason."""
    require(by, "settlement.manage")
    award = _lock(award)
    if award.status != S.ASSESSED:
        raise ConflictError(
            _("结余留用状态为“%(status)s”，不能审核") % {"status": award.get_status_display()},
            field="status",
            code=SettlementError.SAVINGS_STATUS,
        )
    note = (note or "").strip()
    if approve:
        _ensure_qualified(award)
    elif not note:
        raise ValidationFailed(_("请填写不予留用的理由"), field="note", code=SettlementError.REASON_REQUIRED)
    before = award.status
    award.status = S.APPROVED if approve else S.REJECTED
    award.review_note = note[:300]
    award.reviewed_by = by
    award.reviewed_at = timezone.now()
    award.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    record_event(award, "reviewed", by=by, from_state=before, to_state=award.status, note=award.review_note)
    return award


@transaction.atomic
def savings_award_pay(*, award: SavingsAward, by, paid_on: date | None = None) -> SavingsAward:
    """拨付结余留用: only an approved award of a qualified hospital; booked in the ledger."""
    require(by, "settlement.manage")
    award = _lock(award)
    _ensure_qualified(award)
    if award.status != S.APPROVED:
        raise ConflictError(
            _("结余留用状态为“%(status)s”，须先核定才能拨付") % {"status": award.get_status_display()},
            field="status",
            code=SettlementError.SAVINGS_STATUS,
        )
    paid_on = paid_on or timezone.localdate()
    fund = award.fund
    award.journal_entry = ledger.post(
        fund=fund,
        kind=JournalEntry.Kind.SAVINGS,
        entry_date=paid_on,
        by=by,
        memo=f"结余留用 {award.hospital} {award.tender.code}：节约 {award.savings} × {award.share}",
        lines=[
            (ledger.account(fund, LedgerAccount.Kind.SAVINGS_EXPENSE, award.hospital_id), award.amount),
            (ledger.bank(fund), -award.amount),
        ],
    )
    award.status, award.paid_on = S.PAID, paid_on
    award.save(update_fields=["status", "paid_on", "journal_entry"])
    record_event(award, "paid", by=by, from_state=S.APPROVED, to_state=S.PAID, data={"amount": str(award.amount)})
    return award
