"""Hostile numbers and text in ordering, through the API and the pages: superscript and Arabic-Indic digits,
values beyond their column, exponents, 5,000 digits, over-long remarks and bidirectional controls each answer 400
naming the field, and nothing is written or changed."""

import pytest

from procurement.models import GoodsReturn, PurchaseOrder, PurchaseOrderLine
from tests.utils import api_as, client_as, error_field

from .ordering import build_world

pytestmark = pytest.mark.django_db

HOSTILE_INTEGERS = ["²", "١٢", "１２", "1e3", str(10**19), str(2**31), "9" * 5000, "-1.5", "0x1"]


@pytest.fixture
def w():
    return build_world()


def _post_order(w, lines, **extra):
    return api_as(w.buyer).post(
        "/api/v1/orders/", {"distributor": w.distributor.pk, "lines": lines, **extra}, format="json"
    )


@pytest.mark.parametrize("packs", HOSTILE_INTEGERS)
def test_packs_that_no_packs_column_holds_are_a_400_naming_the_line(w, packs):
    response = _post_order(w, [{"listing": w.listing.pk, "packs": packs}])
    assert response.status_code == 400, response.content
    assert error_field(response) == "lines[0].packs"
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("listing", ["²", "١", str(10**19), "9" * 5000, [1], {"id": 1}])
def test_a_listing_id_in_foreign_digits_or_beyond_a_bigint_is_a_400(w, listing):
    response = _post_order(w, [{"listing": listing, "packs": 1}])
    assert response.status_code == 400, response.content
    assert error_field(response) == "lines[0].listing"
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("distributor", ["²", "١", "1e3", str(10**19)])
def test_the_distributor_field_refuses_foreign_digits(w, distributor):
    response = _post_order(w, w.lines(), distributor=distributor)
    assert response.status_code == 400 and error_field(response) == "distributor"
    assert not PurchaseOrder.objects.exists()


def test_json_numbers_in_exponent_form_or_of_5000_digits_are_refused_by_the_field(w):
    client = api_as(w.buyer)
    for raw in ("1e400", "9" * 5000, "1.5e3"):
        body = f'{{"distributor": {w.distributor.pk}, "lines": [{{"listing": {w.listing.pk}, "packs": {raw}}}]}}'
        response = client.post("/api/v1/orders/", body, content_type="application/json")
        assert response.status_code == 400 and error_field(response) == "lines[0].packs", (raw[:20], response.content)
    assert not PurchaseOrder.objects.exists()


def _submitted(w):
    response = _post_order(w, w.lines(), submit=True)
    assert response.status_code == 201
    return response.json()


@pytest.mark.parametrize("header", ["²", "١", str(10**19), "abc"])
def test_a_bad_if_match_header_is_a_400_naming_it_and_the_order_is_not_accepted(w, header):
    order = _submitted(w)
    response = api_as(w.dist_rep).post(
        f"/api/v1/orders/{order['id']}/accept/", {}, format="json", HTTP_IF_MATCH=f'"{header}"'
    )
    assert response.status_code == 400 and error_field(response) == "If-Match", response.content
    assert PurchaseOrder.objects.get(pk=order["id"]).status == "submitted"


def test_an_order_id_in_foreign_digits_is_not_found(w):
    order = _submitted(w)
    for pk in ("²", "١", "９"):
        assert api_as(w.buyer).get(f"/api/v1/orders/{pk}/").status_code == 404
    assert api_as(w.buyer).get(f"/api/v1/orders/{order['id']}/").status_code == 200


@pytest.mark.parametrize("name", ["distributor", "hospital"])
@pytest.mark.parametrize("value", ["²", "١", str(10**19)])
def test_order_filters_refuse_foreign_digits_in_the_api(w, name, value):
    _submitted(w)
    response = api_as(w.buyer).get(f"/api/v1/orders/?{name}={value}")
    assert response.status_code == 400 and error_field(response) == name


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/commitment-progress/?tender=²",
        "/api/v1/commitment-progress/?hospital=١",
        "/api/v1/commitment-progress/?commitment=²",
        "/api/v1/online-share/?hospital=²",
        "/api/v1/online-share/?region=١",
        "/api/v1/deliveries/?order=²",
        "/api/v1/listings/?manufacturer=١",
        "/api/v1/products/?manufacturer_id=" + "9" * 25,
    ],
)
def test_query_filters_answer_400_naming_the_filter(w, url):
    from tests.factories import AgencyFactory, UserFactory

    official = UserFactory(organization=AgencyFactory(), roles=["pricing_official"])
    response = api_as(official).get(url)
    assert response.status_code == 400, (url, response.content)
    assert error_field(response) == url.split("?")[1].split("=")[0]


