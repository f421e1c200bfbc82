"""Every refusal of the API has one body, `{code, detail, field}` (common.api.exception_handler, docs/api-errors.md):
domain errors, serializer errors (with every problem under `errors`, each naming its field as a dotted path), DRF's
own refusals (401, 403, 404, 405, 415), the body limit (413), the rate limit (429 with Retry-After) and values the
database cannot hold (400 out_of_range). The OpenAPI schema declares this body for the error responses."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from accounts.errors import AccountsError
from accounts.models import Organization
from common import serializers
from common.api import exception_handler
from common.errors import CommonError, ConflictError, DomainError, ValidationFailed
from tests.factories import HospitalFactory, OrganizationFactory
from tests.utils import api_as

KEYS = {"code", "detail", "field"}


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """The response is `status` with the platform's error body naming `code` and `field`."""
    assert response.status_code == status, getattr(response, "content", response)
    body = response.json() if hasattr(response, "json") else response.data
    assert set(body) >= KEYS, body
    assert set(body) <= KEYS | {"errors"}, body
    assert (body["code"], body["field"]) == (code, field), body
    assert isinstance(body["detail"], str) and body["detail"], body
    return body


# --- serializer errors, through a view rendered by the configured exception handler --------------------------------


class LineSerializer(serializers.Serializer):
    listing = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1)


class AddressSerializer(serializers.Serializer):
    city = serializers.CharField(max_length=20)
    street = serializers.CharField(max_length=50, required=False)

    def validate(self, attrs):
        if attrs["city"] == "无处":
            raise serializers.ValidationError("地址不存在", code="no_such_address")
        return attrs


class OrderSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=10, required=False)
    address = AddressSerializer(required=False)
    lines = LineSerializer(many=True, required=False)
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)

    def validate(self, attrs):
        if attrs.get("note") == "整单":
            raise serializers.ValidationError("整单无效", code="whole_order_invalid")
        return attrs


class OrderView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        data = OrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"ok": True})


class ManyView(OrderView):
    def post(self, request):
        data = LineSerializer(data=request.data, many=True)
        data.is_valid(raise_exception=True)
        return Response({"ok": True})


def post(view, data):
    response = view.as_view()(APIRequestFactory().post("/x/", data, format="json"))
    response.render()
    return response


def test_a_valid_body_passes():
    assert post(OrderView, {"note": "好", "lines": [{"listing": 1, "quantity": 2}]}).status_code == 200


def test_one_bad_field_is_named_with_its_own_code():
    body = assert_error(post(OrderView, {"note": "一二三四五六七八九十一"}), 400, "max_length", "note")
    assert body["errors"] == [{"code": "max_length", "detail": body["detail"], "field": "note"}]


def test_several_bad_fields_answer_the_first_on_top_and_all_under_errors():
    response = post(OrderView, {"note": "一二三四五六七八九十一", "ids": "x", "lines": "y"})
    body = assert_error(response, 400, "max_length", "note")
    assert [(e["code"], e["field"]) for e in body["errors"]] == [
        ("max_length", "note"),
        ("not_a_list", "lines"),
        ("not_a_list", "ids"),
    ]
    assert all(set(e) == KEYS for e in body["errors"])


def test_a_nested_serializer_names_the_dotted_path():
    body = assert_error(post(OrderView, {"address": {"street": "\x00"}}), 400, "required", "address.city")
    assert [(e["code"], e["field"]) for e in body["errors"]] == [
        ("required", "address.city"),
        ("invalid_character", "address.street"),
    ]


def test_a_list_of_objects_names_the_index_in_the_path():
    lines = [{"listing": 1, "quantity": 2}, {"listing": 1, "quantity": 0}, {"listing": "²", "quantity": 3}]
    body = assert_error(post(OrderView, {"lines": lines}), 400, "out_of_range", "lines.1.quantity")
    assert [(e["code"], e["field"]) for e in body["errors"]] == [
        ("out_of_range", "lines.1.quantity"),
        ("invalid_number", "lines.2.listing"),
    ]


def test_a_list_of_numbers_names_the_index_of_the_bad_one():
    assert_error(post(OrderView, {"ids": [1, 2, "三"]}), 400, "invalid_number", "ids.2")


def test_a_body_that_is_a_list_names_the_index_first():
    body = assert_error(post(ManyView, [{"listing": 1, "quantity": 1}, {"quantity": 1}]), 400, "required", "1.listing")
    assert len(body["errors"]) == 1


