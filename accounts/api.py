"""REST endpoints for regions, organisations, users and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from common import serializers

from . import selectors, services
from .models import Organization, Region, User
from .permissions import HasCapability, portals_for
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
            "id", "kind", "name", "short_name", "name_mn", "uscc", "region_code", "region_name",
            "hospital_level", "hospital_type", "ownership", "is_active", "contact_person", "contact_phone",
            "address",
        ]


class OrganizationWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Organization.Kind.choices)
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=50, required=False, default="")
    uscc = serializers.CharField(max_length=30)
    region_code = serializers.CharField(max_length=6)
    hospital_level = serializers.ChoiceField(choices=Organization.HospitalLevel.choices, required=False, default="")
    hospital_type = serializers.ChoiceField(choices=Organization.HospitalType.choices, required=False, default="")
    ownership = serializers.ChoiceField(choices=Organization.Ownership.choices, required=False, default="")
    is_active = serializers.BooleanField(required=False, default=True)

    def validate_region_code(self, value: str) -> Region:
        region = selectors.region_by_code(value)
        if region is None:
            raise serializers.ValidationError(_("未知的行政区划代码“%(value)s”") % {"value": value})
        return region


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
        if self.action == "create":
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


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UserSerializer
    filterset_fields = ["organization"]

    def get_queryset(self):
        return selectors.users_visible_to(self.request.user).order_by("id")

    @action(detail=False, methods=["get"])
    def me(self, request):
        return Response(UserSerializer(request.user).data)


class TokenView(ObtainAuthToken):
    """Exchange username and password for an API token (header `Authorization: Token …`).

    Throttled like the login page: too many failures for one username from one address lock it out (429).
    """

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # DRF's view names its own lenient JSON parser

    def post(self, request, *args, **kwargs):
        serializer = self.serializer_class(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        # django-axes marks the request it was given (DRF's, here) when the pair is or just became locked out.
        if getattr(request, "axes_locked_out", False):
            return Response({"detail": lockout_message(), "code": "locked_out"}, status=settings.AXES_HTTP_RESPONSE_CODE)
        if not valid:
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        # A token exchange is a sign-in: last_login is updated and the failure count reset, as on the page.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


routes = [
    ("regions", RegionViewSet, "region"),
    ("organizations", OrganizationViewSet, "organization"),
    ("users", UserViewSet, "user"),
]
urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token")]
