"""Journey 4: the fund officer generates last month's statements from the page; the hospital confirms one and disputes
a line of the other; the officer approves the confirmed one and records its payment."""

from datetime import timedelta
from decimal import Decimal

import pytest

from procurement.models import Lot
from settlement.models import SettlementStatement
from settlement.services.statements import statement_claim
from tests.browser.conftest import expect_no_error, login
from tests.factories import ListingFactory, ProductFactory
from tests.settlement.world import build_world, make_award, month_start, receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(settings):
    # The generation job is sent after commit of its start request and runs in the live server's thread.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    w = build_world(prefix="J")
    # A second lot won by the other manufacturer, so the hospital gets two statements for the month.
    lot = Lot.objects.create(tender=w.tender, number="02", generic_name="盐酸二甲双胍片", max_price=Decimal("0.5000"))
    product = ProductFactory(generic_name="盐酸二甲双胍片", manufacturer=w.other_maker, pack_size=20)
    award = make_award(w.tender, lot, product, "0.1000", 1, w.fund_officer)
    second = ListingFactory(
        product=product,
        unit_price=Decimal("0.1000"),
        source="tender_award",
        award=award,
        valid_from=w.tender.cycle_start,
    )
    period = month_start(1)
    receive(w, packs=7, on=period + timedelta(days=2))
    receive(w, packs=3, on=period + timedelta(days=9))
    receive(w, listing=second, packs=5, on=period + timedelta(days=4))
    w.period = period
    return w


def test_fund_generates_hospital_confirms_and_disputes_officer_approves_and_pays(new_page, world):
    officer = new_page()
    login(officer, "Jfund")
    officer.goto("/settlement/")
    form = officer.locator("#generate-statements")
    form.locator("input[name=month]").fill(f"{world.period:%Y-%m}")
    # The job runs in the background; its page shows a progress bar, then the result and a link to the month.
    with officer.expect_navigation():
        form.locator("button[type=submit]").click()
    expect_no_error(officer)
    assert "/jobs/" in officer.url
    officer.locator("#job-result-link").wait_for()
    assert f"{world.period:%Y-%m} 结算单已生成：新建 2 张" in officer.locator("#job-message").inner_text()
    with officer.expect_navigation():
        officer.locator("#job-result-link").click()
    assert officer.locator("tr[data-statement]").count() == 2
    confirmed = SettlementStatement.objects.get(hospital=world.hospital, manufacturer=world.other_maker)
    disputed = SettlementStatement.objects.get(hospital=world.hospital, manufacturer=world.maker)
    assert disputed.lines.count() == 2
    # Generating the same month again (for the region alone) adds nothing.
    form = officer.locator("#generate-statements")
    form.locator("input[name=month]").fill(f"{world.period:%Y-%m}")
    form.locator("select[name=region]").select_option(world.hospital.region.pooling_region.code)
    with officer.expect_navigation():
        form.locator("button[type=submit]").click()
    officer.locator("#job-result-link").wait_for()
    assert "新建 0 张" in officer.locator("#job-message").inner_text()
    # A month not yet ended is refused on the list page, and nothing starts.
    officer.goto("/settlement/")
    officer.locator("#generate-statements input[name=month]").evaluate("el => { el.removeAttribute('max'); }")
    officer.locator("#generate-statements input[name=month]").fill("2999-01")
    with officer.expect_navigation():
        officer.locator("#generate-statements button[type=submit]").click()
    assert officer.url.endswith("/settlement/") and "尚未结束" in officer.locator(".messages").inner_text()

    # The manufacturers claim with their invoices.
    statement_claim(statement=confirmed, by=world.other_rep, invoice_numbers="20260001")
    statement_claim(statement=disputed, by=world.maker_rep, invoice_numbers="20260002,20260003")

    # The hospital confirms one statement and disputes one line of the other.
    hospital = new_page()
    login(hospital, "Jbuyer")
    hospital.goto("/settlement/")
    with hospital.expect_navigation():
        hospital.locator(f"tr[data-statement='{confirmed.pk}'] a").click()
    with hospital.expect_navigation():
        hospital.click("button[name=action][value=review]")
    expect_no_error(hospital)
    assert hospital.locator("[data-status]").get_attribute("data-status") == "hospital_confirmed"

    hospital.goto(f"/settlement/{disputed.pk}/")
    line = disputed.lines.order_by("received_on").last()
    row = hospital.locator(f"tr[data-line='{line.pk}']")
    row.locator(f"input[name=disputed_{line.pk}]").check()
    row.locator(f"input[name=dispute_{line.pk}]").fill("数量与入库单不符")
    with hospital.expect_navigation():
        hospital.click("button[name=action][value=review]")
    expect_no_error(hospital)
    assert hospital.locator("[data-status]").get_attribute("data-status") == "draft"
    assert "数量与入库单不符" in hospital.locator(f"tr[data-line='{line.pk}']").inner_text()

    # The officer approves the confirmed statement from the list and records its payment.
    officer.goto("/settlement/?status=hospital_confirmed")
    officer.locator(f"tr[data-statement='{confirmed.pk}'] input[name=statement_ids]").check()
    officer.check("input[name=confirm]")  # the page asks before the money moves
    with officer.expect_navigation():
        officer.get_by_role("button", name="批量审核所选结算单").click()
    expect_no_error(officer)
    officer.goto(f"/settlement/{confirmed.pk}/")
    assert officer.locator("[data-status]").get_attribute("data-status") == "approved"
    confirmed.refresh_from_db()
    assert officer.locator("input[name=amount]").input_value() == str(confirmed.amount)
    officer.fill("input[name=reference]", "YH-2026-0815")
    officer.check("input[name=confirm]")
    with officer.expect_navigation():
        officer.click("button[name=action][value=pay]")
    expect_no_error(officer)
    assert officer.locator("[data-status]").get_attribute("data-status") == "paid"
    assert "YH-2026-0815" in officer.content()
    disputed.refresh_from_db()
    assert disputed.status == "draft"
