"""Journey 1: a purchaser finds 阿司匹林 by its pinyin initials, orders two products, the distributor accepts and
delivers part, the purchaser receives it, and the hospital's agreed-volume progress moves."""

from decimal import Decimal

import pytest

from catalog.rules import name_pinyin
from procurement.models import PurchaseOrder
from procurement.services.progress import progress_refresh_hospital
from tests.browser.conftest import expect_no_error, login
from tests.factories import (
    DistributionAuthorizationFactory,
    DistributorFactory,
    HospitalFactory,
    ListingFactory,
    ManufacturerFactory,
    ProductFactory,
    UserFactory,
)
from tests.procurement.ordering import make_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def aspirin(manufacturer, generic_name: str, **extra):
    pinyin, initials = name_pinyin(generic_name)
    return ProductFactory(
        manufacturer=manufacturer,
        generic_name=generic_name,
        name_pinyin=pinyin,
        name_initials=initials,
        pack_size=30,
        **extra,
    )


@pytest.fixture
def world(settings):
    # Follow-up jobs (the progress refresh after a receipt) run in the live server's thread.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    hospital = HospitalFactory(name="旅程测试医院")
    maker = ManufacturerFactory(name="旅程测试制药有限公司")
    distributor = DistributorFactory(name="旅程测试配送有限公司")
    selected = aspirin(maker, "阿司匹林肠溶片", specification="100mg")
    other = aspirin(maker, "阿司匹林泡腾片", specification="0.5g")
    ProductFactory(manufacturer=maker, generic_name="布洛芬片", name_initials="blfp")
    commitment, selected_listing = make_commitment(
        hospital=hospital, selected_product=selected, agreed_volume=3000, price=Decimal("0.1000")
    )
    other_listing = ListingFactory(product=other, unit_price=Decimal("0.8000"))
    for product in (selected, other):
        DistributionAuthorizationFactory(product=product, distributor=distributor)
    UserFactory(username="j_buyer", organization=hospital, roles=["purchaser"])
    UserFactory(username="j_dist", organization=distributor, roles=["distributor_rep"])
    progress_refresh_hospital(hospital_id=hospital.pk)
    return {"hospital": hospital, "commitment": commitment, "listings": (selected_listing, other_listing)}


def test_purchaser_orders_receives_a_partial_delivery_and_sees_progress(new_page, world):
    commitment = world["commitment"]
    selected_listing, other_listing = world["listings"]
    buyer = new_page()
    login(buyer, "j_buyer")

    # Progress before: nothing received yet.
    buyer.goto("/progress/hospital/")
    row = buyer.locator(f"tr[data-commitment='{commitment.pk}']")
    assert row.get_attribute("data-received") == "0"

    # Search by pinyin initials from the search box.
    buyer.goto("/orders/search/")
    buyer.fill("input[name=q]", "aspl")
    buyer.press("input[name=q]", "Enter")
    buyer.wait_for_url("**/orders/search/?q=aspl*")
    results = buyer.locator("tr[data-listing]")
    assert results.count() == 2
    assert "阿司匹林" in results.first.inner_text()

    # Add both to the cart: 20 packs of the selected product, 5 of the other.
    for listing, packs in ((selected_listing, 20), (other_listing, 5)):
        add = buyer.locator(f"tr[data-listing='{listing.pk}']")
        add.locator("input[name=packs]").fill(str(packs))
        with buyer.expect_navigation():
            add.locator("button[type=submit]").click()
        expect_no_error(buyer)
    buyer.goto("/orders/cart/")
    cart = buyer.locator("form[data-order]")
    assert cart.count() == 1
    assert cart.locator("tbody tr").count() == 2
    with buyer.expect_navigation():
        cart.locator("button[name=action][value=submit]").click()
    expect_no_error(buyer)
    order = PurchaseOrder.objects.get(hospital=world["hospital"])
    assert buyer.locator("[data-status]").get_attribute("data-status") == "submitted"

    # The distributor, in a browser session of its own, finds the order in its work list and accepts it.
    dist = new_page()
    login(dist, "j_dist")
    dist.goto("/orders/incoming/")
    with dist.expect_navigation():
        dist.locator(f"a[href='/orders/{order.pk}/']").first.click()
    with dist.expect_navigation():
        dist.click("button[name=action][value=accept]")
    expect_no_error(dist)
    assert dist.locator("[data-status]").get_attribute("data-status") == "accepted"

    # Partial delivery: 12 of the 20 packs of the selected product, nothing of the other yet.
    line_selected = order.lines.get(listing=selected_listing)
    line_other = order.lines.get(listing=other_listing)
    dist.fill("input[name=invoice_number]", "FP-2026-0001")
    dist.fill(f"input[name=ship-{line_selected.pk}-packs]", "12")
    dist.fill(f"input[name=ship-{line_selected.pk}-batch]", "B20260101")
    dist.fill(f"input[name=ship-{line_selected.pk}-expiry]", "2028-12-31")
    dist.fill(f"input[name=ship-{line_other.pk}-packs]", "0")
    with dist.expect_navigation():
        dist.click("button[name=action][value=ship]")
    expect_no_error(dist)
    assert dist.locator("[data-status]").get_attribute("data-status") == "partially_shipped"
    assert dist.locator(f"tr[data-line='{line_selected.pk}']").get_attribute("data-shipped") == "12"

    # The purchaser receives the delivery as a whole.
    buyer.goto(f"/orders/{order.pk}/")
    delivery = order.deliveries.get()
    with buyer.expect_navigation():
        buyer.locator(f"#receive-{delivery.pk} button[name=mode][value=all]").click()
    expect_no_error(buyer)
    assert buyer.locator(f"tr[data-line='{line_selected.pk}']").get_attribute("data-accepted") == "12"
    assert buyer.locator("[data-status]").get_attribute("data-status") == "partially_received"

    # Progress moved: 12 packs × 30 tablets received against the agreed volume.
    buyer.goto("/progress/hospital/")
    row = buyer.locator(f"tr[data-commitment='{commitment.pk}']")
    assert row.get_attribute("data-received") == "360"