def test_returns_refuse_hostile_packs_and_write_nothing(w):
    order = _submitted(w)
    client = api_as(w.buyer)
    for packs in ("²", str(10**19), "9" * 5000):
        response = client.post(
            "/api/v1/returns/",
            {"order": order["id"], "reason": "破损", "lines": [{"receipt_line": 1, "packs": packs}]},
            format="json",
        )
        assert response.status_code in (400, 409), response.content
    response = client.post("/api/v1/returns/", {"order": "²", "reason": "x", "lines": []}, format="json")
    assert response.status_code == 400 and error_field(response) == "order"
    assert not GoodsReturn.objects.exists()


def test_over_long_remarks_are_refused_naming_the_limit_not_cut(w):
    response = _post_order(w, w.lines(), remarks="x" * 1_000_000)
    assert response.status_code == 400 and error_field(response) == "remarks"
    assert "10000" in str(response.json())
    response = _post_order(w, w.lines(), remarks="备" * 2001)
    assert response.status_code == 400 and error_field(response) == "remarks" and "2000" in str(response.json())
    lines = w.lines()
    lines[0]["remarks"] = "x" * 301
    response = _post_order(w, lines)
    assert response.status_code == 400 and error_field(response) == "lines[0].remarks" and "300" in str(response.json())
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("control", ["\u202e", "\u2066", "\u202a"])
def test_bidi_controls_in_remarks_are_refused(w, control):
    response = _post_order(w, w.lines(), remarks=f"请尽快{control}送达")
    assert response.status_code == 400 and error_field(response) == "remarks"
    assert not PurchaseOrder.objects.exists()


def test_mongolian_remarks_keep_every_character(w):
    text = "ᠮᠣᠩᠭᠣᠯ\u180eᠠ ᠬᠡᠯᠡ\u202fᠨᠦ\u200d\u200c\u180b"
    response = _post_order(w, w.lines(), remarks=text)
    assert response.status_code == 201
    assert PurchaseOrder.objects.get().hospital_remarks == text


# --- pages -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("listing", "²"),
        ("listing", "١"),
        ("distributor", "²"),
        ("packs", "²"),
        ("packs", str(10**19)),
        ("packs", "9" * 5000),
    ],
)
def test_the_cart_page_refuses_hostile_numbers_with_a_400_naming_the_field(w, field, value):
    form = {"listing": str(w.listing.pk), "distributor": str(w.distributor.pk), "packs": "2", field: value}
    response = client_as(w.buyer).post("/orders/cart/add/", form)
    assert response.status_code == 400, response.status_code
    assert f'data-field="{field}"' in response.content.decode()
    assert not PurchaseOrder.objects.exists()


def test_the_cart_page_folds_full_width_digits(w):
    form = {
        "listing": "".join(chr(0xFF10 + int(d)) for d in str(w.listing.pk)),
        "distributor": str(w.distributor.pk),
        "packs": "１２",
    }
    response = client_as(w.buyer).post("/orders/cart/add/", form)
    assert response.status_code == 302
    assert PurchaseOrderLine.objects.get().packs == 12


@pytest.mark.parametrize("query", ["distributor=²", "hospital=١", f"distributor={10**19}"])
def test_the_order_list_page_answers_400_naming_the_filter(w, query):
    _submitted(w)
    response = client_as(w.buyer).get(f"/orders/?{query}")
    name, html = query.split("=")[0], response.content.decode()
    assert response.status_code == 400
    assert f"{name}“" in html or f"{name}超出允许范围" in html


def test_the_order_list_page_folds_full_width_ids(w):
    _submitted(w)
    digits = "".join(chr(0xFF10 + int(d)) for d in str(w.distributor.pk))
    assert client_as(w.buyer).get(f"/orders/?distributor={digits}").status_code == 200


def test_the_progress_dashboard_answers_400_for_a_foreign_digit(w):
    from tests.factories import AgencyFactory, UserFactory

    official = UserFactory(organization=AgencyFactory(), roles=["pricing_official"])
    response = client_as(official).get("/progress/?tender=²")
    assert response.status_code == 400 and 'data-field="tender"' in response.content.decode()
