"""Listing applications (挂网申报 / 调价 / 撤网): drafts, submission with the qualification and price-linkage checks,
review (approve / return / refuse), and the bad inputs — each refused with its code, nothing written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.errors import ConflictError, PermissionDeniedError, ValidationFailed
from common.models import AuditEvent, Notification, events_for
from pricing.models import PriceObservation, ReferencePrice
from procurement.errors import OrderError
from procurement.models import DistributionAuthorization, Listing, ListingApplication
from procurement.services import applications as svc
from procurement.services.applications import ApplicationInput
from qualifications.errors import QualificationError
from tests.factories import (
    AgencyFactory,
    DistributorFactory,
    ListingFactory,
    ManufacturerFactory,
    ProductFactory,
    UserFactory,
    league,
    qualify,
)

from .ordering import refused

pytestmark = pytest.mark.django_db
S = ListingApplication.Status


@pytest.fixture
def maker():
    return ManufacturerFactory(name="申报测试制药有限公司")


@pytest.fixture
def rep(maker):
    return UserFactory(username="a_rep", organization=maker, roles=["manufacturer_rep"])


@pytest.fixture
def official():
    return UserFactory(username="a_official", organization=AgencyFactory(), roles=["pricing_official"])


@pytest.fixture
def product(maker):
    product = ProductFactory(manufacturer=maker, generic_name="厄贝沙坦片", pack_size=10)
    qualify(product)
    return product


@pytest.fixture
def basis(product):
    """Two other provinces' prices (lowest 0.5000 per tablet) and a national lowest of 0.4500."""
    today = timezone.localdate()
    for province, price in (("广东", "0.5000"), ("江苏", "0.6000")):
        PriceObservation.objects.create(
            product=product,
            province=province,
            observed_on=today - timedelta(days=30),
            unit_price=Decimal(price),
            source=PriceObservation.Source.OTHER_PROVINCE,
        )
    ReferencePrice.objects.create(
        product=product,
        kind=ReferencePrice.Kind.NATIONAL_LOWEST,
        unit_price=Decimal("0.4500"),
        valid_from=today - timedelta(days=90),
        source="国家医保局 全国最低挂网价",
    )


def new(product, price="4.80", **extra) -> ApplicationInput:
    defaults = {"distributors": [DistributorFactory()], "regions": [league("150100")]}
    return ApplicationInput(kind="new", product=product, pack_price=price, **{**defaults, **extra})


def counts():
    return (ListingApplication.objects.count(), Listing.objects.count(), DistributionAuthorization.objects.count())


def test_new_listing_applied_then_approved_creates_listing_and_authorisations(rep, official, product, basis):
    pdf = SimpleUploadedFile("广东挂网截图.pdf", b"%PDF-1.4 basis", content_type="application/pdf")
    application = svc.listing_application_create(by=rep, data=new(product, documents=[pdf]), submit=True)
    assert application.status == S.SUBMITTED
    assert (application.unit_price, application.ceiling, application.above_ceiling) == (
        Decimal("0.4800"),
        Decimal("0.5000"),
        False,
    )
    assert application.basis["lowest_other_province"] == "0.5000"
    assert application.basis["national_lowest"]["unit_price"] == "0.4500"
    assert [p["province"] for p in application.basis["other_provinces"]] == ["广东", "江苏"]
    assert application.documents.count() == 1
    svc.listing_application_approve(application=application, by=official, note="价格依据充分")
    application.refresh_from_db()
    listing = application.listing
    assert application.status == S.APPROVED
    assert (listing.source, listing.pack_price, listing.unit_price) == (
        "application",
        Decimal("4.80"),
        Decimal("0.4800"),
    )
    auth = DistributionAuthorization.objects.get(product=product)
    assert list(auth.regions.values_list("code", flat=True)) == ["150100"]
    assert Notification.objects.filter(organization=product.manufacturer, kind="listing_application").count() == 1
    assert [e.action for e in events_for(application)] == ["created", "submitted", "approved"]
    assert application.history.count() >= 3


def test_application_for_another_makers_product_is_refused_and_writes_nothing(rep, product):
    others = ProductFactory(manufacturer=ManufacturerFactory(), generic_name="缬沙坦胶囊")
    qualify(others)
    before = counts()
    with refused(ValidationFailed, OrderError.NOT_OWN_PRODUCT) as err:
        svc.listing_application_create(by=rep, data=new(others), submit=True)
    assert err.value.field == "product"
    assert counts() == before


def test_price_above_the_linkage_ceiling_needs_a_justification(rep, official, product, basis):
    before = counts()
    with refused(ValidationFailed, OrderError.PRICE_ABOVE_LINKAGE) as err:
        svc.listing_application_create(by=rep, data=new(product, price="5.50"), submit=True)
    assert err.value.field == "pack_price"
    assert counts() == before
    application = svc.listing_application_create(
        by=rep, data=new(product, price="5.50", justification="原料药涨价，附成本测算"), submit=True
    )
    assert application.above_ceiling and application.status == S.SUBMITTED


def test_linkage_is_configurable(rep, product, basis, settings):
    settings.LISTING_PRICE_LINKAGE = "national_lowest"
    with refused(ValidationFailed, OrderError.PRICE_ABOVE_LINKAGE):
        svc.listing_application_create(by=rep, data=new(product, price="4.80"), submit=True)
    settings.LISTING_PRICE_LINKAGE = "off"
    application = svc.listing_application_create(by=rep, data=new(product, price="9.00"), submit=True)
    assert application.ceiling is None and not application.above_ceiling


