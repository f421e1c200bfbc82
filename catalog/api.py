"""REST endpoints of the catalog: search, detail, history, and changes by catalog managers."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import HasCapability
from common import serializers

from . import selectors, services
from .codes import Category
from .hooks import product_warnings
from .models import HighValueClass, InsuranceClass, InsuranceStatus, Product


class ProductListSerializer(serializers.ModelSerializer):
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "nhsa_code",
            "category",
            "category_label",
            "generic_name",
            "trade_name",
            "name_mn",
            "dosage_form",
            "specification",
            "pack_size",
            "min_unit",
            "pack_unit",
            "manufacturer",
            "manufacturer_name",
            "insurance_class",
            "high_value",
            "shortage",
            "negotiated",
            "consistency_evaluated",
            "is_active",
        ]


class ProductDetailSerializer(ProductListSerializer):
    preparing_hospital_name = serializers.CharField(
        source="preparing_hospital.name", read_only=True, allow_null=True, default=None
    )
    high_value_class_label = serializers.CharField(source="get_high_value_class_display", read_only=True)
    insurance_status_label = serializers.CharField(source="get_insurance_status_display", read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta(ProductListSerializer.Meta):
        fields = [f.name for f in Product._meta.concrete_fields if not f.generated] + [
            "category_label",
            "manufacturer_name",
            "preparing_hospital_name",
            "high_value_class_label",
            "insurance_status_label",
            "warnings",
        ]

    def get_warnings(self, obj) -> list[str]:
        """Read-only warnings other apps give for the product (catalog.hooks), e.g. its maker's credit record."""
        return product_warnings([obj.pk]).get(obj.pk, [])


class ProductWriteSerializer(serializers.Serializer):
    """Fields a catalog manager may set; every rule is checked by the catalog's services."""

    category = serializers.ChoiceField(choices=Category.choices)
    nhsa_code = serializers.CharField(max_length=40)
    generic_name = serializers.CharField(max_length=200)
    trade_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_mn = serializers.CharField(max_length=300, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    dosage_form = serializers.CharField(max_length=100, required=False, allow_blank=True)
    specification = serializers.CharField(max_length=300, required=False, allow_blank=True)
    packaging_material = serializers.CharField(max_length=200, required=False, allow_blank=True)
    pack_size = serializers.IntegerField()
    min_unit = serializers.CharField(max_length=20)
    pack_unit = serializers.CharField(max_length=20)
    manufacturer_id = serializers.IntegerField()
    preparing_hospital_id = serializers.IntegerField(required=False, allow_null=True)
    approval_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    standard_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    insurance_class = serializers.ChoiceField(choices=InsuranceClass.choices, required=False, allow_blank=True)
    insurance_status = serializers.ChoiceField(choices=InsuranceStatus.choices, required=False, allow_blank=True)
    negotiated = serializers.BooleanField(required=False)
    consistency_evaluated = serializers.BooleanField(required=False)
    shortage = serializers.BooleanField(required=False)
    mongolian_medicine = serializers.BooleanField(required=False)
    consumable_class = serializers.CharField(max_length=100, required=False, allow_blank=True)
    high_value = serializers.BooleanField(required=False)
    high_value_class = serializers.ChoiceField(choices=HighValueClass.choices, required=False, allow_blank=True)
    udi_di = serializers.CharField(max_length=60, required=False, allow_blank=True)


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField()
    type = serializers.CharField(help_text="+ 创建，~ 修改，- 删除")
    reason = serializers.CharField()
    changes = HistoryChangeSerializer(many=True)


SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="代码前缀、中文名、拼音首字母或全拼、蒙古文名、生产企业"),
    OpenApiParameter("category", OpenApiTypes.STR, enum=Category.values),
    OpenApiParameter("insurance_class", OpenApiTypes.STR, enum=["A", "B", "none"]),
    OpenApiParameter("high_value", OpenApiTypes.BOOL),
    OpenApiParameter("shortage", OpenApiTypes.BOOL),
    OpenApiParameter("manufacturer", OpenApiTypes.INT),
    OpenApiParameter("active", OpenApiTypes.BOOL),
]


class ProductViewSet(viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []  # the search selector does the filtering and ranking

    def get_queryset(self):
        if self.action == "list":
            params = selectors.search_params(self.request.query_params)
            return selectors.as_product_list(selectors.product_search(user=self.request.user, **params))
        return selectors.products_visible_to(self.request.user)

    def get_serializer_class(self):
        return ProductListSerializer if self.action == "list" else ProductDetailSerializer

    def get_permissions(self):
        if self.action in ("create", "partial_update", "deactivate", "activate"):
            return [HasCapability("catalog.manage")()]
        return super().get_permissions()

    @extend_schema(parameters=SEARCH_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = ProductWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.product_create(by=request.user, **data.validated_data)
        return Response(ProductDetailSerializer(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductWriteSerializer, responses={200: ProductDetailSerializer})
    def partial_update(self, request, *args, **kwargs):
        product = self.get_object()
        data = ProductWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        product = services.product_update(product=product, by=request.user, **data.validated_data)
        return Response(ProductDetailSerializer(product).data)

    @extend_schema(request=None, responses={200: ProductDetailSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        product = services.product_set_active(product=self.get_object(), active=False, by=request.user)
        return Response(ProductDetailSerializer(product).data)

    @extend_schema(request=None, responses={200: ProductDetailSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        product = services.product_set_active(product=self.get_object(), active=True, by=request.user)
        return Response(ProductDetailSerializer(product).data)

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole history, as a list (not paginated)
    def history(self, request, pk=None):
        try:
            product = self.get_object()
        except Product.DoesNotExist:
            raise Http404 from None
        return Response(HistoryEntrySerializer(selectors.product_history(product), many=True).data)


routes = [("products", ProductViewSet, "product")]
urlpatterns: list = []
