"""Demo retained savings (结余留用) of the ended cycle of NMG-YP-2025-01 (苯磺酸氨氯地平片), and a carried shortfall.

Five hospitals receive the selected amlodipine through the cycle — one order a quarter, made through procurement's
order services while the listings are valid, then dated back into the cycle (as the tender demo moves its dates; demo
data only) — one of them also buys the lot's non-selected product. Each quarter's receipts are settled directly:
statements generated, claimed, confirmed, approved in the following month and paid, and the month's deductions
posted. Then (`seed_awards`, after the budgets and the monthly settlements) the cycle is assessed:

| hospital | received / agreed | non-selected share | award |
|---|---|---|---|
| 1st | 104 % | 0 | qualified, approved and paid through the ledger |
| 2nd | 101 % | 0 | qualified, approved, not yet paid |
| 3rd | 86 % | 0 | not qualified: completion below 100 % |
| 4th | 104 % | 33 % | not qualified: substitution above 30 % |
| 5th | 102 % | 0 | qualified, awaiting the fund officer's review |

The 1st hospital's insurance settlement was suspended for one month of the cycle (`SUSPENDED_MONTH`: its claims of
that month were not accepted, `demo_fund` leaves them out of the claims file), while the fund paid the manufacturer
on its behalf: the deduction exceeds what the fund owes it, the shortfall is carried and recovered the next month.

Runs once, on a database whose budgets are not settled yet (the deductions must precede the monthly settlements);
a second run changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from procurement.models import Commitment, DistributionAuthorization, Listing, ReceiptLine, Tender
from procurement.services.progress import progress_refresh_hospital

from .generation import generate_statements
from .models import BudgetAllocation, SavingsAward, SettlementStatement
from .services import deductions, payments, review, savings, statements

SAVINGS_TENDER = "NMG-YP-2025-01"
# Per hospital of the tender's commitments (in the order of their ids): the share of its agreed volume received of the
# selected product, the non-selected units bought as a share of the selected ones, and what becomes of its award.
PLAN = [
    ("1.04", "0", "paid"),
    ("1.01", "0", "approved"),
    ("0.86", "0", "assessed"),
    ("1.04", "0.50", "assessed"),
    ("1.02", "0", "assessed"),
]
# The receipts of each quarter (received on the 12th of its middle month), as shares of the hospital's total.
QUARTERS = [(2, "0.24"), (5, "0.26"), (8, "0.25"), (11, "0.25")]
# The month of the cycle whose claims the 1st hospital could not settle (协议管理：暂停医保结算一个月).
SUSPENDED_MONTH = 9


def _plan_hospitals(tender: Tender, selected: Listing) -> list[tuple[User, Commitment]]:
    """The first hospitals committed to the selected listing's product that have a purchaser login."""
    picked = []
    commitments = Commitment.objects.filter(tender=tender, product=selected.product).order_by("hospital_id")
    for commitment in commitments.select_related("hospital__region"):
        buyer = (
            User.objects.filter(organization=commitment.hospital, roles__code="purchaser", is_active=True)
            .order_by("pk")
            .first()
        )
        if buyer is not None:
            picked.append((buyer, commitment))
        if len(picked) == len(PLAN):
            break
    return picked


def suspended_claims() -> set[tuple[int, date]]:
    """(hospital id, month) of the claims left out of the demo claims file: the 1st hospital's suspended month."""
    tender = Tender.objects.filter(code=SAVINGS_TENDER).first()
    selected = _listings(tender)[0] if tender is not None else None
    if selected is None or not ReceiptLine.objects.filter(award__tender=tender).exists():
        return set()
    plan = _plan_hospitals(tender, selected)
    if not plan:
        return set()
    return {(plan[0][1].hospital_id, tender.cycle_start.replace(month=SUSPENDED_MONTH, day=1))}


def _listings(tender: Tender) -> tuple[Listing | None, Listing | None]:
    """The selected listing hospitals were committed to, and the lot's other product (bought as a substitute)."""
    listings = list(Listing.objects.filter(award__tender=tender).select_related("product").order_by("award__rank"))
    return (listings[0], listings[1]) if len(listings) >= 2 else (None, None)


def _order_while_valid(listings: list[Listing], orders) -> None:
    """Run the orders while the listings are orderable (valid today, active), then put their dates and status back."""
    kept = {listing.pk: (listing.status, listing.valid_to) for listing in listings}
    before = set(DistributionAuthorization.objects.values_list("pk", flat=True))
    Listing.objects.filter(pk__in=kept).update(status=Listing.Status.ACTIVE, valid_to=None)
    try:
        orders()
    finally:
        for pk, (status, valid_to) in kept.items():
            Listing.objects.filter(pk=pk).update(status=status, valid_to=valid_to)
        # the distributor's authorisations for the cycle ended with it
        cycle_end = listings[0].valid_to
        DistributionAuthorization.objects.exclude(pk__in=before).update(valid_to=cycle_end, is_active=False)


