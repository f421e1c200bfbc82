"""Supplementary agreements (补充协议): a new version of a contract in force, with a new volume or unit price and the
reason. The old version is never edited: it stays readable, in force, until all three parties have confirmed the
new one, which then supersedes it (contracts.services.confirmations)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.permissions import require
from common.errors import ConflictError, NotFoundError, ValidationFailed
from common.messages import Message
from common.models import record_event
from common.money import quantize_amount
from common.numbers import parse_decimal, parse_int
from common.text import check_text

from .. import policies
from ..errors import ContractError
from ..models import ContractAmendment, Party, PurchaseContract
from .common import fix_content, lock_contract, notify_parties

S = PurchaseContract.Status
REASON_MAX = ContractAmendment._meta.get_field("reason").max_length


def _new_terms(contract: PurchaseContract, quantity, unit_price) -> tuple[int, object]:
    qty = contract.quantity
    if quantity not in (None, ""):
        qty = parse_int(quantity, field="quantity", label=_("约定数量"), max_value=10**12)
        if qty <= 0:
            raise ValidationFailed(_("约定数量须大于 0"), field="quantity", code=ContractError.QUANTITY_NOT_POSITIVE)
    price = contract.unit_price
    if unit_price not in (None, ""):
        price = parse_decimal(unit_price, field="unit_price", label=_("单价"), max_digits=14, decimal_places=4)
        if price <= 0:
            raise ValidationFailed(_("单价须大于 0"), field="unit_price", code=ContractError.PRICE_NOT_POSITIVE)
    if qty == contract.quantity and price == contract.unit_price:
        raise ValidationFailed(_("补充协议须变更数量或单价"), field="quantity", code=ContractError.NOTHING_CHANGED)
    return qty, price


def _ensure_may_amend(contract: PurchaseContract, by) -> None:
    party = policies.party_of(by, contract)
    if party is None:
        raise NotFoundError(_("合同不存在"))
    if party not in (Party.HOSPITAL, Party.MANUFACTURER):
        raise ConflictError(_("补充协议由医疗机构或生产企业提出"), code=ContractError.NOT_A_PARTY)
    if contract.status != S.IN_FORCE:
        raise ConflictError(_("只有已生效的合同可以签订补充协议"), code=ContractError.CONTRACT_NOT_IN_FORCE)
    if policies.has_pending_amendment(contract):
        raise ConflictError(_("该合同已有待确认的补充协议"), code=ContractError.AMENDMENT_PENDING)


@transaction.atomic
def contract_amend(*, contract: PurchaseContract, by, reason: str, quantity=None, unit_price=None) -> PurchaseContract:
    """The new version (pending the three confirmations); the contract passed in is left exactly as it was."""
    require(by, "contract.sign")
    contract = lock_contract(contract.pk)
    _ensure_may_amend(contract, by)
    reason = check_text(str(reason or "").strip(), field="reason", label=_("变更原因"), max_length=REASON_MAX)
    if not reason:
        raise ValidationFailed(_("请填写变更原因"), field="reason", code=ContractError.REASON_REQUIRED)
    qty, price = _new_terms(contract, quantity, unit_price)
    new = PurchaseContract.objects.create(
        number=contract.number,
        version=contract.version + 1,
        kind=contract.kind,
        commitment=contract.commitment,
        listing=contract.listing,
        year=contract.year,
        previous=contract,
        hospital=contract.hospital,
        manufacturer=contract.manufacturer,
        distributor=contract.distributor,
        product=contract.product,
        period_start=contract.period_start,
        period_end=contract.period_end,
        quantity=qty,
        unit_price=price,
        amount=quantize_amount(price * qty),
        response_hours=contract.response_hours,
        delivery_hours=contract.delivery_hours,
        payment_term_days=contract.payment_term_days,
    )
    ContractAmendment.objects.create(
        contract=contract,
        new_version=new,
        reason=reason,
        old_quantity=contract.quantity,
        new_quantity=qty,
        old_unit_price=contract.unit_price,
        new_unit_price=price,
        created_by=by,
    )
    fix_content(new, by=by, amendment_reason=reason)
    record_event(contract, "amendment_proposed", by=by, note=reason, data={"version": new.version})
    notify_parties(
        new,
        Message(gettext_noop("购销合同 %(n)s 补充协议（第 %(v)s 版）待确认"), {"n": new.number, "v": new.version}),
        body=reason,
        topic="fixed",
        skip=by.organization_id,
    )
    return new
