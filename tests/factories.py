"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Organization, Region, Role, User
from accounts.uscc import make_uscc

_uscc_rng = random.Random(7)


def ensure_reference_data() -> None:
    """Regions and roles come from a data migration; a transactional test's flush removes them, so load
    them again (idempotently) when they are missing."""
    if Region.objects.exists() and Role.objects.filter(code="pharmacy_buyer").exists():
        return
    import importlib

    from django.apps import apps as django_apps

    loaded = importlib.import_module("accounts.migrations.0001_squashed_0004_pharmacy_kind_and_role")
    for load in (loaded.load_regions_and_roles, loaded.load_supervisor, loaded.load_pharmacy_buyer):
        load(django_apps, None)  # every function of the migration that loads regions and roles


def league(code: str = "150100") -> Region:
    """Regions are loaded by a data migration; tests look them up by their division code."""
    ensure_reference_data()
    return Region.objects.get(code=code)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    kind = Organization.Kind.MANUFACTURER
    name = factory.Sequence(lambda n: f"测试机构{n:04d}有限公司")
    region = factory.LazyFunction(lambda: league("150100"))
    uscc = factory.LazyAttribute(lambda o: make_uscc(_uscc_rng, division_code=o.region.code if o.region else "150100"))


class HospitalFactory(OrganizationFactory):
    kind = Organization.Kind.HOSPITAL
    name = factory.Sequence(lambda n: f"测试第{n:03d}医院")
    hospital_level = Organization.HospitalLevel.TERTIARY
    hospital_type = Organization.HospitalType.GENERAL
    ownership = Organization.Ownership.PUBLIC


class ManufacturerFactory(OrganizationFactory):
    kind = Organization.Kind.MANUFACTURER
    name = factory.Sequence(lambda n: f"测试制药{n:03d}有限公司")


class DistributorFactory(OrganizationFactory):
    kind = Organization.Kind.DISTRIBUTOR
    name = factory.Sequence(lambda n: f"测试配送{n:03d}有限公司")


class PharmacyFactory(OrganizationFactory):
    kind = Organization.Kind.PHARMACY
    name = factory.Sequence(lambda n: f"测试第{n:03d}大药房")


class AgencyFactory(OrganizationFactory):
    kind = Organization.Kind.AGENCY
    name = "测试医保局"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    organization = factory.SubFactory(HospitalFactory)
    password = factory.PostGenerationMethodCall("set_password", "pw-123456")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        ensure_reference_data()
        codes = extracted if extracted is not None else _default_roles(self.organization)
        self.roles.set(Role.objects.filter(code__in=codes))
        self.save()
        self.forget_roles()


def _default_roles(org: Organization | None) -> list[str]:
    return {
        "hospital": ["purchaser"],
        "manufacturer": ["manufacturer_rep"],
        "distributor": ["distributor_rep"],
        "agency": ["pricing_official"],
        "pharmacy": ["pharmacy_buyer"],
    }.get(org.kind if org else "", [])


class ProductFactory(factory.django.DjangoModelFactory):
    """A chemical drug with a valid 23-character national code (X + class + generic + form + numbers + company)."""

    class Meta:
        model = "catalog.Product"

    category = "chemical"
    nhsa_code = factory.Sequence(lambda n: f"XA01ABD075A0020101{n:05d}")
    generic_name = "地喹氯铵含片"
    name_pinyin = "dikuilvanhanpian"
    name_initials = "dklahp"
    dosage_form = "片剂"
    specification = "0.25mg"
    pack_size = 12
    min_unit = "片"
    pack_unit = "盒"
    approval_number = "国药准字H20067255"
    manufacturer = factory.SubFactory(ManufacturerFactory)


# --- online ordering -------------------------------------------------------------------------------------------------
# These build rows directly (for tests of other apps that need orders, receipts and returns as data); tests of the
# ordering rules go through procurement.services.orders instead.


def _today():
    return timezone.localdate()


class ListingFactory(factory.django.DjangoModelFactory):
    """An active listing applied for by the manufacturer (use source/award for a tender-award listing)."""

    class Meta:
        model = "procurement.Listing"

    product = factory.SubFactory(ProductFactory)
    manufacturer = factory.LazyAttribute(lambda o: o.product.manufacturer)
    unit_price = factory.LazyFunction(lambda: Decimal("0.5000"))
    pack_price = factory.LazyAttribute(lambda o: (o.unit_price * o.product.pack_size).quantize(Decimal("0.01")))
    valid_from = factory.LazyFunction(lambda: _today().replace(month=1, day=1))
    valid_to = None
    source = "application"
    award = None