def _packs(units: int, listing: Listing) -> int:
    return -(-units // listing.product.pack_size)  # whole packs, rounded up


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)), timezone.get_current_timezone())


def _settle_quarter(month: date, buyers: dict, fund_user: User, rep_for) -> None:
    """The quarter's statements: claimed, confirmed, approved on the 8th of the next month and paid, then the next
    month's deductions posted (what the fund paid the manufacturer on each hospital's behalf)."""
    generate_statements(month=month)
    approved_on = (month + timedelta(days=40)).replace(day=8)
    funds = {}
    for statement in SettlementStatement.objects.filter(period=month, hospital_id__in=buyers).order_by("pk"):
        statements.statement_claim(
            statement=statement, by=rep_for(statement.manufacturer), invoice_numbers=[f"{45000000 + statement.pk:08d}"]
        )
        statements.statement_review(statement=statement, by=buyers[statement.hospital_id])
        review.statement_approve(statement=statement, by=fund_user)
        SettlementStatement.objects.filter(pk=statement.pk).update(approved_at=_aware(approved_on))
        payments.payment_record(
            statement=statement,
            amount=statement.amount,
            reference=f"ZF{statement.pk:08d}",
            paid_on=approved_on + timedelta(days=5),
            by=fund_user,
        )
        funds[statement.fund_id] = statement.fund
    for fund in funds.values():
        deductions.hospital_deductions_post(fund=fund, month=approved_on.replace(day=1), by=fund_user)


def seed_receipts(fund_user: User | None, dist: User | None, receive, rep_for) -> str:
    """The cycle's receipts at five hospitals and their direct settlement; `receive` and `rep_for` are the
    settlement demo's order and representative helpers."""
    tender = Tender.objects.filter(code=SAVINGS_TENDER).first()
    if tender is None or fund_user is None or dist is None:
        return ""
    if BudgetAllocation.objects.exists() or ReceiptLine.objects.filter(award__tender=tender).exists():
        return ""  # already built, or the budgets were settled before this demo existed
    selected, other = _listings(tender)
    if selected is None or tender.cycle_end >= timezone.localdate():
        return ""
    plan = list(zip(_plan_hospitals(tender, selected), PLAN, strict=False))
    buyers = {buyer.organization_id: buyer for (buyer, _c), _p in plan}

    def orders() -> None:
        for (buyer, commitment), (completion, substitutes, _target) in plan:
            units = int(commitment.agreed_volume * float(completion))
            for n, (month, share) in enumerate(QUARTERS):
                on = tender.cycle_start.replace(month=month, day=12)
                quarter_units = int(units * float(share))
                invoice = f"{25000000 + commitment.hospital_id * 10 + n:08d}"
                receive(buyer, dist, [selected], _packs(quarter_units, selected), on, invoice)
                if substitutes != "0":
                    extra = int(quarter_units * float(substitutes))
                    receive(buyer, dist, [other], _packs(extra, other), on + timedelta(days=1), f"{invoice}9")

    _order_while_valid([selected, other], orders)
    # Counted now, not by the receipts' refreshes queued for after the commit: the assessment below reads it.
    for hospital_id in buyers:
        progress_refresh_hospital(hospital_id=hospital_id)
    for month, _share in QUARTERS:
        _settle_quarter(tender.cycle_start.replace(month=month, day=1), buyers, fund_user, rep_for)
    return f"；{tender.code} 采购周期 {len(plan)} 家医疗机构按季验收并直接结算"


def seed_awards(fund_user: User | None) -> str:
    """The cycle's retained savings assessed, and the awards taken to their planned status."""
    tender = Tender.objects.filter(code=SAVINGS_TENDER).first()
    if tender is None or fund_user is None or SavingsAward.objects.filter(tender=tender).exists():
        return ""
    if not ReceiptLine.objects.filter(award__tender=tender).exists():
        return ""
    selected, _other = _listings(tender)
    hospitals = [c.hospital_id for _buyer, c in _plan_hospitals(tender, selected)]
    targets = dict(zip(hospitals, (target for *_rest, target in PLAN), strict=False))
    awards = savings.savings_awards_assess(tender=tender, by=fund_user)
    paid_on = tender.cycle_end + timedelta(days=75)  # the year-end settlement done, mid-March
    for award in sorted(awards, key=lambda a: a.hospital_id):
        target = targets.get(award.hospital_id)
        if target in ("approved", "paid") and award.qualified:
            savings.savings_award_review(award=award, approve=True, by=fund_user, note="完成约定采购量，同意留用")
        if target == "paid" and award.qualified:
            savings.savings_award_pay(award=award, by=fund_user, paid_on=paid_on)
    qualified = sum(1 for a in awards if a.qualified)
    return f"；{tender.code} 结余留用考核 {len(awards)} 家（{qualified} 家达标）"
