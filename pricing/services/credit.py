"""医药价格和招采信用评价: credit records, their consequences on the platform, repair, expiry and quarterly ratings.

Consequences follow the record's scheme (pricing/credit_schemes.py): 严重 suspends the listings (and so the orders
and deliveries) of the products involved, 特别严重 every listing of the company, both bar the company's bids at
tender opening (procurement.hooks); for a distributor, 严重 suspends its distribution authorisations for the products
involved and 特别严重 all of them (so hospitals cannot order through it); lower levels show a warning on the
company's products. The listings a record
suspended are stored on it, so lifting it (repair or end) reinstates exactly those — unless another active record
of the company still holds one.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.permissions import can, is_official
from common.errors import ConflictError, PermissionDeniedError, Refusals, ValidationFailed
from common.messages import Message
from common.models import record_event
from common.money import quantize_amount, to_decimal
from procurement.models import DistributionAuthorization, Listing
from procurement.services.authorizations import authorization_reinstate, authorization_suspend
from procurement.services.listings import listing_reinstate, listing_suspend

from .. import credit_schemes
from ..errors import PricingError
from ..hooks import credit_effect_held
from ..models import CreditRating, CreditRecord, PriceAlert

C = CreditRecord.Status


def require_credit_official(user) -> None:
    if not getattr(user, "is_authenticated", False) or not can(user, "pricing.credit_manage") or not is_official(user):
        raise PermissionDeniedError(
            _("只有医保局价格招采处工作人员可以管理信用评价记录"), code=PricingError.NOT_A_CREDIT_MANAGER
        )


def _parse_date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(
            _("“%(value)s”不是日期") % {"value": value}, field=field, code=PricingError.DATE_INVALID
        ) from None


def _level_rule(found: Refusals, scheme: str, level: str):
    """The rule of the level in the scheme, or None with the refusal recorded."""
    with found.check():
        rules = credit_schemes.scheme(scheme)
        if rules is None:
            raise ValidationFailed(
                _("未知的评级规则“%(scheme)s”（可用：%(items)s）")
                % {"scheme": scheme, "items": "、".join(credit_schemes.SCHEMES)},
                field="scheme",
                code=PricingError.SCHEME_UNKNOWN,
            )
        rule = rules.level(level)
        if rule is None:
            names = _("、").join(f"{r.code} ({r.label})" for r in rules.levels)
            raise ValidationFailed(
                _("未知的失信等级“%(level)s”，%(name)s可用：%(names)s")
                % {"level": level, "name": rules.label, "names": names},
                field="level",
                code=PricingError.LEVEL_UNKNOWN,
            )
        return rule
    return None


def _check_products(found: Refusals, products: list, *, organization, rule) -> None:
    """The products against the company and the level; not judged at all when their codes or the company were
    refused already."""
    if found.failed("products", "organization"):
        return
    with found.check():
        foreign = [p.pk for p in products if p.manufacturer_id != organization.pk]
        if foreign and organization.kind == "manufacturer":
            raise ValidationFailed(
                _("涉及产品不属于该企业：%(items)s") % {"items": ", ".join(map(str, foreign))},
                field="products",
                code=PricingError.PRODUCTS_OF_ANOTHER_COMPANY,
            )
        if rule is not None and rule.suspend == "products" and not products:
            raise ValidationFailed(
                _("%(name)s等级须列明涉及产品（将暂停其挂网和配送）") % {"name": rule.label},
                field="products",
                code=PricingError.PRODUCTS_REQUIRED,
            )


@transaction.atomic
def credit_record_create(
    *,
    organization,
    behaviour: str,
    level: str,
    evidence: str,
    start,
    by,
    scheme: str = "2020",
    end=None,
    amount="0",
    products=(),
    alert: PriceAlert | None = None,
    refusals: Refusals | None = None,
) -> CreditRecord:
    """A credit record; every field is checked and all that are wrong are refused together, with those the caller
    found in what it parsed (`refusals`: a page's product codes and amount)."""
    require_credit_official(by)
    found = refusals if refusals is not None else Refusals()
    with found.check():
        if organization is None or organization.kind not in ("manufacturer", "distributor"):
            raise ValidationFailed(
                _("信用评价对象必须是生产企业或配送企业"),
                field="organization",
                code=PricingError.CREDIT_ORGANIZATION_INVALID,
            )
    with found.check():
        if behaviour not in CreditRecord.Behaviour.values:
            raise ValidationFailed(
                _("未知的失信行为“%(behaviour)s”") % {"behaviour": behaviour},
                field="behaviour",
                code=PricingError.BEHAVIOUR_UNKNOWN,
            )
    rule = _level_rule(found, scheme, level)
    evidence = (evidence or "").strip()
    with found.check():
        if not evidence:
            raise ValidationFailed(_("请填写事实与依据"), field="evidence", code=PricingError.EVIDENCE_REQUIRED)
    start_day = end_day = None
    with found.check():
        start_day = _parse_date(start, "start")
        if start_day is None:
            raise ValidationFailed(_("请填写开始日期"), field="start", code=PricingError.START_REQUIRED)
    with found.check():
        end_day = _parse_date(end, "end")
        if end_day is not None and start_day is not None and end_day < start_day:
            raise ValidationFailed(
                _("结束日期 %(end)s 早于开始日期 %(start)s")
                % {"end": f"{end_day:%Y-%m-%d}", "start": f"{start_day:%Y-%m-%d}"},
                field="end",
                code=PricingError.END_BEFORE_START,
            )
    start, end = start_day, end_day
    with found.check():
        amount = quantize_amount(
            to_decimal(amount or "0", field="amount", column=CreditRecord._meta.get_field("amount"))
        )
        if amount < 0:
            raise ValidationFailed(_("涉案金额不能为负数"), field="amount", code=PricingError.AMOUNT_NEGATIVE)
    products = list(products or [])
    _check_products(found, products, organization=organization, rule=rule)
    found.raise_any()
    record = CreditRecord.objects.create(
        organization=organization,
        behaviour=behaviour,
        scheme=scheme,
        level=level,
        amount=amount,
        evidence=evidence,
        alert=alert,
        start=start,
        end=end,
        created_by=by,
    )
    record.products.set(products)
    record_event(
        record,
        "created",
        by=by,
        to_state=record.status,
        data={"level": level, "scheme": scheme, "products": [p.pk for p in products]},
    )
    if start <= timezone.localdate():
        _apply(record, by=by)
    return record


def _listings_for(record: CreditRecord, rule) -> list:

    listings = Listing.objects.filter(manufacturer_id=record.organization_id, status=Listing.Status.ACTIVE)
    if rule.suspend == "products":
        listings = listings.filter(product__in=record.products.all())
    elif rule.suspend != "all":
        return []
    return list(listings.order_by("pk"))


def _authorizations_for(record: CreditRecord, rule) -> list:

    auths = DistributionAuthorization.objects.filter(distributor_id=record.organization_id, is_active=True)
    if rule.suspend == "products":
        auths = auths.filter(product__in=record.products.all())
    elif rule.suspend != "all":
        return []
    return list(auths.order_by("pk"))


def _apply_distributor(record: CreditRecord, rule, *, by) -> None:
    """A distributor's record suspends its distribution authorisations (the products involved, or all of them), so
    hospitals cannot order through it; the ids are remembered on the record."""
    auths = _authorizations_for(record, rule)
    if not auths:
        return

    reason = f"信用评价{rule.name}（记录 #{record.pk}）"
    for auth in auths:
        authorization_suspend(authorization=auth, by=by, reason=reason)
    record.suspended_authorization_ids = sorted({*record.suspended_authorization_ids, *(a.pk for a in auths)})
    record.save(update_fields=["suspended_authorization_ids"])
    record_event(
        record,
        "authorizations_suspended",
        by=by,
        from_state=record.status,
        to_state=record.status,
        data={"authorizations": [a.pk for a in auths]},
    )


def _held_by_others(record: CreditRecord, field: str) -> set[int]:
    """The ids (listings or authorisations, by `field`) the company's other active records still hold suspended."""
    held: set[int] = set()
    others = CreditRecord.objects.filter(organization_id=record.organization_id, status=C.ACTIVE).exclude(pk=record.pk)
    for ids in others.values_list(field, flat=True):
        held |= set(ids or [])
    return held


def _lift_distributor(record: CreditRecord, *, by) -> list[int]:
    """Reinstate the authorisations this record suspended and no other active record of the distributor holds."""
    if not record.suspended_authorization_ids:
        return []
    held = _held_by_others(record, "suspended_authorization_ids")

    restored = []
    candidates = DistributionAuthorization.objects.filter(
        pk__in=set(record.suspended_authorization_ids) - held, is_active=False
    ).exclude(suspended_reason="")
    for auth in candidates.order_by("pk"):
        authorization_reinstate(authorization=auth, by=by, reason=f"信用评价记录 #{record.pk} 解除")
        restored.append(auth.pk)
    return restored


def _apply(record: CreditRecord, *, by) -> None:
    """Suspend the listings (of a manufacturer) or distribution authorisations (of a distributor) the record's level
    calls for, and remember which."""
    rule = credit_schemes.level_rule(record.scheme, record.level)
    if rule and rule.suspend and record.organization.kind == "distributor":
        _apply_distributor(record, rule, by=by)
        return
    listings = _listings_for(record, rule) if rule and rule.suspend else []
    if not listings:
        return

    reason = Message(
        gettext_noop("信用评价%(level)s（记录 #%(record)s）"),
        {"level": Message(rule.name, context="信用评价"), "record": record.pk},
    )
    ids = list(record.suspended_listing_ids)
    for listing in listings:
        listing_suspend(listing=listing, by=by, reason=reason)
        ids.append(listing.pk)
    record.suspended_listing_ids = sorted(set(ids))
    record.save(update_fields=["suspended_listing_ids"])
    record_event(
        record,
        "listings_suspended",
        by=by,
        from_state=record.status,
        to_state=record.status,
        data={"listings": [listing.pk for listing in listings]},
    )


def _lift(record: CreditRecord, *, by) -> list[int]:
    """Reinstate the listings (or authorisations) this record suspended and no other active record of the company
    holds; returns the listing ids restored."""
    _lift_distributor(record, by=by)
    if not record.suspended_listing_ids:
        return []
    held = _held_by_others(record, "suspended_listing_ids")

    restored = []
    candidates = Listing.objects.filter(
        pk__in=set(record.suspended_listing_ids) - held, status=Listing.Status.SUSPENDED
    )
    for listing in candidates.order_by("pk"):
        listing_reinstate(listing=listing, by=by, reason=f"信用评价记录 #{record.pk} 解除")
        restored.append(listing.pk)
    return restored


def _lock(record: CreditRecord) -> CreditRecord:
    return CreditRecord.objects.select_for_update().get(pk=record.pk)


@transaction.atomic
def credit_record_repair(*, record: CreditRecord, note: str, by) -> CreditRecord:
    """信用修复: the company has corrected the behaviour; the record stops counting and its suspensions are lifted."""
    require_credit_official(by)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写修复说明"), field="repair_note", code=PricingError.REPAIR_NOTE_REQUIRED)
    record = _lock(record)
    if record.status != C.ACTIVE:
        raise ConflictError(
            _("记录状态为“%(status)s”，不能信用修复") % {"status": record.get_status_display()},
            field="status",
            code=PricingError.RECORD_NOT_ACTIVE,
        )
    record.repair()
    record.repaired_at = timezone.now()
    record.repair_note = note
    record.save(update_fields=["status", "repaired_at", "repair_note"])
    restored = _lift(record, by=by)
    record_event(
        record,
        "repaired",
        by=by,
        from_state=C.ACTIVE,
        to_state=record.status,
        note=note,
        data={"listings_restored": restored},
    )
    return record


@transaction.atomic
def credit_records_maintain(*, today: date | None = None, by=None) -> dict[str, int]:
    """Daily: apply the records whose start has come, end those whose end has passed (lifting what they suspended)."""
    today = today or timezone.localdate()
    applied = ended = 0
    due = CreditRecord.objects.select_for_update().filter(status=C.ACTIVE, start__lte=today).order_by("pk")
    for record in due:
        if record.end is not None and record.end < today:
            record.expire()
            record.save(update_fields=["status"])
            restored = _lift(record, by=by)
            record_event(
                record,
                "ended",
                by=by,
                from_state=C.ACTIVE,
                to_state=record.status,
                data={"listings_restored": restored},
            )
            ended += 1
        elif (
            not (record.suspended_listing_ids or record.suspended_authorization_ids)
            and _needs_apply(record)
            and not credit_effect_held(record)
        ):
            _apply(record, by=by)
            applied += 1 if (record.suspended_listing_ids or record.suspended_authorization_ids) else 0
    return {"applied": applied, "ended": ended}


@transaction.atomic
def credit_record_revoke(*, record: CreditRecord, reason: str, by) -> CreditRecord:
    """撤销: an objection (or appeal) against the record was upheld; it ends at once and lifts what it suspended."""
    require_credit_official(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写撤销原因"), field="reason", code=PricingError.REPAIR_NOTE_REQUIRED)
    record = _lock(record)
    if record.status != C.ACTIVE:
        raise ConflictError(
            _("记录状态为“%(status)s”，不能撤销") % {"status": record.get_status_display()},
            field="status",
            code=PricingError.RECORD_NOT_ACTIVE,
        )
    record.expire()
    record.save(update_fields=["status"])
    restored = _lift(record, by=by)
    record_event(
        record, "revoked", by=by, from_state=C.ACTIVE, to_state=record.status, note=reason, data={"restored": restored}
    )
    return record


def _needs_apply(record: CreditRecord) -> bool:
    rule = credit_schemes.level_rule(record.scheme, record.level)
    return bool(rule and rule.suspend)


def quarter_of(day: date) -> tuple[date, date]:
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    next_start = date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)
    return start, next_start - timedelta(days=1)


@transaction.atomic
def credit_rate_quarter(*, day: date | None = None) -> int:
    """季度评级: each company's most serious record that counted in the quarter (active at any time in it, not
    repaired before it began). Rewrites the quarter's ratings; returns how many companies are rated."""
    q_start, q_end = quarter_of(day or timezone.localdate())
    records = (
        CreditRecord.objects.filter(start__lte=q_end).exclude(end__lt=q_start).exclude(repaired_at__date__lt=q_start)
    )
    best: dict[int, tuple[int, CreditRecord, int]] = {}
    for record in records.order_by("pk"):
        rule = credit_schemes.level_rule(record.scheme, record.level)
        rank = rule.rank if rule else 0
        current = best.get(record.organization_id)
        count = (current[2] if current else 0) + 1
        if current is None or rank > current[0]:
            best[record.organization_id] = (rank, record, count)
        else:
            best[record.organization_id] = (current[0], current[1], count)
    CreditRating.objects.filter(quarter_start=q_start).exclude(organization_id__in=best).delete()
    for org_id, (_rank, record, count) in best.items():
        CreditRating.objects.update_or_create(
            organization_id=org_id,
            quarter_start=q_start,
            defaults={"level": record.level, "scheme": record.scheme, "active_records": count},
        )
    return len(best)


def barred_manufacturers(tender) -> set[int]:
    """procurement.hooks check: companies whose active record bars bidding on the tender's opening day."""
    on = timezone.localtime(tender.opening_at).date() if tender.opening_at else timezone.localdate()
    barred = set()
    records = CreditRecord.objects.filter(status=C.ACTIVE, start__lte=on).exclude(end__lt=on)
    for record in records.only("pk", "organization_id", "scheme", "level"):
        rule = credit_schemes.level_rule(record.scheme, record.level)
        if rule and rule.bar_bidding and not credit_effect_held(record):
            barred.add(record.organization_id)
    return barred


def amount_suggests_level(scheme: str, amount) -> str:
    """The level the bribery amount reaches under the scheme ("" below the lowest threshold)."""
    rules = credit_schemes.scheme(scheme)
    rule = rules.level_for_amount(Decimal(str(amount))) if rules else None
    return rule.code if rule else ""
