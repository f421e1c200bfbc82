"""总额预算: budgets per hospital and year (entered or imported), the hospital's insurance claims imported each month,
and the monthly settlement of those claims against the budget, net of the direct-settlement deductions.

The rules (docs/budgets.md):
- **Within the budget, month by month.** A month's claims are owed up to the budget of the year so far: owed =
  min(claims so far, budget so far) − owed before. The rest is held for the year-end settlement (`yearend.py`),
  where the over-spend is shared (合理超支分担).
- **Deductions and the shortfall.** From what is owed the fund withholds first the shortfall carried from earlier
  months (oldest debt first), then the month's deductions (`HospitalDeduction`: statements approved that month and
  the prepayment offset). What cannot be withheld is carried to the next month and recovered from its amount owed;
  one still open at the year end is recovered from the year-end payment, and then carried into the next year.
- **Ledger.** One entry per hospital and month: debit the hospital's claims expense with what is owed, credit the
  fund's bank with what is paid out, and the hospital's account with the shortfall recovered (debit with the part of
  the month's deductions not withheld, since the deduction entry had counted it as collected).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from common.errors import CommonError
from common.importing import load_dataset, require_headers
from common.models import record_event
from common.money import quantize_amount, to_decimal
from common.numbers import parse_int

from .. import ledger
from ..errors import ConflictError, DomainError, SettlementError, ValidationFailed
from ..generation import fund_for_hospital, next_month, parse_month
from ..models import (
    BudgetAllocation,
    BudgetMonth,
    BudgetMonthSettlement,
    BudgetYearSettlement,
    HospitalDeduction,
    InsuranceClaim,
    JournalEntry,
    LedgerAccount,
)

ZERO = Decimal("0.00")
MONTH_HEADERS = [f"{m}月" for m in range(1, 13)]
BUDGET_HEADERS = ["医疗机构代码", "年度", *MONTH_HEADERS]
CLAIM_HEADERS = ["医疗机构代码", "月份", "申报金额"]


# --- budgets ----------------------------------------------------------------------------------------------------


def _hospital(hospital_id) -> Organization:
    hospital = Organization.objects.filter(pk=hospital_id, kind=Organization.Kind.HOSPITAL).first()
    if hospital is None:
        raise ValidationFailed(_("医疗机构不存在"), field="hospital", code=SettlementError.HOSPITAL_UNKNOWN)
    return hospital


def parse_year(value, *, field: str = "year") -> int:
    try:
        return parse_int(value, field=field, label=_("年度"), min_value=2000, max_value=2100)
    except DomainError:
        raise ValidationFailed(
            _("年度“%(value)s”应为 2000–2100 之间的年份") % {"value": value},
            field=field,
            code=SettlementError.BUDGET_YEAR_INVALID,
        ) from None


def _amount(value, *, field: str, label, column) -> Decimal:
    """An amount in yuan with at most 2 places (more is refused, never rounded)."""
    amount = to_decimal(value, field=field, label=label, column=column)
    if amount != quantize_amount(amount):
        raise ValidationFailed(
            _("%(label)s最多两位小数：%(value)s") % {"label": label, "value": amount},
            field=field,
            code=SettlementError.TOO_MANY_DECIMALS,
        )
    return amount


def parse_months(values, *, field: str = "months") -> list[Decimal]:
    """Twelve monthly amounts, each ≥ 0 with at most 2 places (`field.<n>` names a bad one, n = 1…12)."""
    values = list(values or [])
    if len(values) != 12:
        raise ValidationFailed(
            _("月度预算应为 12 个月的金额，收到 %(n)s 个") % {"n": len(values)},
            field=field,
            code=SettlementError.BUDGET_MONTHS_REQUIRED,
        )
    column = BudgetMonth._meta.get_field("amount")
    amounts = []
    for n, value in enumerate(values, start=1):
        amount = _amount(value, field=f"{field}.{n}", label=_("%(m)s月预算") % {"m": n}, column=column)
        if amount < 0:
            raise ValidationFailed(
                _("%(m)s月预算不能为负数：%(value)s") % {"m": n, "value": amount},
                field=f"{field}.{n}",
                code=SettlementError.BUDGET_MONTH_NEGATIVE,
            )
        amounts.append(amount)
    return amounts


def _write_budget(*, hospital, year: int, amounts: list[Decimal], by, source: str) -> BudgetAllocation:
    if BudgetYearSettlement.objects.filter(hospital=hospital, year=year).exists():
        raise ConflictError(
            _("%(hospital)s %(year)s 年度已清算，预算不能再修改") % {"hospital": hospital, "year": year},
            field="year",
            code=SettlementError.BUDGET_YEAR_SETTLED,
        )
    fund = fund_for_hospital(hospital)
    before = BudgetAllocation.objects.filter(hospital=hospital, year=year).first()
    allocation, _created = BudgetAllocation.objects.update_or_create(
        hospital=hospital,
        year=year,
        defaults={"fund": fund, "total": sum(amounts, ZERO), "source": source, "created_by": by},
    )
    allocation.months.all().delete()
    BudgetMonth.objects.bulk_create(
        [BudgetMonth(allocation=allocation, month=m, amount=a) for m, a in enumerate(amounts, start=1)]
    )
    record_event(
        allocation,
        "budget_set",
        by=by,
        data={
            "before": str(before.total) if before else None,
            "total": str(allocation.total),
            "months": [str(a) for a in amounts],
            "source": source,
        },
    )
    return allocation


@transaction.atomic
def budget_set(*, hospital_id, year, months, by) -> BudgetAllocation:
    """总额预算 entered by a fund officer: twelve monthly amounts of one hospital's year (replacing earlier ones
    until the year is settled)."""
    hospital = _hospital(hospital_id)
    return _write_budget(
        hospital=hospital,
        year=parse_year(year),
        amounts=parse_months(months),
        by=by,
        source=BudgetAllocation.Source.ENTERED,
    )


def read_rows(upload, headers: list[str]) -> list[dict]:
    """The rows of an uploaded csv/xlsx file as dicts keyed by its header (the upload limits apply)."""
    if upload is None:
        raise ValidationFailed(_("请选择文件"), field="file", code=CommonError.REQUIRED)
    dataset = load_dataset(upload.read(), name=upload.name or "file.csv")
    require_headers(dataset, headers)
    return [dict(zip(dataset.headers, row, strict=False)) for row in dataset]


def _refuse(errors: list[tuple[int, str, str]], code) -> None:
    """All the bad rows in one refusal: `rows.<n>.<field>` of the first, each named in the message."""
    if errors:
        row, field, _message = errors[0]
        shown = "；".join(
            _("第 %(row)s 行 %(field)s：%(message)s") % {"row": r, "field": f, "message": m} for r, f, m in errors[:20]
        )
        raise ValidationFailed(
            _("文件有 %(n)s 处错误，未导入任何数据：%(errors)s") % {"n": len(errors), "errors": shown},
            field=f"rows.{row}.{field}",
            code=code,
        )


def _hospitals_by_code(rows: list[dict]) -> dict[str, Organization]:
    codes = {str(r.get("医疗机构代码") or "").strip() for r in rows}
    return {o.uscc: o for o in Organization.objects.filter(kind=Organization.Kind.HOSPITAL, uscc__in=codes)}


@transaction.atomic
def budgets_import(*, rows: list[dict], by) -> list[BudgetAllocation]:
    """A budget file (医疗机构代码, 年度, 1月 … 12月), all or nothing: every bad row is named (row numbers count the
    header as row 1) and nothing is written while one is wrong."""
    if not rows:
        raise ValidationFailed(_("文件没有数据行"), field="file", code=SettlementError.BUDGET_FILE_EMPTY)
    hospitals = _hospitals_by_code(rows)
    errors: list[tuple[int, str, str]] = []
    parsed, seen = [], set()
    for n, row in enumerate(rows, start=2):
        code = str(row.get("医疗机构代码") or "").strip()
        hospital = hospitals.get(code)
        if hospital is None:
            errors.append((n, "医疗机构代码", _("医疗机构“%(code)s”不存在") % {"code": code}))
            continue
        try:
            year = parse_year(row.get("年度"), field="年度")
            amounts = parse_months([row.get(h) for h in MONTH_HEADERS], field="months")
        except DomainError as exc:
            field = exc.field or ""
            if field.startswith("months."):
                field = f"{field.split('.')[1]}月"
            errors.append((n, field, exc.message))
            continue
        if (hospital.pk, year) in seen:
            errors.append((n, "年度", _("同一医疗机构同一年度重复")))
            continue
        seen.add((hospital.pk, year))
        parsed.append((hospital, year, amounts))
    _refuse(errors, SettlementError.BUDGET_FILE_ROWS_INVALID)
    return [
        _write_budget(hospital=h, year=y, amounts=a, by=by, source=BudgetAllocation.Source.IMPORTED)
        for h, y, a in parsed
    ]


# --- claims -----------------------------------------------------------------------------------------------------


@transaction.atomic
def claims_import(*, rows: list[dict], file_name: str, by) -> list[InsuranceClaim]:
    """The insurance information platform's monthly export (医疗机构代码, 月份 YYYY-MM, 申报金额), all or nothing. A
    hospital's month is imported once; a month already settled for it is closed."""
    if not rows:
        raise ValidationFailed(_("文件没有数据行"), field="file", code=SettlementError.BUDGET_FILE_EMPTY)
    hospitals = _hospitals_by_code(rows)
    column = InsuranceClaim._meta.get_field("amount")
    errors: list[tuple[int, str, str]] = []
    parsed: dict[tuple[int, date], tuple[Organization, Decimal]] = {}
    row_of: dict[tuple[int, date], int] = {}
    for n, row in enumerate(rows, start=2):
        code = str(row.get("医疗机构代码") or "").strip()
        hospital = hospitals.get(code)
        if hospital is None:
            errors.append((n, "医疗机构代码", _("医疗机构“%(code)s”不存在") % {"code": code}))
            continue
        try:
            month = parse_month(row.get("月份"))
            amount = _amount(row.get("申报金额"), field="申报金额", label=_("申报金额"), column=column)
        except DomainError as exc:
            errors.append((n, "月份" if exc.field == "month" else "申报金额", exc.message))
            continue
        if amount < 0:
            errors.append((n, "申报金额", _("申报金额不能为负数：%(value)s") % {"value": amount}))
        elif (hospital.pk, month) in parsed:
            errors.append((n, "月份", _("同一医疗机构同一月份重复")))
        else:
            parsed[(hospital.pk, month)] = (hospital, amount)
            row_of[(hospital.pk, month)] = n
    keys = list(parsed)
    existing = set(
        InsuranceClaim.objects.filter(hospital_id__in={h for h, _m in keys}, month__in={m for _h, m in keys})
        .values_list("hospital_id", "month")
        .order_by()
    )
    settled = set(
        BudgetMonthSettlement.objects.filter(
            hospital_id__in={h for h, _m in keys}, month__gte=min((m for _h, m in keys), default=date(2000, 1, 1))
        )
        .values_list("hospital_id", "month")
        .order_by()
    )
    for key in keys:
        if key in existing or any(h == key[0] and m >= key[1] for h, m in settled):
            hospital = parsed[key][0]
            errors.append(
                (
                    row_of[key],
                    "月份",
                    _("%(hospital)s %(month)s 的申报已导入或已结算")
                    % {"hospital": hospital, "month": f"{key[1]:%Y-%m}"},
                )
            )
    _refuse(sorted(errors), SettlementError.BUDGET_FILE_ROWS_INVALID)
    funds = {}
    claims = []
    for (hospital_id, month), (hospital, amount) in parsed.items():
        if hospital_id not in funds:
            funds[hospital_id] = fund_for_hospital(hospital)
        claims.append(
            InsuranceClaim(
                fund=funds[hospital_id],
                hospital=hospital,
                month=month,
                amount=amount,
                file_name=file_name[:200],
                created_by=by if getattr(by, "pk", None) else None,
            )
        )
    created = InsuranceClaim.objects.bulk_create(claims)
    for claim in created[:1]:
        record_event(claim, "claims_imported", by=by, data={"file": file_name, "rows": len(created)})
    return created


