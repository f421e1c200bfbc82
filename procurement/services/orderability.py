"""What a hospital may order, and from whom: a listing is orderable when it is active and valid on the day and its
product is active (for a pharmacy, by default, only when the product is a national negotiated drug in force on the
day: `check_buyer_may_order`); a distributor may deliver it when the listing's manufacturer authorises it for the product in the
hospital's pooling regions (its league and the league's parent) on that day. The substitution rule: ordering a
product that is not selected in a lot while the hospital's commitment in that lot is unmet records the commitment.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext

from accounts.models import Organization
from catalog.identity import product_identity
from common import rules

from ..errors import OrderError, ValidationFailed
from ..models import Award, Commitment, DistributionAuthorization, GoodsReturnLine, Listing, ReceiptLine


def pooling_region_ids(hospital: Organization) -> list[int]:
    region = hospital.region
    if region is None:
        return []
    return [region.pk] + ([region.parent_id] if region.parent_id else [])


def authorisation_filter(hospital: Organization, distributor, *, on: date) -> Q:
    """The distributor's authorisations valid on `on` in the hospital's pooling regions (any product)."""
    return Q(distributor=distributor, is_active=True, valid_from__lte=on, regions__in=pooling_region_ids(hospital)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def orderability(hospital: Organization, distributor: Organization, *, on: date) -> dict:
    """Annotations of a listing query (with its product) that save a query per check: `authorised` — the distributor
    holds an authorisation of the listing's manufacturer for its product valid on `on` in the hospital's pooling
    regions (`authorisation_filter`) — and `committed` — the hospital has a commitment in its cycle on `on` for a lot
    of the product's generic name (only then can the substitution rule apply)."""
    authorised = DistributionAuthorization.objects.filter(
        authorisation_filter(hospital, distributor, on=on),
        product_id=OuterRef("product_id"),
        manufacturer_id=OuterRef("manufacturer_id"),
    )
    committed = Commitment.objects.filter(
        hospital=hospital,
        lot__generic_name=OuterRef("product__generic_name"),
        cycle_start__lte=on,
        cycle_end__gte=on,
    )
    return {"authorised": Exists(authorised), "committed": Exists(committed)}


def check_listing_orderable(listing: Listing, *, on: date, field: str) -> None:
    def name() -> str:
        # built only for a refusal: strength, form and pack tell one of a name apart (catalog.identity)
        return product_identity(listing.product, maker=False)

    if listing.status == Listing.Status.SUSPENDED:
        raise ValidationFailed(
            gettext("%(name)s 已暂停挂网，不能采购（%(status_reason)s）")
            % {"name": name(), "status_reason": listing.status_reason},
            field=field,
            code=OrderError.LISTING_SUSPENDED,
        )
    if listing.status == Listing.Status.WITHDRAWN:
        raise ValidationFailed(
            gettext("%(name)s 已撤网，不能采购") % {"name": name()}, field=field, code=OrderError.LISTING_WITHDRAWN
        )
    if listing.valid_from > on:
        raise ValidationFailed(
            gettext("%(name)s 的挂网自 %(valid_from)s 起生效，尚不能采购")
            % {"name": name(), "valid_from": listing.valid_from},
            field=field,
            code=OrderError.LISTING_NOT_YET_VALID,
        )
    if listing.valid_to is not None and listing.valid_to < on:
        raise ValidationFailed(
            gettext("%(name)s 的挂网已于 %(valid_to)s 到期，不能采购") % {"name": name(), "valid_to": listing.valid_to},
            field=field,
            code=OrderError.LISTING_EXPIRED,
        )
    if not listing.product.is_active:
        raise ValidationFailed(
            gettext("%(name)s 已停用，不能采购") % {"name": name()}, field=field, code=OrderError.PRODUCT_INACTIVE
        )


def negotiated_on(product, on: date) -> bool:
    """Whether the product is a national negotiated drug (谈判药) whose agreement is in force on `on` (an open end
    counts as in force), as settlement.sql reads it for direct settlement."""
    return bool(
        product.negotiated
        and (product.negotiated_from is None or product.negotiated_from <= on)
        and (product.negotiated_to is None or product.negotiated_to >= on)
    )


def check_buyer_may_order(buyer: Organization | None, listing: Listing, *, on: date, field: str) -> None:
    """The buyer's own rule: a hospital may order any orderable listing; a pharmacy (定点零售药店), while
    `rules.pharmacies().negotiated_only`, only a negotiated drug in force on the day (docs/pharmacies.md)."""
    if buyer is None or buyer.kind != Organization.Kind.PHARMACY or not rules.pharmacies().negotiated_only:
        return
    if negotiated_on(listing.product, on):
        return
    raise ValidationFailed(
        gettext("%(name)s 不是协议期内的国家谈判药品，定点零售药店只能采购挂网的国家谈判药品")
        % {"name": product_identity(listing.product, maker=False)},
        field=field,
        code=OrderError.NOT_NEGOTIATED_DRUG,
    )


