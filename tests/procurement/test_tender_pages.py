import pytest
from django.test import Client

from procurement.services import tenders as svc
from tests.procurement.test_tender_services import to_bidding, world  # noqa: F401 - fixture


@pytest.mark.django_db
def test_tender_pages_show_own_bids_sealed_and_hide_others(world):  # noqa: F811
    to_bidding(world)
    svc.bid_submit(lot=world["lot"], product=world["products"][0], price="0.6789", supply_capacity=10,
                   by=world["reps"][0])
    for user, sees_bid in ((world["reps"][0], True), (world["reps"][1], False), (world["official"], True),
                           (world["buyers"][0], False)):
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
    assert "本机构报量" in html and "10000" in html
