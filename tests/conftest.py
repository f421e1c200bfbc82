import os

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    AgencyFactory,
    DistributorFactory,
    HospitalFactory,
    ManufacturerFactory,
    UserFactory,
)


def require_service(name: str, available: bool) -> None:
    """Skip when a real service is absent — or fail, in CI, where REQUIRE_SERVICES=1 says it must be there."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required in this run (REQUIRE_SERVICES=1) but is not configured")
    pytest.skip(f"needs {name}")


@pytest.fixture
def requires_redis():
    require_service("Redis (REDIS_URL)", bool(os.environ.get("REDIS_URL")))


@pytest.fixture
def requires_postgres(settings):
    require_service("PostgreSQL (DATABASE_URL)", settings.DATABASES["default"]["ENGINE"].endswith("postgresql"))


@pytest.fixture
def hospital(db):
    return HospitalFactory(name="测试甲医院")


@pytest.fixture
def other_hospital(db):
    return HospitalFactory(name="测试乙医院")


@pytest.fixture
def manufacturer(db):
    return ManufacturerFactory(name="测试甲制药有限公司")


@pytest.fixture
def distributor(db):
    return DistributorFactory(name="测试甲配送有限公司")


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def purchaser(hospital):
    return UserFactory(username="purchaser", organization=hospital, roles=["purchaser"])


@pytest.fixture
def other_purchaser(other_hospital):
    return UserFactory(username="other_purchaser", organization=other_hospital, roles=["purchaser"])


@pytest.fixture
def manufacturer_rep(manufacturer):
    return UserFactory(username="mfr_rep", organization=manufacturer, roles=["manufacturer_rep"])


@pytest.fixture
def distributor_rep(distributor):
    return UserFactory(username="dist_rep", organization=distributor, roles=["distributor_rep"])


@pytest.fixture
def official(agency):
    return UserFactory(username="official", organization=agency, roles=["pricing_official"])


@pytest.fixture
def fund_officer(agency):
    return UserFactory(username="fund_officer", organization=agency, roles=["fund_officer"])


@pytest.fixture
def platform_admin(agency):
    return UserFactory(username="platform_admin", organization=agency, roles=["platform_admin"], is_staff=True)


@pytest.fixture
def api():
    return APIClient()
