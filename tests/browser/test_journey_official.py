"""Journey 3: a pricing official opens the top case of the inbox, reads its months (prices, peers, chart), assigns
it and sends the drafted 函询 letter naming the hospital and the prices compared; the manufacturer answers in its own
portal, the official resolves the case as price corrected and the listing takes the new price."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from pricing.models import PriceAlert
from pricing.services.scan import price_scan_run
from procurement.models import Listing
from tests.browser.conftest import expect_no_error, login
from tests.factories import ListingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def alert(peer_world, product):
    price_scan_run(full=True)
    return PriceAlert.objects.get()


def test_official_inquires_manufacturer_answers_price_corrected(
    new_page,
    alert,
    product,
    official,
    manufacturer,
    manufacturer_rep,
    purchaser,
):
    listing = ListingFactory(product=product, unit_price=Decimal("2.6000"))
    page = new_page()
    login(page, "official")

    # The inbox lists the cases by score, the top one first; open it.
    page.goto("/pricing/alerts/")
    row = page.locator("tr[data-alert]").first
    assert row.get_attribute("data-alert") == str(alert.pk)
    with page.expect_navigation():
        row.get_by_role("link", name=f"#{alert.pk}").click()
    # Its months: this hospital's price, the peers' median and count, the deviation, in words.
    march = page.locator("#case-months tr[data-month='2026-03']")
    text = march.inner_text()
    assert "2.6000" in text and "1.0050" in text and "+158.7%" in text and "同品种价格离群" in text
    assert "价格测试医院00" in page.content()  # the peers, by name
    # The price chart (pygal, drawn on the server): this hospital's line, the peers' median, a point per month.
    chart = page.locator(".price-chart svg[role=img]")
    assert chart.is_visible()
    assert chart.locator("g.series").count() >= 2 and chart.locator("g.series circle.dot").count() >= 1
    box = chart.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    legend = page.locator(".price-chart").inner_html()
    assert "同类机构中位价" in legend and "月份" in legend  # legend and axis title

    def act(action: str, **fields):
        form = page.locator(f"form[action$='/{alert.pk}/{action}/']")
        for name, value in fields.items():
            field = form.locator(f"[name={name}]")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        expect_no_error(page)
        return page.locator("dd[data-status]").get_attribute("data-status")

    assert act("assign", assignee=str(official.pk)) == "in_review"
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    # the drafted letter names the hospital and the prices compared; it is sent as drafted
    draft = page.locator("textarea[name=letter]").input_value()
    assert alert.hospital.name in draft and "2.6000" in draft and "1.0050" in draft
    assert act("inquiry", recipient=str(manufacturer.pk), reply_due=due) == "inquiry_sent"

    # The manufacturer answers in its portal (a session of its own).
    company = new_page()
    login(company, "mfr_rep")
    company.goto("/pricing/inquiries/")
    letter = company.locator("[data-inquiry]").filter(has_text=alert.hospital.name)
    letter.locator("textarea[name=reply]").fill("出厂价调整，同意按同类机构价格供货")
    with company.expect_navigation():
        letter.locator("button[type=submit]").click()
    expect_no_error(company)
    assert "出厂价调整" in company.locator("[data-inquiry]").first.inner_text()

    # The official sees the reply and resolves the alert as price corrected.
    page.reload()
    assert "出厂价调整，同意按同类机构价格供货" in page.content()
    status = act("resolve", disposition="corrected", corrected_price="1.0100", note="企业同意降价")
    assert status == "resolved"
    assert Listing.objects.get(pk=listing.pk).unit_price == Decimal("1.0100")

    # The purchaser's listing search shows the corrected price.
    buyer = new_page()
    login(buyer, "purchaser")
    buyer.goto(f"/orders/search/?q={product.nhsa_code}")
    assert "1.0100" in buyer.locator(f"tr[data-listing='{listing.pk}']").inner_text()
