"""REST endpoints of payment standards, mounted under /api/v1/ by config/urls.py: hospitals and officials read the
standards; officials enter one by hand, derive a tender's year, review a year's drafts against what is in force and
publish them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import HasCapability
from catalog.identity import ProductIdentityField
from catalog.models import Product
from common import serializers
from common.numbers import parse_int
from procurement.models import Tender

from . import selectors, services
from .models import PaymentStandard


class PaymentStandardSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.nhsa_code", read_only=True)
    generic_name = serializers.CharField(source="product.generic_name", read_only=True)
    product_identity = ProductIdentityField(source="product")
    specification = serializers.CharField(source="product.specification", read_only=True)
    min_unit = serializers.CharField(source="product.min_unit", read_only=True)

    class Meta:
        model = PaymentStandard
        fields = [
            "id",
            "product",
            "product_code",
            "generic_name",
            "product_identity",
            "specification",
            "min_unit",
            "year",
            "standard",
            "source",
            "basis",
            "status",
            "award",
            "lot",
            "selected_price",
            "original_standard",
            "note",
            "published_at",
        ]


class ReviewRowSerializer(PaymentStandardSerializer):
    previous = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True, allow_null=True)
    previous_year = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta(PaymentStandardSerializer.Meta):
        fields = [*PaymentStandardSerializer.Meta.fields, "previous", "previous_year"]


class StandardInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    year = serializers.CharField(help_text="年度，如 2026")
    standard = serializers.CharField(help_text="每最小制剂单位，大于零，最多 4 位小数")
    source = serializers.CharField(allow_blank=True, help_text="manual（手工录入）或 import（导入）")
    note = serializers.CharField(allow_blank=True, required=False, default="")


class YearSerializer(serializers.Serializer):
    year = serializers.CharField(help_text="年度，如 2026")


class DeriveSerializer(serializers.Serializer):
    tender = serializers.PrimaryKeyRelatedField(queryset=Tender.objects.all())
    year = serializers.CharField(required=False, help_text="默认为采购周期开始的年度")


class DeriveResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()


class PublicationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField()
    published_at = serializers.DateTimeField()


def _validated(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


_YEAR = OpenApiParameter("year", int, required=False, description="年度（默认今年）")


def _year_param(request) -> int | None:
    value = request.query_params.get("year")
    return None if value in (None, "") else parse_int(value, field="year", min_value=2000, max_value=2100)


class PaymentStandardViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = PaymentStandardSerializer
    queryset = PaymentStandard.objects.none()
    filterset_fields = ["year", "status", "product", "source"]

    def get_permissions(self):
        if self.action in ("create", "review", "publish", "derive"):
            return [HasCapability("payment_standard.manage")()]
        return [HasCapability("payment_standard.view")()]

    def get_queryset(self):
        return PaymentStandard.objects.select_related("product__manufacturer").order_by("-year", "product_id", "pk")

    @extend_schema(request=StandardInputSerializer, responses={201: PaymentStandardSerializer})
    def create(self, request):
        data = _validated(StandardInputSerializer, request)
        row = services.payment_standard_set(by=request.user, **data)
        return Response(PaymentStandardSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[_YEAR], responses=ReviewRowSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def review(self, request):
        """The year's drafts, each with the standard it replaces (the year's published one, or the last year's)."""
        year = _year_param(request)
        if year is None:
            year = max((r["year"] for r in selectors.years() if r["draft"]), default=0)
        return Response(ReviewRowSerializer(selectors.review(year), many=True).data)

    @extend_schema(request=YearSerializer, responses=PublicationSerializer)
    @action(detail=False, methods=["post"])
    def publish(self, request):
        data = _validated(YearSerializer, request)
        publication = services.payment_standards_publish(year=data["year"], by=request.user)
        return Response(PublicationSerializer(publication).data)

    @extend_schema(request=DeriveSerializer, responses=DeriveResultSerializer)
    @action(detail=False, methods=["post"])
    def derive(self, request):
        data = _validated(DeriveSerializer, request)
        rows = services.payment_standards_derive(tender=data["tender"], year=data.get("year"), by=request.user)
        return Response({"rows": rows})


routes: list[tuple] = [("payment-standards", PaymentStandardViewSet, "payment-standard")]
urlpatterns: list = []
