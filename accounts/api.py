"""REST endpoints for regions, organisations, users and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common import serializers
from common.api import error_body
from common.errors import PermissionDeniedError, ValidationFailed
from common.throttling import AnonRateThrottle, SignInRateThrottle

from . import selectors, services
from .backends import refused_for_inactive_organization
from .errors import AccountsError
from .models import ApiToken, Organization, Region, User
from .permissions import HasCapability, inactive_organization_message, portals_for
from .views import lockout_message


class RegionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "name_mn", "level", "parent_code"]


class OrganizationSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "name",
            "short_name",
            "name_mn",
            "uscc",
            "region_code",
            "region_name",
            "hospital_level",
            "hospital_type",
            "ownership",
            "is_active",
            "contact_person",
            "contact_phone",
            "address",
        ]


class OrganizationWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Organization.Kind.choices)
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    uscc = serializers.CharField(max_length=30)
    region_code = serializers.CharField(max_length=6)
    hospital_level = serializers.ChoiceField(
        choices=Organization.HospitalLevel.choices, required=False, allow_blank=True, default=""
    )
    hospital_type = serializers.ChoiceField(
        choices=Organization.HospitalType.choices, required=False, allow_blank=True, default=""
    )
    ownership = serializers.ChoiceField(
        choices=Organization.Ownership.choices, required=False, allow_blank=True, default=""
    )
    is_active = serializers.BooleanField(required=False, default=True)

    def validate_region_code(self, value: str) -> Region:
        region = selectors.region_by_code(value)
        if region is None:
            raise serializers.ValidationError(
                _("未知的行政区划代码“%(value)s”") % {"value": value}, code=AccountsError.UNKNOWN_REGION
            )
        return region


class OrganizationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="停用或恢复的原因（必填）")


class UserSerializer(serializers.ModelSerializer):
    organization = OrganizationSerializer(read_only=True)
    roles = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    portals = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "organization", "roles", "portals"]

    def get_portals(self, obj) -> list[str]:
        return portals_for(obj)


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer
    filterset_fields = ["level", "code"]
    lookup_field = "code"

    def get_queryset(self):
        return selectors.regions()


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = OrganizationSerializer
    filterset_fields = ["kind", "is_active", "hospital_level", "hospital_type"]
    search_fields = ["name", "uscc"]

    def get_queryset(self):
        return selectors.organizations_visible_to(self.request.user).order_by("id")

    def get_permissions(self):
        if self.action in ("create", "deactivate", "reactivate"):
            return [HasCapability("organization.manage")()]
        return super().get_permissions()

    @extend_schema(request=OrganizationWriteSerializer, responses={201: OrganizationSerializer})
    def create(self, request, *args, **kwargs):
        data = OrganizationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["region"] = fields.pop("region_code")
        org = services.organization_create(by=request.user, **fields)
        return Response(OrganizationSerializer(org).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OrganizationReasonSerializer, responses={200: OrganizationSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """停用机构: its users are signed out and refused at once; see docs/security.md."""
        org = self.get_object()
        data = OrganizationReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organization_deactivate(organization=org, by=request.user, reason=data.validated_data["reason"])
        return Response(OrganizationSerializer(org).data)

    @extend_schema(request=OrganizationReasonSerializer, responses={200: OrganizationSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        """恢复机构."""
        org = self.get_object()
        data = OrganizationReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organization_reactivate(organization=org, by=request.user, reason=data.validated_data["reason"])
        return Response(OrganizationSerializer(org).data)


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UserSerializer
    filterset_fields = ["organization"]

    def get_queryset(self):
        return selectors.users_visible_to(self.request.user).order_by("id")

    @action(detail=False, methods=["get"])
    def me(self, request):
        return Response(UserSerializer(request.user).data)


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)


class ApiTokenSerializer(serializers.ModelSerializer):
    prefix = serializers.SerializerMethodField(help_text="令牌的前 8 个字符，用于辨认")
    current = serializers.SerializerMethodField(help_text="是否为本次请求所用的令牌")

    class Meta:
        model = ApiToken
        fields = ["id", "kind", "name", "prefix", "created", "expiry", "current"]

    def get_prefix(self, obj) -> str:
        return obj.token_key[:8]

    def get_current(self, obj) -> bool:
        request = self.context.get("request")
        return isinstance(getattr(request, "auth", None), ApiToken) and request.auth.pk == obj.pk


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="令牌本身：只在此显示一次，平台只保存其摘要")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="对接的系统，例如“某医院 HIS”")
    expires_in_days = serializers.IntegerField(
        required=False,
        help_text="有效天数：默认 API_TOKEN_INTEGRATION_DEFAULT_DAYS，最多 API_TOKEN_INTEGRATION_MAX_DAYS",
    )


def new_token_response(request, api_token: ApiToken, token: str, status_code: int) -> Response:
    api_token.token = token
    return Response(NewApiTokenSerializer(api_token, context={"request": request}).data, status=status_code)


class TokenView(APIView):
    """Exchange username and password for a sign-in token (header `Authorization: Token …`), which expires after
    API_TOKEN_IDLE_DAYS unused.

    Throttled like the login page: too many failures for one username from one address, or from one address across
    usernames, lock it out (429); and at most the `sign_in` rate of attempts per address.
    """

    authentication_classes = []  # a sign-in: credentials sent along are not looked at
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, SignInRateThrottle]

    @extend_schema(request=SignInSerializer, responses={200: NewApiTokenSerializer}, auth=[])
    def post(self, request, *args, **kwargs):
        data = SignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request=request, **data.validated_data)
        # django-axes marks the request it was given (DRF's, here) when the pair is or just became locked out.
        if getattr(request, "axes_locked_out", False):
            seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
            return Response(
                error_body(AccountsError.LOCKED_OUT, lockout_message(request)),
                status=settings.AXES_HTTP_RESPONSE_CODE,
                headers={"Retry-After": str(seconds)},
            )
        if user is None:
            # The right password of a deactivated organisation's user gets the reason, not "wrong password".
            organization = refused_for_inactive_organization(
                data.validated_data["username"], data.validated_data["password"]
            )
            if organization is not None:
                return Response(
                    error_body(AccountsError.ORGANIZATION_INACTIVE, inactive_organization_message(organization)),
                    status=status.HTTP_403_FORBIDDEN,
                )
            raise ValidationFailed(_("用户名或密码不正确"), code=AccountsError.INVALID_CREDENTIALS)
        # A token exchange is a sign-in: last_login is updated and the failure count reset, as on the page.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        # Named after the client, to be recognised in the list; control characters are no part of a name.
        client = "".join(ch for ch in request.headers.get("User-Agent", "") if ch.isprintable())
        api_token, token = services.token_sign_in(user=user, name=client)
        return new_token_response(request, api_token, token, status.HTTP_200_OK)


class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The signed-in user's own API tokens: list them, make a named integration token, revoke one."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # the schema's model; requests read get_queryset
    filterset_fields = ["kind"]

    def get_queryset(self):
        return selectors.api_tokens_of(self.request.user)

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: NewApiTokenSerializer})
    def create(self, request, *args, **kwargs):
        # A token cannot outlive its limit by minting its successor: an integration token makes no tokens.
        if isinstance(request.auth, ApiToken) and request.auth.kind == ApiToken.Kind.INTEGRATION:
            raise PermissionDeniedError(
                _("接口令牌不能创建新令牌，请用账号密码登录后创建"), code=AccountsError.INTEGRATION_TOKEN
            )
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_token, token = services.token_create_integration(
            user=request.user, name=data.validated_data["name"], days=data.validated_data.get("expires_in_days")
        )
        return new_token_response(request, api_token, token, status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.token_revoke(token=instance)


routes = [
    ("regions", RegionViewSet, "region"),
    ("organizations", OrganizationViewSet, "organization"),
    ("users", UserViewSet, "user"),
    ("auth/tokens", ApiTokenViewSet, "api-token-item"),
]
urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token")]
