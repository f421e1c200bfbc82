"""The order path reads whether a distributor may deliver a listing as an annotation of the listings (`orderability`,
an EXISTS over the authorisations joined to the listing); the rule itself is `authorisation_filter`, asked of one
product. Both must answer alike — and as expected — for every state an authorisation can be in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement.models import Listing
from procurement.services.orderability import authorisation_filter, orderability
from tests.factories import (
    DistributionAuthorizationFactory,
    DistributorFactory,
    HospitalFactory,
    ListingFactory,
    ManufacturerFactory,
    ProductFactory,
    league,
)

TODAY = timezone.localdate()

# name → how the one authorisation of the case is made (None: no authorisation at all)
CASES = {
    "valid, open-ended": {},
    "valid until today": {"valid_to": TODAY},
    "expired yesterday": {"valid_to": TODAY - timedelta(days=1)},
    "starts tomorrow": {"valid_from": TODAY + timedelta(days=1)},
    "starts today": {"valid_from": TODAY},
    "revoked": {"is_active": False, "revoke_reason": "合同终止"},
    "suspended by a credit sanction": {"is_active": False, "suspended_reason": "信用评价：严重失信"},
    "in another league only": {"regions": ["150200"]},
    "in the hospital's league and another": {"regions": ["150100", "150200"]},
    "for another product of the same maker": {"other_product": True},
    "by another distributor": {"other_distributor": True},
    "none": None,
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CASES))
def test_the_annotation_answers_as_the_rule(case):
    hospital = HospitalFactory()
    distributor = DistributorFactory()
    maker = ManufacturerFactory()
    product = ProductFactory(manufacturer=maker)
    listing = ListingFactory(product=product)
    spec = CASES[case]
    if spec is not None:
        spec = dict(spec)
        kwargs = {
            "product": ProductFactory(manufacturer=maker) if spec.pop("other_product", False) else product,
            "distributor": DistributorFactory() if spec.pop("other_distributor", False) else distributor,
        }
        if "regions" in spec:
            kwargs["regions"] = [league(code) for code in spec.pop("regions")]
        DistributionAuthorizationFactory(**kwargs, **spec)

    annotated = (
        Listing.objects.select_related("product")  # as the order path reads them
        .annotate(**orderability(hospital, distributor, on=TODAY))
        .get(pk=listing.pk)
    )
    by_rule = listing.product.distribution_authorizations.filter(
        authorisation_filter(hospital, distributor, on=TODAY), manufacturer=listing.manufacturer
    ).exists()
    assert annotated.authorised == by_rule
    expected = case in {
        "valid, open-ended",
        "valid until today",
        "starts today",
        "in the hospital's league and another",
    }
    assert by_rule == expected, case
