import pytest
from django.utils import translation

from accounts import services
from accounts.errors import AccountsError
from accounts.models import Organization, User
from common.errors import PermissionDeniedError, ValidationFailed
from tests.factories import league
from tests.utils import api_as


@pytest.mark.django_db
def test_create_hospital_with_valid_fields():
    org = services.organization_create(
        kind="hospital",
        name="测试新建医院",
        uscc="12100000400000624D",
        region=league("150200"),
        hospital_level="2",
        hospital_type="mongolian",
        ownership="public",
    )
    assert org.pk and org.get_hospital_type_display() == "蒙医医院"


@pytest.mark.django_db
def test_wrong_uscc_is_rejected_naming_the_field_and_nothing_is_written():
    before = Organization.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.organization_create(
            kind="distributor", name="坏代码配送有限公司", uscc="91350100M000100Y44", region=league()
        )
    assert (exc.value.code, exc.value.field) == (AccountsError.INVALID_USCC, "uscc")
    assert "校验位错误" in exc.value.message
    assert Organization.objects.count() == before


@pytest.mark.django_db
def test_hospital_without_level_is_rejected():
    with pytest.raises(ValidationFailed) as exc:
        services.organization_create(kind="hospital", name="缺等级医院", uscc="12100000400000624D", region=league())
    assert (exc.value.code, exc.value.field) == (AccountsError.HOSPITAL_DETAILS_REQUIRED, "hospital_level")
    assert not Organization.objects.filter(name="缺等级医院").exists()


@pytest.mark.django_db
def test_duplicate_uscc_is_rejected(hospital):
    with pytest.raises(ValidationFailed) as exc:
        services.organization_create(kind="distributor", name="重复代码公司", uscc=hospital.uscc, region=league())
    assert (exc.value.code, exc.value.field) == ("unique", "uscc")  # Django's own code for a unique field


@pytest.mark.django_db
def test_user_without_organization_is_rejected():
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(username="orphan", organization=None, roles=["purchaser"])
    assert (exc.value.code, exc.value.field) == (AccountsError.ORGANIZATION_REQUIRED, "organization")
    assert "必须属于一个机构" in exc.value.message
    assert not User.objects.filter(username="orphan").exists()


@pytest.mark.django_db
def test_role_must_fit_the_organization_kind(hospital):
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(username="wrongrole", organization=hospital, roles=["manufacturer_rep"])
    assert (exc.value.code, exc.value.field) == (AccountsError.ROLE_NOT_FOR_ORGANIZATION, "roles")
    assert not User.objects.filter(username="wrongrole").exists()


@pytest.mark.django_db
def test_unknown_role_is_rejected(hospital):
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(username="x", organization=hospital, roles=["superhero"])
    assert (exc.value.code, exc.value.field) == (AccountsError.UNKNOWN_ROLE, "roles")


@pytest.mark.django_db
def test_a_refusal_reads_in_chinese_and_in_english(hospital):
    """The code is the same in every language; the message is translated."""
    with pytest.raises(ValidationFailed) as chinese:
        services.user_create(username="x", organization=hospital, roles=["superhero"])
    with translation.override("en"), pytest.raises(ValidationFailed) as english:
        services.user_create(username="x", organization=hospital, roles=["superhero"])
    assert chinese.value.code == english.value.code == "unknown_role"
    assert chinese.value.message == "未知的角色：superhero"
    assert "superhero" in english.value.message and "未知" not in english.value.message


@pytest.mark.django_db
def test_hospital_admin_creates_users_only_in_own_organization(hospital, other_hospital):
    from tests.factories import UserFactory

    admin = UserFactory(organization=hospital, roles=["hospital_admin"])
    user = services.user_create(username="newbuyer", organization=hospital, roles=["purchaser"], by=admin)
    assert user.role_codes == {"purchaser"}
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(username="intruder", organization=other_hospital, roles=["purchaser"], by=admin)
    assert exc.value.code == AccountsError.OTHER_ORGANIZATION
    assert not User.objects.filter(username="intruder").exists()


@pytest.mark.django_db
def test_purchaser_cannot_create_users(purchaser, hospital):
    with pytest.raises(PermissionDeniedError) as exc:
        services.user_create(username="nope", organization=hospital, roles=["purchaser"], by=purchaser)
    assert exc.value.code == "permission_denied"


@pytest.mark.django_db
def test_api_unknown_region_code_names_the_field(platform_admin):
    response = api_as(platform_admin).post(
        "/api/v1/organizations/",
        {"kind": "distributor", "name": "未知地区配送", "uscc": "12100000400000624D", "region_code": "150199"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("unknown_region", "region_code")
    assert "未知的行政区划代码" in body["detail"]
    assert not Organization.objects.filter(name="未知地区配送").exists()


@pytest.mark.django_db
def test_api_wrong_uscc_names_the_field(platform_admin):
    response = api_as(platform_admin).post(
        "/api/v1/organizations/",
        {"kind": "distributor", "name": "坏代码", "uscc": "91350100M000100Y4", "region_code": "150100"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "uscc"
    assert not Organization.objects.filter(name="坏代码").exists()


@pytest.mark.django_db
def test_api_create_by_platform_admin_and_denied_to_others(platform_admin, purchaser):
    payload = {"kind": "distributor", "name": "新配送公司", "uscc": "12100000400000624D", "region_code": "150100"}
    assert api_as(purchaser).post("/api/v1/organizations/", payload, format="json").status_code == 403
    response = api_as(platform_admin).post("/api/v1/organizations/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["region_name"] == "呼和浩特市"