@pytest.mark.parametrize(
    ("licence_to", "registration_to", "code"),
    [
        ("expired", None, QualificationError.LICENCE_EXPIRED),
        (None, "expired", QualificationError.REGISTRATION_EXPIRED),
    ],
)
def test_expired_licence_or_registration_refused(rep, maker, licence_to, registration_to, code):
    product = ProductFactory(manufacturer=maker, generic_name="二甲双胍片")
    yesterday = timezone.localdate() - timedelta(days=1)
    qualify(
        product,
        licence_to=yesterday if licence_to else None,
        registration_to=yesterday if registration_to else None,
    )
    before = counts()
    with refused(ValidationFailed, code) as err:
        svc.listing_application_create(by=rep, data=new(product), submit=True)
    assert err.value.field in ("licence", "registration") and "过期" in err.value.message
    assert counts() == before


def test_missing_licence_refused(rep, maker):
    product = ProductFactory(manufacturer=maker, generic_name="格列美脲片")
    before = counts()
    with refused(ValidationFailed, QualificationError.LICENCE_MISSING) as err:
        svc.listing_application_create(by=rep, data=new(product), submit=True)
    assert err.value.field == "licence"
    assert counts() == before


def test_review_by_a_non_official_is_refused(rep, product):
    application = svc.listing_application_create(by=rep, data=new(product), submit=True)
    hospital_buyer = UserFactory(roles=["purchaser"])
    for user in (rep, hospital_buyer):
        with pytest.raises(PermissionDeniedError):
            svc.listing_application_approve(application=application, by=user)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and Listing.objects.count() == 0


def test_approving_twice_is_a_conflict(rep, official, product):
    application = svc.listing_application_create(by=rep, data=new(product), submit=True)
    svc.listing_application_approve(application=application, by=official)
    events = AuditEvent.objects.count()
    with refused(ConflictError, OrderError.APPLICATION_DECIDED):
        svc.listing_application_approve(application=application, by=official)
    assert Listing.objects.count() == 1 and AuditEvent.objects.count() == events


def test_returned_application_is_edited_and_resubmitted(rep, official, product, basis):
    application = svc.listing_application_create(by=rep, data=new(product, price="4.90"), submit=True)
    with refused(ValidationFailed, OrderError.NOTE_REQUIRED):
        svc.listing_application_return(application=application, by=official, note=" ")
    svc.listing_application_return(application=application, by=official, note="请补充江苏挂网价截图")
    application.refresh_from_db()
    assert application.status == S.RETURNED and application.review_note == "请补充江苏挂网价截图"
    svc.listing_application_update(application=application, by=rep, data=new(product, price="4.70"), submit=True)
    application.refresh_from_db()
    assert (application.status, application.pack_price) == (S.SUBMITTED, Decimal("4.70"))
    svc.listing_application_refuse(application=application, by=official, note="价格依据不足")
    application.refresh_from_db()
    assert application.status == S.REFUSED
    with refused(ConflictError, OrderError.APPLICATION_NOT_EDITABLE):
        svc.listing_application_update(application=application, by=rep, data=new(product))


def test_draft_is_kept_without_checks_then_submitted(rep, product):
    draft = svc.listing_application_create(by=rep, data=new(product, price=None, distributors=[], regions=[]))
    assert draft.status == S.DRAFT
    with refused(ValidationFailed, OrderError.PRICE_NOT_POSITIVE):
        svc.listing_application_submit(application=draft, by=rep)
    svc.listing_application_update(application=draft, by=rep, data=new(product))
    svc.listing_application_submit(application=draft, by=rep)
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED


def test_price_change_and_delist_applications(rep, official, product, basis):
    listing = ListingFactory(product=product, unit_price=Decimal("0.4800"), pack_price=Decimal("4.80"))
    with refused(ValidationFailed, OrderError.REASON_REQUIRED):
        svc.listing_application_create(
            by=rep, data=ApplicationInput(kind="price_change", listing=listing, pack_price="4.50"), submit=True
        )
    change = svc.listing_application_create(
        by=rep,
        data=ApplicationInput(kind="price_change", listing=listing, pack_price="4.50", reason="全国最低价联动下调"),
        submit=True,
    )
    svc.listing_application_approve(application=change, by=official)
    listing.refresh_from_db()
    assert (listing.unit_price, listing.pack_price) == (Decimal("0.4500"), Decimal("4.50"))
    assert listing.history.first().unit_price == Decimal("0.4500")
    delist = svc.listing_application_create(
        by=rep, data=ApplicationInput(kind="delist", listing=listing, reason="停产"), submit=True
    )
    svc.listing_application_approve(application=delist, by=official)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.WITHDRAWN


def test_price_change_for_another_makers_listing_is_refused(rep):
    listing = ListingFactory()
    with refused(ValidationFailed, OrderError.LISTING_REQUIRED):
        svc.listing_application_create(
            by=rep, data=ApplicationInput(kind="price_change", listing=listing, pack_price="1", reason="x"), submit=True
        )
    assert ListingApplication.objects.count() == 0


def test_bad_document_type_refused(rep, product):
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with refused(ValidationFailed, QualificationError.DOCUMENT_TYPE):
        svc.listing_application_create(by=rep, data=new(product, documents=[exe]), submit=True)
    assert ListingApplication.objects.count() == 0