def test_an_error_of_the_whole_request_names_no_field():
    body = assert_error(post(OrderView, {"note": "整单"}), 400, "whole_order_invalid", None)
    assert body["detail"] == "整单无效"


def test_an_error_of_a_nested_object_as_a_whole_names_the_object():
    assert_error(post(OrderView, {"address": {"city": "无处"}}), 400, "no_such_address", "address")


def test_a_body_that_is_not_an_object_is_refused_without_a_field():
    assert_error(post(OrderView, ["not", "an", "object"]), 400, "invalid", None)


# --- domain errors ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error, status",
    [
        (ValidationFailed("数量应为正整数", field="lines.0.quantity", code=CommonError.INVALID_NUMBER), 400),
        (ConflictError("已被他人修改", code=CommonError.STALE_VERSION, field="If-Match"), 409),
        (DomainError("无效"), 400),
    ],
)
def test_a_domain_error_answers_its_code_field_and_status(error, status):
    response = exception_handler(error, {})
    assert response.status_code == status
    assert response.data == {"code": str(error.code), "detail": error.message, "field": error.field}


@pytest.mark.django_db
def test_a_service_refusal_reaches_the_client_with_its_code(platform_admin):
    distributor = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR, is_active=False)
    response = api_as(platform_admin).post(
        f"/api/v1/organizations/{distributor.pk}/deactivate/", {"reason": "重复停用"}, format="json"
    )
    body = assert_error(response, 409, AccountsError.ALREADY_INACTIVE, "is_active")
    assert distributor.name in body["detail"]