# --- the monthly settlement -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    """One hospital's month (the rule of the module docstring, in numbers)."""

    claims: Decimal
    owed: Decimal
    held: Decimal
    carried_in: Decimal
    recovered: Decimal
    deductions: Decimal
    withheld: Decimal
    carried_out: Decimal
    paid: Decimal


def month_figures(
    *,
    claims: Decimal,
    claims_so_far: Decimal,
    budget_so_far: Decimal,
    owed_before: Decimal,
    carried_in: Decimal,
    deductions: Decimal,
) -> MonthFigures:
    """The month's rule (docs/budgets.md), the specification the tests hold the settlement to."""
    owed = max(min(claims_so_far, budget_so_far) - owed_before, ZERO)
    held = claims_so_far - min(claims_so_far, budget_so_far)
    recovered = min(carried_in, owed)
    withheld = min(deductions, owed - recovered)
    carried_out = carried_in - recovered + deductions - withheld
    return MonthFigures(
        claims=claims,
        owed=owed,
        held=held,
        carried_in=carried_in,
        recovered=recovered,
        deductions=deductions,
        withheld=withheld,
        carried_out=carried_out,
        paid=owed - recovered - withheld,
    )


def _per_hospital(qs, value: str = "amount") -> dict[int, Decimal]:
    return {
        r["hospital_id"]: r["total"] or ZERO for r in qs.values("hospital_id").annotate(total=Sum(value)).order_by()
    }


