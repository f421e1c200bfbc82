"""Journey: the Mongolian-medicine maker applies to list a product (price per pack against the other provinces'
basis, a distributor authorised, a document attached), an official approves it from the review queue, and the
listing is orderable: a hospital orders it, the authorised distributor ships it and the hospital receives it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.rules import name_pinyin
from pricing.models import PriceObservation
from procurement.models import DistributionAuthorization, Listing, ListingApplication, PurchaseOrder
from tests.browser.conftest import expect_no_error, login
from tests.factories import (
    AgencyFactory,
    DistributorFactory,
    HospitalFactory,
    ManufacturerFactory,
    ProductFactory,
    UserFactory,
    league,
    qualify,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    maker = ManufacturerFactory(name="旅程草原蒙药股份有限公司")
    pinyin, initials = name_pinyin("扎冲十三味丸")
    product = ProductFactory(
        manufacturer=maker,
        category="mongolian_patent",
        insurance_class="A",
        dosage_form="丸剂",
        approval_number="国药准字Z15020001",
        generic_name="扎冲十三味丸",
        name_pinyin=pinyin,
        name_initials=initials,
        specification="2g",
        pack_size=10,
        min_unit="丸",
    )
    qualify(product)
    PriceObservation.objects.create(
        product=product,
        province="吉林",
        observed_on=timezone.localdate() - timedelta(days=20),
        unit_price=Decimal("5.0000"),
        source=PriceObservation.Source.OTHER_PROVINCE,
    )
    hospital = HospitalFactory(name="旅程蒙医医院")
    distributor = DistributorFactory(name="旅程北疆医药物流")
    UserFactory(username="j_mfr", organization=maker, roles=["manufacturer_rep"])
    UserFactory(username="j_official", organization=AgencyFactory(), roles=["pricing_official"])
    UserFactory(username="j_buyer", organization=hospital, roles=["purchaser"])
    UserFactory(username="j_dist", organization=distributor, roles=["distributor_rep"])
    return {"product": product, "hospital": hospital, "distributor": distributor}


def test_maker_applies_official_approves_hospital_orders_and_receives(new_page, world, tmp_path):
    product, distributor = world["product"], world["distributor"]

    # The maker sees the price basis of its product and applies: 48 yuan a pack (4.80 a pill, under 吉林's 5.00).
    mfr = new_page()
    login(mfr, "j_mfr")
    mfr.goto(f"/listings/applications/new/?kind=new&product={product.pk}")
    assert mfr.locator("[data-basis] [data-province='吉林']").count() == 1
    assert mfr.locator("[data-ceiling]").inner_text() == "5.0000"
    form = mfr.locator("form[data-application-form]")
    form.locator("select[name=product]").select_option(str(product.pk))
    form.locator("input[name=pack_price]").fill("48.00")
    form.locator(f"input[name=distributors][value='{distributor.pk}']").check()
    form.locator(f"input[name=regions][value='{league('150100').pk}']").check()
    document = tmp_path / "吉林挂网价.pdf"
    document.write_bytes(b"%PDF-1.4 demo")
    form.locator("input[name=document]").set_input_files(str(document))
    with mfr.expect_navigation():
        form.locator("button[name=action][value=submit]").click()
    expect_no_error(mfr)
    assert mfr.locator("[data-status]").get_attribute("data-status") == "submitted"
    application = ListingApplication.objects.get(product=product)

    # The official finds it in the review queue and approves it.
    official = new_page()
    login(official, "j_official")
    official.goto("/listings/applications/")
    with official.expect_navigation():
        official.locator(f"tr[data-application='{application.pk}'] a").click()
    official.fill("textarea[name=note]", "价格不高于其他省份最低挂网价，同意挂网")
    with official.expect_navigation():
        official.click("button[name=action][value=approve]")
    expect_no_error(official)
    assert official.locator("[data-status]").get_attribute("data-status") == "approved"
    listing = Listing.objects.get(product=product)
    assert (listing.pack_price, listing.status) == (Decimal("48.00"), "active")
    assert DistributionAuthorization.objects.filter(product=product, distributor=distributor, is_active=True).exists()

    # The maker sees the decision, and its workbench counts the listing won through the application.
    mfr.goto("/listings/applications/")
    assert mfr.locator(f"tr[data-application='{application.pk}']").get_attribute("data-status") == "approved"
    mfr.goto("/")
    assert mfr.locator("[data-workbench=listings] dd").nth(3).inner_text() == "1"
    assert mfr.locator("[data-todo=applications_returned] strong").inner_text() == "0"

    # The hospital finds it by pinyin initials and orders 6 packs from the authorised distributor.
    buyer = new_page()
    login(buyer, "j_buyer")
    buyer.goto(f"/orders/search/?q={product.name_initials}")
    row = buyer.locator(f"tr[data-listing='{listing.pk}']")
    row.locator("input[name=packs]").fill("6")
    with buyer.expect_navigation():
        row.locator("button[type=submit]").click()
    expect_no_error(buyer)
    buyer.goto("/orders/cart/")
    with buyer.expect_navigation():
        buyer.locator("form[data-order] button[name=action][value=submit]").click()
    expect_no_error(buyer)
    order = PurchaseOrder.objects.get(hospital=world["hospital"])
    line = order.lines.get()
    assert line.pack_price == Decimal("48.00")

    # The distributor accepts and ships everything.
    dist = new_page()
    login(dist, "j_dist")
    dist.goto(f"/orders/{order.pk}/")
    with dist.expect_navigation():
        dist.click("button[name=action][value=accept]")
    dist.fill("input[name=invoice_number]", "FP-LA-0001")
    dist.fill(f"input[name=ship-{line.pk}-packs]", "6")
    dist.fill(f"input[name=ship-{line.pk}-batch]", "M20260101")
    dist.fill(f"input[name=ship-{line.pk}-expiry]", "2029-06-30")
    with dist.expect_navigation():
        dist.click("button[name=action][value=ship]")
    expect_no_error(dist)

    # The hospital receives it.
    buyer.goto(f"/orders/{order.pk}/")
    delivery = order.deliveries.get()
    with buyer.expect_navigation():
        buyer.locator(f"#receive-{delivery.pk} button[name=mode][value=all]").click()
    expect_no_error(buyer)
    assert buyer.locator("[data-status]").get_attribute("data-status") == "received"
    assert buyer.locator(f"tr[data-line='{line.pk}']").get_attribute("data-accepted") == "6"
