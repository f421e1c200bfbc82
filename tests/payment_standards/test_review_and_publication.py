"""Entering, reviewing and publishing payment standards through the services, the API and the pages; the bad inputs
(a standard ≤ 0 or without a source, publishing by a non-official, publishing twice) each refused with nothing
written; the award hook; what hospitals see on the listing and catalog pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from common.errors import ConflictError, PermissionDeniedError, ValidationFailed
from common.models import AuditEvent
from payment_standards import selectors, sql
from payment_standards.errors import PaymentStandardError as E
from payment_standards.models import PaymentStandard, Publication
from payment_standards.services import payment_standard_set, payment_standards_derive, payment_standards_publish
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding
from tests.payment_standards import world as w

D = Decimal


def _snapshot():
    return (
        list(PaymentStandard.objects.order_by("pk").values_list("pk", "status", "standard")),
        PaymentStandard.history.count(),
        Publication.objects.count(),
    )


@pytest.fixture
def drafts(official):
    """A tender of 2026 derived: a winner at 1.00 and a linked product (original 10.00 → 7.00), with 2025 published."""
    t = w.tender(official)
    lot = w.lot(t, "01", "阿托伐他汀钙片")
    winner, far = w.product("阿托伐他汀钙片"), w.product("阿托伐他汀钙片")
    w.award(lot, winner, "1.0000", official)
    w.published(far, 2025, "10.0000")
    payment_standards_derive(tender=t)
    return {"tender": t, "winner": winner, "far": far}


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("standard", "source", "field", "code"),
    [
        ("0", "manual", "standard", E.STANDARD_NOT_POSITIVE),
        ("-1.5", "manual", "standard", E.STANDARD_NOT_POSITIVE),
        ("0.0000", "import", "standard", E.STANDARD_NOT_POSITIVE),
        ("1.2000", "", "source", E.SOURCE_REQUIRED),
        ("1.2000", "award", "source", E.SOURCE_REQUIRED),  # derived sources are the derivation's, not typed in
    ],
)
def test_a_standard_not_above_zero_or_without_a_source_is_refused(official, standard, source, field, code):
    product = w.product("阿托伐他汀钙片")
    before = _snapshot()
    with pytest.raises(ValidationFailed) as exc:
        payment_standard_set(product=product, year=2026, standard=standard, source=source, by=official)
    assert (exc.value.field, exc.value.code) == (field, code)
    response = _api(official).post(
        "/api/v1/payment-standards/",
        {"product": product.pk, "year": "2026", "standard": standard, "source": source},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["field"] == field
    assert _snapshot() == before


@pytest.mark.django_db
def test_the_database_refuses_a_standard_not_above_zero_or_without_a_source(official):
    product = w.product("阿托伐他汀钙片")
    for fields in ({"standard": D(0), "source": "manual"}, {"standard": D(1), "source": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentStandard.objects.create(product=product, year=2026, **fields)
    assert not PaymentStandard.objects.exists()


@pytest.mark.django_db
def test_manual_standard_is_a_draft_until_published(official):
    product = w.product("阿托伐他汀钙片")
    response = _api(official).post(
        "/api/v1/payment-standards/",
        {"product": product.pk, "year": "2026", "standard": "1.2345", "source": "manual", "note": "专家论证"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft" and response.json()["standard"] == "1.2345"
    assert selectors.standard_for(product, date(2026, 6, 1)) is None
    payment_standards_publish(year=2026, by=official)
    assert selectors.standard_for(product, date(2026, 6, 1)) == D("1.2345")
    assert selectors.standard_for(product.pk, date(2027, 1, 1)) is None


@pytest.mark.django_db
def test_review_shows_the_diff_and_publishing_replaces_what_is_in_force(drafts, official, fund_officer):
    rows = {r["product"]: r for r in _api(official).get("/api/v1/payment-standards/review/?year=2026").json()}
    assert rows[drafts["far"].pk]["standard"] == "7.0000"
    assert (rows[drafts["far"].pk]["previous"], rows[drafts["far"].pk]["previous_year"]) == ("10.0000", 2025)
    assert rows[drafts["winner"].pk]["previous"] is None
    response = _api(fund_officer).post("/api/v1/payment-standards/publish/", {"year": "2026"}, format="json")
    assert response.status_code == 200 and response.json()["count"] == 2
    assert selectors.standard_for(drafts["far"], date(2026, 3, 1)) == D("7.0000")
    publication = Publication.objects.get()
    assert AuditEvent.objects.filter(object_id=publication.pk, action="published").exists()
    # a new draft of a published year replaces the published row on publication, which is kept as superseded
    payment_standard_set(product=drafts["far"], year=2026, standard="6.5", source="manual", by=official)
    assert selectors.standard_for(drafts["far"], date(2026, 3, 1)) == D("7.0000")  # the draft is not in force
    payment_standards_publish(year=2026, by=official)
    statuses = sorted(
        PaymentStandard.objects.filter(product=drafts["far"], year=2026).values_list("status", "standard")
    )
    assert statuses == [("published", D("6.5000")), ("superseded", D("7.0000"))]
    # deriving again after publication: the rows equal to the published standards are not drafted again
    assert payment_standards_derive(tender=drafts["tender"]) == 1  # only "far": derived 7.00 ≠ published 6.50


@pytest.mark.django_db
def test_publishing_by_a_non_official_is_refused_and_changes_nothing(drafts, purchaser, manufacturer_rep):
    before = _snapshot()
    for user in (purchaser, manufacturer_rep):
        with pytest.raises(PermissionDeniedError):
            payment_standards_publish(year=2026, by=user)
        response = _api(user).post("/api/v1/payment-standards/publish/", {"year": "2026"}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert _snapshot() == before
    assert set(PaymentStandard.objects.filter(year=2026).values_list("status", flat=True)) == {"draft"}


@pytest.mark.django_db
def test_publishing_twice_is_refused(drafts, official):
    payment_standards_publish(year=2026, by=official)
    before = _snapshot()
    with pytest.raises(ConflictError) as exc:
        payment_standards_publish(year=2026, by=official)
    assert exc.value.code == E.NOTHING_TO_PUBLISH
    response = _api(official).post("/api/v1/payment-standards/publish/", {"year": "2026"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == E.NOTHING_TO_PUBLISH
    assert _snapshot() == before


@pytest.mark.django_db
def test_deriving_a_year_before_the_cycle_or_an_unawarded_tender_is_refused(drafts, official):
    before = _snapshot()
    response = _api(official).post(
        "/api/v1/payment-standards/derive/", {"tender": drafts["tender"].pk, "year": "2025"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == E.YEAR_BEFORE_CYCLE
    empty = w.tender(official, code="PS-EMPTY")
    response = _api(official).post("/api/v1/payment-standards/derive/", {"tender": empty.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == E.TENDER_NOT_AWARDED
    assert _snapshot() == before
    response = _api(official).post(
        "/api/v1/payment-standards/derive/", {"tender": drafts["tender"].pk, "year": "2027"}, format="json"
    )
    assert response.json() == {"rows": 2}


@pytest.mark.django_db
def test_pages_review_publish_and_what_a_hospital_sees(drafts, official, purchaser, client):
    client.force_login(purchaser)
    assert client.get("/payment-standards/review/").status_code == 403
    assert client.post("/payment-standards/review/", {"year": "2026"}).status_code == 403
    assert set(PaymentStandard.objects.values_list("status", flat=True)) == {"draft", "published"}
    client.force_login(official)
    page = client.get("/payment-standards/review/?year=2026").content.decode()
    assert "7.0000" in page and "10.0000" in page and "↓" in page
    response = client.post("/payment-standards/review/", {"year": "2026"}, follow=True)
    assert "已发布 2026 年度支付标准 2 条" in response.content.decode()
    response = client.post("/payment-standards/review/", {"year": "2026"}, follow=True)
    assert "该年度没有待发布的支付标准" in response.content.decode()
    client.force_login(purchaser)
    listing = client.get("/payment-standards/?year=2026").content.decode()
    assert "7.0000" in listing and drafts["far"].nhsa_code in listing
    # the catalog page: the standard in force today and what the patient pays above it at the listing price
    today = date.today()
    w.published(drafts["winner"], today.year, "1.0000") if today.year != 2026 else None
    w.listing(drafts["winner"], "1.3000")
    detail = client.get(f"/catalog/products/{drafts['winner'].pk}/").content.decode()
    assert "医保支付标准" in detail and "0.3000" in detail


@pytest.mark.django_db
def test_the_award_derives_the_drafts(world):
    """Through the real award service: the hook derives the tender's first year (2027) as drafts."""
    to_bidding(world)
    lot, reps, products = world["lot"], world["reps"], world["products"]
    svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=500000, by=reps[0])
    svc.bid_submit(lot=lot, product=products[1], price="0.8000", supply_capacity=500000, by=reps[1])
    loser = products[2]  # no bid; its listing at 2.00 is above 2 × 0.50 → 70 % the first year
    type(loser).objects.filter(pk=loser.pk).update(consistency_evaluated=True)
    w.listing(loser, "2.0000")
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_refresh(tender=world["tender"])
    svc.tender_evaluate(tender=world["tender"], by=world["official"])
    svc.tender_award(tender=world["tender"], by=world["official"])
    rows = {r.product_id: r for r in PaymentStandard.objects.filter(year=2027)}
    assert {r.status for r in rows.values()} == {"draft"}
    assert rows[products[0].pk].source == "award" and rows[products[0].pk].standard == D("0.5000")
    assert rows[loser.pk].basis == "above_double" and rows[loser.pk].standard == D("1.4000")


@pytest.mark.django_db
def test_published_references_for_the_detectors_agree_with_standard_for(drafts, official):
    payment_standards_publish(year=2026, by=official)
    with connection.cursor() as cursor:
        cursor.execute(sql.published_references())
        rows = cursor.fetchall()
    assert len(rows) == 3  # 2025's original and 2026's two published standards; drafts never
    for product_id, kind, ref, valid_from, valid_to in rows:
        assert kind == "payment_standard" and (valid_from.month, valid_to.day) == (1, 31)
        assert selectors.standard_for(product_id, valid_from) == ref == selectors.standard_for(product_id, valid_to)