def _carried_in(fund, month: date) -> dict[int, Decimal]:
    """Per hospital, the shortfall still open before `month`: the previous month's carried-out; for January, what
    the previous year's settlement left open (or December's carried-out when the year was not settled)."""
    previous = (month - timedelta(days=1)).replace(day=1)
    carried = {
        h: v
        for h, v in BudgetMonthSettlement.objects.filter(fund=fund, month=previous)
        .values_list("hospital_id", "carried_out")
        .order_by()
    }
    if month.month == 1:
        for h, v in (
            BudgetYearSettlement.objects.filter(fund=fund, year=previous.year)
            .values_list("hospital_id", "shortfall")
            .order_by()
        ):
            carried[h] = v
    return {h: v for h, v in carried.items() if v}


@transaction.atomic
def budget_month_settle(*, fund, month, by=None) -> list[BudgetMonthSettlement]:
    """医保结算款月度拨付 of one fund's hospitals for a month (after its deductions were posted): idempotent, a
    hospital's month is settled once; the months of a year are settled in order."""
    month = parse_month(month)
    if next_month(month) > timezone.localdate():
        raise ValidationFailed(
            _("%(month)s 尚未结束") % {"month": f"{month:%Y-%m}"}, field="month", code=SettlementError.MONTH_NOT_ENDED
        )
    year_start = month.replace(month=1)
    end = next_month(month)
    if BudgetYearSettlement.objects.filter(fund=fund, year=month.year).exists():
        raise ConflictError(
            _("%(year)s 年度已清算") % {"year": month.year}, field="month", code=SettlementError.BUDGET_YEAR_SETTLED
        )
    claims = _per_hospital(InsuranceClaim.objects.filter(fund=fund, month=month))
    deductions = _per_hospital(HospitalDeduction.objects.filter(fund=fund, month=month))
    carried = _carried_in(fund, month)
    hospitals = (set(claims) | set(deductions) | set(carried)) - set(
        BudgetMonthSettlement.objects.filter(fund=fund, month=month).values_list("hospital_id", flat=True)
    )
    if not hospitals:
        return []
    claims_so_far = _per_hospital(
        InsuranceClaim.objects.filter(hospital_id__in=hospitals, month__gte=year_start, month__lt=end)
    )
    budget_so_far = {
        r["allocation__hospital_id"]: r["total"]
        for r in BudgetMonth.objects.filter(
            allocation__hospital_id__in=hospitals, allocation__year=month.year, month__lte=month.month
        )
        .values("allocation__hospital_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    owed_before = _per_hospital(
        BudgetMonthSettlement.objects.filter(hospital_id__in=hospitals, month__gte=year_start, month__lt=month), "owed"
    )
    entry_date = min(end - timedelta(days=1), timezone.localdate())
    bank = ledger.bank(fund)
    created = []
    for hospital_id in sorted(hospitals):
        f = month_figures(
            claims=claims.get(hospital_id, ZERO),
            claims_so_far=claims_so_far.get(hospital_id, ZERO),
            budget_so_far=budget_so_far.get(hospital_id, ZERO),
            owed_before=owed_before.get(hospital_id, ZERO),
            carried_in=carried.get(hospital_id, ZERO),
            deductions=deductions.get(hospital_id, ZERO),
        )
        uncollected = f.deductions - f.withheld
        lines = [
            (ledger.account(fund, LedgerAccount.Kind.CLAIMS_EXPENSE, hospital_id), f.owed),
            (ledger.hospital_account(fund, hospital_id), uncollected - f.recovered),
            (bank, -(f.owed - f.recovered + uncollected)),
        ]
        entry = None
        if sum(1 for _acc, v in lines if v) >= 2:
            entry = ledger.post(
                fund=fund,
                kind=JournalEntry.Kind.CLAIMS,
                entry_date=entry_date,
                by=by,
                memo=f"{month:%Y-%m} 医保结算款：预算内应拨 {f.owed}，收回欠款 {f.recovered}，扣减 {f.withheld}，"
                f"实拨 {f.paid}，结转欠款 {f.carried_out}",
                lines=lines,
            )
        created.append(
            BudgetMonthSettlement.objects.create(
                fund=fund,
                hospital_id=hospital_id,
                month=month,
                journal_entry=entry,
                **{k: getattr(f, k) for k in MonthFigures.__dataclass_fields__},
            )
        )
    record_event(fund, "budget_month_settled", by=by, data={"month": f"{month:%Y-%m}", "hospitals": len(created)})
    return created
