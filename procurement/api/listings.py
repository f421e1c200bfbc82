"""REST endpoints of listings (挂网) and distribution authorisations (配送授权): everyone reads the listings they may
order (officials all of them, `?all=1`) and the authorisations of their organisation; officials suspend, reinstate,
withdraw and reprice listings, manufacturers authorise distributors and revoke authorisations."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organization, Region
from accounts.permissions import HasCapability, can
from catalog.identity import ProductIdentityField
from catalog.models import Product
from common import serializers

from ..models import (
    DistributionAuthorization,
    Listing,
)
from ..selectors import orders as order_selectors
from ..services import authorizations as auth_svc
from ..services import listings as listing_svc
from .order_inputs import ReasonSerializer, validated


class ListingSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.nhsa_code", read_only=True)
    generic_name = serializers.CharField(source="product.generic_name", read_only=True)
    trade_name = serializers.CharField(source="product.trade_name", read_only=True)
    specification = serializers.CharField(source="product.specification", read_only=True)
    pack_size = serializers.IntegerField(source="product.pack_size", read_only=True)
    min_unit = serializers.CharField(source="product.min_unit", read_only=True)
    pack_unit = serializers.CharField(source="product.pack_unit", read_only=True)
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)
    product_identity = ProductIdentityField()

    class Meta:
        model = Listing
        fields = [
            "id",
            "product",
            "product_code",
            "generic_name",
            "trade_name",
            "specification",
            "pack_size",
            "min_unit",
            "pack_unit",
            "product_identity",
            "manufacturer",
            "manufacturer_name",
            "unit_price",
            "pack_price",
            "valid_from",
            "valid_to",
            "source",
            "award",
            "status",
            "status_reason",
        ]


class PriceChangeSerializer(serializers.Serializer):
    unit_price = serializers.CharField(help_text="每最小制剂单位，最多 4 位小数")
    reason = serializers.CharField(allow_blank=True)


class AuthorizationSerializer(serializers.ModelSerializer):
    regions = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Region.objects.all())
    distributor_name = serializers.CharField(source="distributor.name", read_only=True)
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)

    class Meta:
        model = DistributionAuthorization
        fields = [
            "id",
            "manufacturer",
            "manufacturer_name",
            "distributor",
            "distributor_name",
            "product",
            "regions",
            "valid_from",
            "valid_to",
            "is_active",
            "revoke_reason",
        ]
        read_only_fields = ["manufacturer", "is_active", "revoke_reason"]


class ListingViewSet(viewsets.ReadOnlyModelViewSet):
    """Listings orderable today, searched like the catalog (`?q=` code, name, pinyin initials, maker). Officials
    may pass `?all=1` for every status; they suspend, reinstate, withdraw and change prices."""

    serializer_class = ListingSerializer
    filterset_fields = ["source", "manufacturer", "product"]
    queryset = Listing.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Listing.objects.none()
        params = self.request.query_params
        every = params.get("all") in ("1", "true") and can(self.request.user, "listing.manage")
        return order_selectors.listings_visible_to(self.request.user, q=params.get("q", ""), orderable_only=not every)

    def get_permissions(self):
        if self.action in ("suspend", "reinstate", "withdraw", "change_price"):
            return [HasCapability("listing.manage")()]
        return super().get_permissions()

    def _listing(self, pk) -> Listing:
        listing = Listing.objects.filter(pk=pk).first()
        if listing is None:
            raise Http404
        return listing

    @extend_schema(request=ReasonSerializer, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        data = validated(ReasonSerializer, request)
        return Response(
            ListingSerializer(
                listing_svc.listing_suspend(listing=self._listing(pk), by=request.user, reason=data["reason"])
            ).data
        )

    @extend_schema(request=ReasonSerializer, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        data = validated(ReasonSerializer, request)
        return Response(
            ListingSerializer(
                listing_svc.listing_reinstate(listing=self._listing(pk), by=request.user, reason=data["reason"])
            ).data
        )

    @extend_schema(request=ReasonSerializer, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = validated(ReasonSerializer, request)
        return Response(
            ListingSerializer(
                listing_svc.listing_withdraw(listing=self._listing(pk), by=request.user, reason=data["reason"])
            ).data
        )

    @extend_schema(request=PriceChangeSerializer, responses=ListingSerializer)
    @action(detail=True, methods=["post"], url_path="change-price")
    def change_price(self, request, pk=None):
        data = validated(PriceChangeSerializer, request)
        listing = listing_svc.listing_change_price(
            listing=self._listing(pk), unit_price=data["unit_price"], by=request.user, reason=data["reason"]
        )
        return Response(ListingSerializer(listing).data)


class AuthorizationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """配送授权: a manufacturer's own (given), a distributor's (received), those covering a hospital's region."""

    serializer_class = AuthorizationSerializer
    filterset_fields = ["product", "distributor", "manufacturer", "is_active"]
    queryset = DistributionAuthorization.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DistributionAuthorization.objects.none()
        return order_selectors.authorizations_visible_to(self.request.user).order_by("pk")

    def get_permissions(self):
        if self.action in ("create", "revoke"):
            return [HasCapability("authorization.manage")()]
        return super().get_permissions()

    def create(self, request):
        data = validated(AuthorizationSerializer, request)
        auth = auth_svc.authorization_grant(
            by=request.user,
            product=data["product"],
            distributor=data["distributor"],
            regions=data["regions"],
            valid_from=data["valid_from"],
            valid_to=data.get("valid_to"),
        )
        return Response(AuthorizationSerializer(auth).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=AuthorizationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        data = validated(ReasonSerializer, request)
        auth = auth_svc.authorization_revoke(authorization=self.get_object(), by=request.user, reason=data["reason"])
        return Response(AuthorizationSerializer(auth).data)


AuthorizationSerializer.Meta.extra_kwargs = {
    "product": {"queryset": Product.objects.all()},
    "distributor": {"queryset": Organization.objects.filter(kind="distributor")},
}


routes = [
    ("listings", ListingViewSet, "listing"),
    ("distribution-authorizations", AuthorizationViewSet, "distribution-authorization"),
]