@pytest.mark.django_db
def test_the_detail_is_in_the_requests_language_and_the_code_is_not(platform_admin):
    distributor = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR, is_active=False)
    url = f"/api/v1/organizations/{distributor.pk}/deactivate/"
    client = api_as(platform_admin)
    chinese = client.post(url, {"reason": "重复停用"}, format="json").json()
    english = client.post(url, {"reason": "again"}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert chinese["code"] == english["code"] == "already_inactive"
    assert "已是“已停用”状态" in chinese["detail"]
    assert "is already" in english["detail"] and "已" not in english["detail"]


# --- DRF's own refusals ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_credentials_is_401_not_authenticated():
    response = APIClient().get("/api/v1/products/")
    assert_error(response, 401, "not_authenticated")
    assert response.has_header("WWW-Authenticate")


@pytest.mark.django_db
def test_an_unknown_token_is_401_authentication_failed():
    response = APIClient().get("/api/v1/products/", HTTP_AUTHORIZATION="Token " + "f" * 64)
    assert_error(response, 401, "authentication_failed")


@pytest.mark.django_db
def test_a_missing_capability_is_403_permission_denied(purchaser):
    response = api_as(purchaser).post("/api/v1/organizations/", {"kind": "distributor"}, format="json")
    assert_error(response, 403, "permission_denied")


@pytest.mark.django_db
def test_a_deactivated_organisations_user_is_403_with_the_reason(purchaser):
    Organization.objects.filter(pk=purchaser.organization_id).update(is_active=False)
    purchaser.organization.refresh_from_db()
    body = assert_error(api_as(purchaser).get("/api/v1/products/"), 403, AccountsError.ORGANIZATION_INACTIVE)
    assert purchaser.organization.name in body["detail"]


@pytest.mark.django_db
def test_a_deactivated_organisations_session_is_ended_with_the_error_body(purchaser):
    client = APIClient()
    client.force_login(purchaser)
    Organization.objects.filter(pk=purchaser.organization_id).update(is_active=False)
    assert_error(client.get("/api/v1/products/"), 403, AccountsError.ORGANIZATION_INACTIVE)


@pytest.mark.django_db
def test_another_organisations_object_is_404_not_found(purchaser):
    other = HospitalFactory()
    assert_error(api_as(purchaser).get(f"/api/v1/organizations/{other.pk}/"), 404, "not_found")


@pytest.mark.django_db
def test_a_method_the_endpoint_does_not_take_is_405(purchaser):
    assert_error(api_as(purchaser).delete("/api/v1/users/me/"), 405, "method_not_allowed")


@pytest.mark.django_db
def test_a_media_type_the_endpoint_does_not_take_is_415(platform_admin):
    response = api_as(platform_admin).post("/api/v1/organizations/", "kind=x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.django_db
def test_a_body_over_the_limit_is_413_body_too_large(platform_admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_as(platform_admin).post("/api/v1/organizations/", {"name": "x" * 2000}, format="json")
    body = assert_error(response, 413, "body_too_large")
    assert "1000" in body["detail"]


@pytest.mark.django_db
def test_an_upload_over_the_limit_is_413_file_too_large_naming_the_file(platform_admin, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10
    response = api_as(platform_admin).generic(
        "POST",
        "/api/v1/organizations/",
        b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(3 * 1024 * 1024),
    )
    assert_error(response, 413, "file_too_large", "file")


@pytest.fixture
def own_cache(settings):
    """Throttles count in a cache of this test's own (never the configured one, which Celery may share)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "errors"}}
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_over_the_rate_is_429_throttled_with_retry_after(purchaser, settings, own_cache):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "user": "1/minute", "sign_in": "1000/minute"},
    }
    client = api_as(purchaser)
    assert client.get("/api/v1/users/me/").status_code == 200
    response = client.get("/api/v1/users/me/")
    body = assert_error(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60 and response["Retry-After"] in body["detail"]


@pytest.mark.django_db
def test_too_many_failed_sign_ins_is_429_locked_out_with_retry_after(purchaser, settings, own_cache):
    settings.AXES_FAILURE_LIMIT = 2
    client = APIClient(REMOTE_ADDR="10.9.8.7")
    for _ in range(2):
        client.post("/api/v1/auth/token/", {"username": purchaser.username, "password": "wrong"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": purchaser.username, "password": "wrong"}, format="json")
    assert_error(response, settings.AXES_HTTP_RESPONSE_CODE, AccountsError.LOCKED_OUT)
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_a_wrong_password_is_400_invalid_credentials(purchaser, own_cache):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": purchaser.username, "password": "wrong"}, format="json"
    )
    assert_error(response, 400, AccountsError.INVALID_CREDENTIALS)


# --- values the database cannot hold -------------------------------------------------------------------------------


@pytest.mark.parametrize("error", [DataError("integer out of range"), OverflowError("Python int too large")])
@pytest.mark.parametrize(
    "language, message", [("zh-hans", "参数超出允许范围"), ("en", "A parameter is out of the allowed range")]
)
def test_a_value_beyond_the_database_range_is_a_400_in_the_callers_language(error, language, message):
    with translation.override(language):
        response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {"code": "out_of_range", "detail": message, "field": None}


@pytest.mark.django_db
def test_an_id_beyond_a_bigint_is_refused_naming_the_parameter(purchaser):
    """The number parser (common.numbers) checks an id against its column before any query."""
    response = api_as(purchaser).get("/api/v1/products/?manufacturer_id=" + "9" * 25)
    assert_error(response, 400, "out_of_range", "manufacturer_id")


@pytest.mark.parametrize(
    "error, status, code",
    [
        (Http404("No Organization matches the given query."), 404, "not_found"),
        (PermissionDenied(), 403, "permission_denied"),
    ],
)
def test_djangos_own_refusals_answer_in_the_error_body(error, status, code):
    """get_object_or_404 and Django's PermissionDenied, raised in a view: the body names no model."""
    response = exception_handler(error, {})
    assert response.status_code == status
    assert set(response.data) == KEYS and response.data["code"] == code
    assert "Organization" not in response.data["detail"]


def test_an_error_the_handler_does_not_know_is_left_to_django():
    assert exception_handler(KeyError("bug"), {}) is None


# --- the OpenAPI schema ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_has_the_error_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == KEYS
    assert set(error["properties"]) == KEYS | {"errors"}
    assert error["properties"]["field"]["nullable"] is True


def _error_ref(response) -> str | None:
    return response["content"]["application/json"]["schema"].get("$ref")


def test_every_operation_declares_the_error_body_for_its_error_responses(schema):
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = {status: r for status, r in responses.items() if status.startswith("4")}
            if "429" not in errors:
                missing.append(f"{method.upper()} {path}: {sorted(errors)}")
            missing += [
                f"{method.upper()} {path} {status}"
                for status, r in errors.items()
                if _error_ref(r) != "#/components/schemas/Error"
            ]
    assert not missing, missing


def test_the_error_responses_follow_what_the_operation_takes(schema):
    create = schema["paths"]["/api/v1/organizations/"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413", "429"} <= set(create) and "404" not in create
    detail = schema["paths"]["/api/v1/organizations/{id}/"]["get"]["responses"]
    assert {"401", "403", "404"} <= set(detail)
    sign_in = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "400" in sign_in and "401" not in sign_in  # anonymous: no credentials to refuse
    assert "Retry-After" in sign_in["429"]["headers"]
