import pytest
from django.test import Client

from procurement.services import tenders as svc
from tests.fixtures.tenders import to_bidding


@pytest.mark.django_db
def test_tender_pages_show_own_bids_sealed_and_hide_others(world):
    to_bidding(world)
    svc.bid_submit(
        lot=world["lot"], product=world["products"][0], price="0.6789", supply_capacity=10, by=world["reps"][0]
    )
    for user, sees_bid in (
        (world["reps"][0], True),
        (world["reps"][1], False),
        (world["official"], True),
        (world["buyers"][0], False),
    ):
        client = Client()
        client.force_login(user)
        assert world["tender"].code in client.get("/tenders/").content.decode()
        html = client.get(f"/tenders/{world['tender'].pk}/").content.decode()
        assert "0.6789" not in html
        assert ("（密封）" in html) is sees_bid, user
        assert 'class="countdown"' in html
    client = Client()
    client.force_login(world["buyers"][0])
    html = client.get(f"/tenders/{world['tender'].pk}/").content.decode()
    assert "本机构报量" in html and "10,000" in html  # with separators (display.qty)


@pytest.mark.django_db
def test_tender_list_sorts_and_exports_the_filtered_tenders(world):
    from datetime import timedelta

    from django.utils import timezone

    from tests.utils import xlsx_rows

    now = timezone.now()
    svc.tender_create(
        by=world["official"],
        code="NMG-T-00",
        name="早期批次",
        demand_start=now - timedelta(days=9),
        demand_end=now + timedelta(hours=1),
        bid_deadline=now + timedelta(hours=2),
        opening_at=now + timedelta(hours=3),
        cycle_start=world["tender"].cycle_start,
        cycle_end=world["tender"].cycle_end,
    )
    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    client = Client()
    client.force_login(world["buyers"][0])
    assert "NMG-T-00" not in client.get("/tenders/").content.decode()  # still a draft: the officials' alone
    client.force_login(world["official"])
    html = client.get("/tenders/").content.decode()
    assert html.index("NMG-T-01") < html.index("NMG-T-00")  # newest demand window first
    html = client.get("/tenders/?sort=code").content.decode()
    assert html.index("NMG-T-00") < html.index("NMG-T-01") and 'aria-sort="ascending"' in html
    rows = xlsx_rows(client.get("/tenders/?status=demand_collection&format=xlsx"))
    assert rows[0][0] == "批次编号" and [r[0] for r in rows[1:]] == ["NMG-T-01"]
    assert "暂无带量采购批次" in client.get("/tenders/?status=awarded").content.decode()
