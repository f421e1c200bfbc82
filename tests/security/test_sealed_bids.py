"""Sealed bid prices before opening: nobody — the bidder, officials or the platform admin — sees them through the API,
the pages, the admin (lists, forms, history), exports, search, error messages or the OCDS release.

A bid of the demo's bidding tender is replaced with a price of unusual digits; every surface is first read before
the bid (the digits must not be there by chance), then after it.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from procurement.models import Bid, Tender
from procurement.services import tenders as svc
from tests.utils import api_as

ODD = Decimal("0.61737")
ECHOED: list[str] = []  # search strings the tests type  # share of the lot's max price: digits no page shows by chance


@pytest.fixture
def sealed(db, demo_province):
    tender = Tender.objects.get(status="bidding")
    bid = Bid.objects.filter(tender=tender, status="submitted").select_related("lot", "manufacturer").first()
    price = (bid.lot.max_price * ODD).quantize(Decimal("0.0001"))
    ECHOED[:] = [format(price, "f")]
    rep = User.objects.filter(organization=bid.manufacturer, roles__code="manufacturer_rep").first()
    admin = User.objects.get(username="admin")
    official = User.objects.get(username="official")
    return {"tender": tender, "bid": bid, "price": price, "rep": rep, "official": official, "admin": admin}


def needles(price: Decimal) -> list[str]:
    text = format(price, "f")
    return [text, text.rstrip("0"), text.replace(".", "")[-5:] if len(text) > 5 else text]


def surfaces(s) -> list[tuple[str, object, str]]:
    tender = s["tender"]
    out = []
    for who in ("rep", "official", "admin"):
        user = s[who]
        out += [
            (who, user, "/api/v1/bids/"),
            (who, user, "/api/v1/bids/?ordering=price"),
            (who, user, f"/api/v1/bids/?search={format(s['price'], 'f')}"),
            (who, user, f"/api/v1/tenders/{tender.pk}/"),
            (who, user, f"/api/v1/tenders/{tender.pk}/lots/"),
            (who, user, f"/tenders/{tender.pk}/"),
            (who, user, f"/catalog/?q={format(s['price'], 'f')}"),
        ]
    for who in ("official", "admin"):
        out += [
            (who, s[who], f"/api/v1/tenders/{tender.pk}/evaluation/"),
            (who, s[who], f"/tenders/{tender.pk}/evaluation/"),
            (who, s[who], f"/tenders/{tender.pk}/results/"),
            (who, s[who], f"/tenders/{tender.pk}/results.xlsx"),
            (who, s[who], f"/api/v1/tenders/{tender.pk}/results/"),
        ]
    out += [
        ("admin", s["admin"], "/admin/procurement/bid/"),
        ("admin", s["admin"], f"/admin/procurement/tender/{tender.pk}/history/"),
        ("admin", s["admin"], "/admin/procurement/bid/?q=" + format(s["price"], "f")),
    ]
    return out


def read(user, path: str) -> str:
    if path.startswith("/api/"):
        response = api_as(user).get(path)
    else:
        client = Client()
        client.force_login(user)
        response = client.get(path)
    content = response.content
    if path.endswith(".xlsx") and response.status_code == 200:
        from openpyxl import load_workbook

        sheet_text = []
        for ws in load_workbook(io.BytesIO(content), read_only=True).worksheets:
            for row in ws.iter_rows(values_only=True):
                sheet_text.append(" ".join("" if v is None else str(v) for v in row))
        return "\n".join(sheet_text)
    text = f"{response.status_code} " + content.decode(errors="replace")
    # A search echoes what was typed (in the URL, the box, "no result for …"): that is the query, not a leak.
    for query in ECHOED:
        for echo in (f"={query}", f'value="{query}"', f"“{query}”", f"'{query}'"):
            text = text.replace(echo, "")
    return text


def bid_pages(s, new_bid) -> list[tuple[str, object, str]]:
    return [
        ("rep", s["rep"], f"/api/v1/bids/{new_bid.pk}/"),
        ("official", s["official"], f"/api/v1/bids/{new_bid.pk}/"),
        ("admin", s["admin"], f"/admin/procurement/bid/{new_bid.pk}/change/"),
        ("admin", s["admin"], f"/admin/procurement/bid/{new_bid.pk}/history/"),
    ]


@pytest.mark.django_db
@pytest.mark.slow
def test_nothing_shows_a_sealed_price_before_opening(sealed):
    s = sealed
    before = {(who, path): read(user, path) for who, user, path in surfaces(s)}
    for key, text in before.items():
        for needle in needles(s["price"]):
            assert needle not in text, f"{key} shows {needle} before the bid: choose other digits"

    new_bid = svc.bid_replace(bid=s["bid"], price=s["price"], supply_capacity=1000, by=s["rep"])
    assert new_bid.price is None and new_bid.sealed_price and format(s["price"], "f") not in new_bid.sealed_price

    leaks = []
    for who, user, path in surfaces(s) + bid_pages(s, new_bid):
        text = read(user, path)
        leaks += [f"{who} {path}: {needle}" for needle in needles(s["price"]) if needle in text]
    # history rows of the sealed tender: the clear price column stays empty, the sealed one is not kept (bids of
    # tenders already opened have their revealed prices in history, as they should)
    assert not Bid.history.filter(tender_id=s["tender"].pk, price__isnull=False).exists()
    assert not Bid.objects.filter(tender=s["tender"], price__isnull=False).exists()
    # OCDS release of the tender
    out = io.StringIO()
    call_command("export_ocds", s["tender"].code, "--no-validate", stdout=out)
    leaks += [f"OCDS: {needle}" for needle in needles(s["price"]) if needle in out.getvalue()]
    assert not leaks, leaks


@pytest.mark.django_db
def test_error_messages_do_not_echo_a_sealed_price(sealed):
    s = sealed
    from common.errors import DomainError

    new_bid = svc.bid_replace(bid=s["bid"], price=s["price"], supply_capacity=1000, by=s["rep"])
    messages = []
    attempts = [
        lambda: svc.bid_submit(
            lot=new_bid.lot, product=new_bid.product, price=s["price"], supply_capacity=10, by=s["rep"]
        ),  # a second live bid
        lambda: svc.bid_replace(bid=s["bid"], price=s["price"], supply_capacity=10, by=s["rep"]),  # replaced already
        lambda: svc.bid_replace(bid=new_bid, price=new_bid.lot.max_price + 1, supply_capacity=10, by=s["rep"]),
        lambda: svc.bid_withdraw(bid=new_bid, by=s["official"]),
        lambda: svc.tender_open_bids(tender=s["tender"], by=s["official"]),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as error:
            attempt()
        messages.append(error.value.message)
    api = api_as(s["official"]).post(f"/api/v1/tenders/{s['tender'].pk}/open-bids/", {}, format="json")
    messages.append(api.content.decode())
    api = api_as(s["rep"]).post(f"/api/v1/bids/{new_bid.pk}/replace/", {"price": "abc"}, format="json")
    messages.append(api.content.decode())
    for text in messages:
        for needle in needles(s["price"]):
            assert needle not in text, text
