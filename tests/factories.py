"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import random

import factory

from accounts.models import Organization, Region, Role, User
from accounts.uscc import make_uscc

_uscc_rng = random.Random(7)


def ensure_reference_data() -> None:
    """Regions and roles come from a data migration; a transactional test's flush removes them, so load
    them again (idempotently) when they are missing."""
    if Region.objects.exists() and Role.objects.exists():
        return
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("accounts.migrations.0002_load_regions_and_roles")
    migration.load(django_apps, None)


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
