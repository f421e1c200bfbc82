"""The hospital's choice of distributor for a commitment's contract, and the annual contracts of listed products."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.permissions import require
from common.errors import ConflictError, NotFoundError, ValidationFailed
from common.messages import Message
from common.money import quantize_amount
from common.numbers import parse_int
from procurement.models import Listing
from procurement.selectors.orders import distributors_for_listings

from .. import content, policies, selectors
from ..errors import ContractError
from ..models import PurchaseContract
from .common import fix_content, lock_contract, notify_parties


def _ensure_hospital(contract: PurchaseContract, by) -> None:
    require(by, "contract.sign")
    if contract.hospital_id != by.organization_id:
        if contract.party_of(by.organization_id) is None:
            raise NotFoundError(_("合同不存在"))
        raise ConflictError(_("配送企业由医疗机构（甲方）选择"), code=ContractError.NOT_A_PARTY)


def _distributor(choices: list, distributor_id, *, field: str):
    chosen = parse_int(distributor_id, field=field, label=_("配送企业"), min_value=1)
    for org in choices:
        if org.pk == chosen:
            return org
    raise ValidationFailed(
        _("该配送企业未获授权向本机构配送此产品，请从授权的配送企业中选择"),
        field=field,
        code=ContractError.DISTRIBUTOR_NOT_AUTHORISED,
    )


@transaction.atomic
def contract_choose_distributor(*, contract: PurchaseContract, by, distributor_id) -> PurchaseContract:
    """甲方 picks the distributor among those authorised; the contract's content is then fixed and awaits the three
    confirmations."""
    contract = lock_contract(contract.pk)
    _ensure_hospital(contract, by)
    if contract.status != PurchaseContract.Status.DRAFT:
        raise ConflictError(_("该合同已选定配送企业"), code=ContractError.DISTRIBUTOR_ALREADY_CHOSEN)
    contract.distributor = _distributor(
        selectors.authorised_distributors(contract), distributor_id, field="distributor"
    )
    fix_content(contract, by=by)
    notify_parties(
        contract,
        Message(gettext_noop("购销合同 %(n)s 待确认"), {"n": contract.number}),
        topic="fixed",
        skip=by.organization_id,
    )
    return contract


def _listing(listing_id) -> Listing:
    pk = parse_int(listing_id, field="listing", label=_("挂网产品"), min_value=1)
    listing = (
        Listing.objects.select_related("product", "manufacturer").filter(pk=pk, status=Listing.Status.ACTIVE).first()
    )
    if listing is None:
        raise ValidationFailed(_("挂网产品不存在或未在挂网中"), field="listing", code=ContractError.LISTING_UNKNOWN)
    return listing


def _year_period(listing: Listing, year_value) -> tuple[int, date, date]:
    today = timezone.localdate()
    year = parse_int(year_value, field="year", label=_("合同年度"), min_value=today.year - 1, max_value=today.year + 1)
    start = max(date(year, 1, 1), listing.valid_from)
    end = min(date(year, 12, 31), listing.valid_to or date(year, 12, 31))
    if end < start:
        raise ValidationFailed(
            _("该挂网产品在所选年度内不在挂网有效期"), field="year", code=ContractError.YEAR_OUT_OF_RANGE
        )
    return year, start, end


@transaction.atomic
def annual_contract_create(*, by, listing_id, year, quantity, distributor_id) -> PurchaseContract:
    """A hospital's annual contract for a listed product: the listing's price, the year (within the listing's
    validity), the quantity it expects to buy and the distributor it picks. Fixed at once: it awaits confirmations."""
    require(by, "contract.sign")
    hospital = by.organization
    if hospital is None or hospital.kind != "hospital":
        raise ConflictError(_("年度购销合同由医疗机构发起"), code=ContractError.NOT_A_PARTY)
    listing = _listing(listing_id)
    year, start, end = _year_period(listing, year)
    qty = parse_int(quantity, field="quantity", label=_("约定数量"), min_value=1, max_value=10**12)
    choices = distributors_for_listings(hospital=hospital, listings=[listing]).get(listing.pk, [])
    distributor = _distributor(choices, distributor_id, field="distributor")
    contract = PurchaseContract(
        number=f"HT-NJ-{year}-{hospital.pk:05d}-{listing.pk:06d}",
        kind=PurchaseContract.Kind.ANNUAL,
        listing=listing,
        year=year,
        hospital=hospital,
        manufacturer=listing.manufacturer,
        distributor=distributor,
        product=listing.product,
        period_start=start,
        period_end=end,
        quantity=qty,
        unit_price=listing.unit_price,
        amount=quantize_amount(listing.unit_price * qty),
        **content.terms_from_rules(),
    )
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        raise ConflictError(
            _("本机构该挂网产品 %(y)s 年度的购销合同已存在") % {"y": year},
            field="listing",
            code=ContractError.ANNUAL_CONTRACT_EXISTS,
        ) from exc
    fix_content(contract, by=by)
    notify_parties(
        contract,
        Message(gettext_noop("购销合同 %(n)s 待确认"), {"n": contract.number}),
        topic="fixed",
        skip=hospital.pk,
    )
    return contract


def party_or_404(contract: PurchaseContract, by) -> str:
    party = policies.party_of(by, contract)
    if party is None:
        raise NotFoundError(_("合同不存在"))
    return party