class DistributionAuthorizationFactory(factory.django.DjangoModelFactory):
    """Authorises a distributor for a product in the given regions (default: 呼和浩特, the factories' region)."""

    class Meta:
        model = "procurement.DistributionAuthorization"
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    manufacturer = factory.LazyAttribute(lambda o: o.product.manufacturer)
    distributor = factory.SubFactory(DistributorFactory)
    valid_from = factory.LazyFunction(lambda: _today().replace(month=1, day=1))
    valid_to = None
    is_active = True

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if not create:
            return
        self.regions.set(extracted if extracted is not None else [league("150100")])


class PurchaseOrderFactory(factory.django.DjangoModelFactory):
    """A draft order (add lines with PurchaseOrderLineFactory)."""

    class Meta:
        model = "procurement.PurchaseOrder"

    hospital = factory.SubFactory(HospitalFactory)
    distributor = factory.SubFactory(DistributorFactory)
    created_by = factory.SubFactory(UserFactory, organization=factory.SelfAttribute("..hospital"))
    number = factory.Sequence(lambda n: f"PO-T{n:08d}")


class PurchaseOrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procurement.PurchaseOrderLine"

    order = factory.SubFactory(PurchaseOrderFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    listing = factory.SubFactory(ListingFactory)
    product = factory.LazyAttribute(lambda o: o.listing.product)
    manufacturer = factory.LazyAttribute(lambda o: o.listing.manufacturer)
    award = factory.LazyAttribute(lambda o: o.listing.award)
    packs = 10
    pack_size = factory.LazyAttribute(lambda o: o.product.pack_size)
    min_units = factory.LazyAttribute(lambda o: o.packs * o.pack_size)
    unit_price = factory.LazyAttribute(lambda o: o.listing.unit_price)
    pack_price = factory.LazyAttribute(lambda o: o.listing.pack_price)
    amount = factory.LazyAttribute(lambda o: o.pack_price * o.packs)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procurement.Delivery"

    order = factory.SubFactory(PurchaseOrderFactory)
    distributor = factory.LazyAttribute(lambda o: o.order.distributor)
    hospital = factory.LazyAttribute(lambda o: o.order.hospital)
    number = factory.Sequence(lambda n: f"DL-T{n:08d}")
    invoice_number = factory.Sequence(lambda n: f"{n:08d}")
    shipped_at = factory.LazyFunction(timezone.now)
    shipped_by = factory.SubFactory(UserFactory, organization=factory.SelfAttribute("..distributor"))


class DeliveryLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procurement.DeliveryLine"

    order_line = factory.SubFactory(PurchaseOrderLineFactory)
    delivery = factory.SubFactory(DeliveryFactory, order=factory.SelfAttribute("..order_line.order"))
    packs = factory.LazyAttribute(lambda o: o.order_line.packs)
    min_units = factory.LazyAttribute(lambda o: o.packs * o.order_line.pack_size)
    batch_number = factory.Sequence(lambda n: f"B{n:06d}")
    expiry_date = factory.LazyFunction(lambda: _today().replace(year=_today().year + 2))


def supply_class_of(product) -> str:
    from procurement.models import SupplyClass

    if product.category != "consumable":
        return SupplyClass.DRUG
    return SupplyClass.HIGH_VALUE_CONSUMABLE if product.high_value else SupplyClass.OTHER_CONSUMABLE


class ReceiptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procurement.Receipt"

    delivery = factory.SubFactory(DeliveryFactory)
    order = factory.LazyAttribute(lambda o: o.delivery.order)
    hospital = factory.LazyAttribute(lambda o: o.delivery.hospital)
    distributor = factory.LazyAttribute(lambda o: o.delivery.distributor)
    received_at = factory.LazyFunction(timezone.now)
    received_by = factory.SubFactory(UserFactory, organization=factory.SelfAttribute("..hospital"))


class ReceiptLineFactory(factory.django.DjangoModelFactory):
    """A receipt line accepting the whole delivery line, with the denormalised columns filled from it."""

    class Meta:
        model = "procurement.ReceiptLine"

    delivery_line = factory.SubFactory(DeliveryLineFactory)
    receipt = factory.SubFactory(ReceiptFactory, delivery=factory.SelfAttribute("..delivery_line.delivery"))
    order_line = factory.LazyAttribute(lambda o: o.delivery_line.order_line)
    accepted_packs = factory.LazyAttribute(lambda o: o.delivery_line.packs)
    rejected_packs = 0
    hospital = factory.LazyAttribute(lambda o: o.receipt.hospital)
    distributor = factory.LazyAttribute(lambda o: o.receipt.distributor)
    product = factory.LazyAttribute(lambda o: o.order_line.product)
    manufacturer = factory.LazyAttribute(lambda o: o.order_line.manufacturer)
    listing = factory.LazyAttribute(lambda o: o.order_line.listing)
    award = factory.LazyAttribute(lambda o: o.order_line.award)
    supply_class = factory.LazyAttribute(lambda o: supply_class_of(o.order_line.product))
    received_on = factory.LazyAttribute(lambda o: timezone.localtime(o.receipt.received_at).date())
    accepted_min_units = factory.LazyAttribute(lambda o: o.accepted_packs * o.order_line.pack_size)
    unit_price = factory.LazyAttribute(lambda o: o.order_line.unit_price)
    amount = factory.LazyAttribute(lambda o: (o.unit_price * o.accepted_min_units).quantize(Decimal("0.01")))


class GoodsReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procurement.GoodsReturn"

    order = factory.SubFactory(PurchaseOrderFactory)
    hospital = factory.LazyAttribute(lambda o: o.order.hospital)
    distributor = factory.LazyAttribute(lambda o: o.order.distributor)
    number = factory.Sequence(lambda n: f"RT-T{n:08d}")
    reason = "质量问题"
    returned_at = factory.LazyFunction(timezone.now)
    returned_by = factory.SubFactory(UserFactory, organization=factory.SelfAttribute("..hospital"))


class GoodsReturnLineFactory(factory.django.DjangoModelFactory):
    """Returns part of a receipt line (default one pack), denormalised columns copied from it."""

    class Meta:
        model = "procurement.GoodsReturnLine"

    receipt_line = factory.SubFactory(ReceiptLineFactory)
    goods_return = factory.SubFactory(
        GoodsReturnFactory, order=factory.SelfAttribute("..receipt_line.order_line.order")
    )
    order_line = factory.LazyAttribute(lambda o: o.receipt_line.order_line)
    packs = 1
    reason = "质量问题"
    hospital = factory.LazyAttribute(lambda o: o.receipt_line.hospital)
    distributor = factory.LazyAttribute(lambda o: o.receipt_line.distributor)
    product = factory.LazyAttribute(lambda o: o.receipt_line.product)
    manufacturer = factory.LazyAttribute(lambda o: o.receipt_line.manufacturer)
    listing = factory.LazyAttribute(lambda o: o.receipt_line.listing)
    award = factory.LazyAttribute(lambda o: o.receipt_line.award)
    supply_class = factory.LazyAttribute(lambda o: o.receipt_line.supply_class)
    returned_on = factory.LazyAttribute(lambda o: timezone.localtime(o.goods_return.returned_at).date())
    min_units = factory.LazyAttribute(lambda o: o.packs * o.order_line.pack_size)
    unit_price = factory.LazyAttribute(lambda o: o.receipt_line.unit_price)
    amount = factory.LazyAttribute(lambda o: (o.unit_price * o.min_units).quantize(Decimal("0.01")))


class OffPlatformPurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procurement.OffPlatformPurchase"

    hospital = factory.SubFactory(HospitalFactory)
    product = factory.SubFactory(ProductFactory)
    supply_class = factory.LazyAttribute(lambda o: supply_class_of(o.product))
    month = factory.LazyFunction(lambda: _today().replace(day=1))
    quantity = 100
    amount = factory.LazyFunction(lambda: Decimal("50.00"))
    source = "医院HIS导出"


class QualificationFactory(factory.django.DjangoModelFactory):
    """A licence of an organisation, valid from about three years ago for two more years (pass product= and a registration kind for
    a product's certificate)."""

    class Meta:
        model = "qualifications.Qualification"

    organization = factory.SubFactory(ManufacturerFactory)
    product = None
    kind = "drug_manufacturing"
    number = factory.Sequence(lambda n: f"蒙20260{n:03d}")
    valid_from = factory.LazyFunction(lambda: _today() - timedelta(days=1000))
    valid_to = factory.LazyFunction(lambda: _today() + timedelta(days=730))


def qualify(product, *, licence_to=None, registration_to=None):
    """The maker's production licence and the product's registration, valid (or ending on the dates given)."""
    kinds = (
        ("drug_manufacturing", "drug_approval") if product.is_drug else ("device_manufacturing", "device_registration")
    )
    QualificationFactory(
        organization=product.manufacturer, kind=kinds[0], **({"valid_to": licence_to} if licence_to else {})
    )
    return QualificationFactory(
        organization=product.manufacturer,
        product=product,
        kind=kinds[1],
        **({"valid_to": registration_to} if registration_to else {}),
    )