def check_distributor(
    hospital: Organization,
    distributor: Organization,
    listings: list[Listing],
    *,
    on: date,
    fields: list[str] | None = None,
) -> None:
    """Every listing must be covered by an authorisation of its manufacturer for this distributor in the hospital's
    region on `on` (one query for all of them, or none when the listings were read with `orderability()`)."""
    if all(hasattr(listing, "authorised") for listing in listings):
        authorised = {(x.product_id, x.manufacturer_id) for x in listings if x.authorised}
    else:
        authorised = set(
            DistributionAuthorization.objects.filter(
                authorisation_filter(hospital, distributor, on=on),
                product_id__in={x.product_id for x in listings},
            ).values_list("product_id", "manufacturer_id")
        )
    for i, listing in enumerate(listings):
        if (listing.product_id, listing.manufacturer_id) not in authorised:
            _refuse_unauthorised(hospital, distributor, listing, on=on, field=fields[i] if fields else "distributor")


def _refuse_unauthorised(hospital, distributor, listing: Listing, *, on: date, field: str) -> None:
    suspended = (
        DistributionAuthorization.objects.filter(
            distributor=distributor,
            product_id=listing.product_id,
            manufacturer_id=listing.manufacturer_id,
            is_active=False,
            valid_from__lte=on,
            regions__in=pooling_region_ids(hospital),
        )
        .exclude(suspended_reason="")
        .values_list("suspended_reason", flat=True)
        .first()
    )
    if suspended:
        raise ValidationFailed(
            gettext("%(name)s 配送 %(generic_name)s 的授权已暂停（%(suspended)s），不能经其采购")
            % {
                "name": distributor.name,
                "generic_name": product_identity(listing.product, maker=False),
                "suspended": suspended,
            },
            field=field,
            code=OrderError.AUTHORIZATION_SUSPENDED,
        )
    raise ValidationFailed(
        gettext("%(name)s 未获 %(name2)s 授权在本地区配送 %(generic_name)s")
        % {
            "name": distributor.name,
            "name2": listing.manufacturer.name,
            "generic_name": product_identity(listing.product, maker=False),
        },
        field=field,
        code=OrderError.DISTRIBUTOR_NOT_AUTHORIZED,
    )


def _lot_matches(lot, product) -> bool:
    if lot.generic_name != product.generic_name:
        return False
    return not lot.dosage_forms or product.dosage_form in lot.dosage_forms


def unmet_commitments(*, hospital_id: int, products, on: date) -> dict[int, Commitment]:
    """For each ordered product that is NOT a selected product of the lot of one of the hospital's commitments, the
    hospital's commitment that is still unmet on `on` (received − returned < agreed volume), if any — the
    substitution."""
    products = list(products)
    names = {p.generic_name for p in products}
    commitments = list(
        Commitment.objects.filter(
            hospital_id=hospital_id, lot__generic_name__in=names, cycle_start__lte=on, cycle_end__gte=on
        ).select_related("lot", "product", "manufacturer")
    )
    if not commitments:
        return {}
    purchased = _net_received_min_units(hospital_id, commitments)
    selected = set(Award.objects.filter(lot_id__in={c.lot_id for c in commitments}).values_list("lot_id", "product_id"))
    result: dict[int, Commitment] = {}
    for product in products:
        for c in commitments:
            if (c.lot_id, product.pk) in selected or not _lot_matches(c.lot, product):
                continue  # a selected product of the lot (any winner) is no substitution
            if purchased.get(c.pk, 0) < c.agreed_volume:
                result[product.pk] = c
                break
    return result


def _net_received_min_units(hospital_id: int, commitments: list[Commitment]) -> dict[int, int]:
    result = {}
    for c in commitments:
        received = (
            ReceiptLine.objects.filter(
                hospital_id=hospital_id, product_id=c.product_id, received_on__range=(c.cycle_start, c.cycle_end)
            ).aggregate(n=Sum("accepted_min_units"))["n"]
            or 0
        )
        returned = (
            GoodsReturnLine.objects.filter(
                hospital_id=hospital_id, product_id=c.product_id, returned_on__range=(c.cycle_start, c.cycle_end)
            ).aggregate(n=Sum("min_units"))["n"]
            or 0
        )
        result[c.pk] = received - returned
    return result
