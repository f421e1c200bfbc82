"""REST endpoints of qualifications (资质证照): a company lists and records its own (multipart, with the scanned
document); officials read everyone's and those expiring soon (`/qualifications/expiring/?days=60`)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.permissions import HasCapability
from catalog.identity import ProductIdentityField
from catalog.models import Product
from common import serializers
from common.numbers import parse_int
from common.parsers import JSONParser

from . import selectors, services
from .models import Qualification


class QualificationSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    product_name = serializers.CharField(source="product.generic_name", read_only=True, default="")
    product_identity = ProductIdentityField(source="product")

    class Meta:
        model = Qualification
        fields = [
            "id",
            "organization",
            "organization_name",
            "product",
            "product_name",
            "product_identity",
            "kind",
            "number",
            "scope",
            "issuer",
            "valid_from",
            "valid_to",
            "document",
            "created_at",
        ]
        read_only_fields = fields


class QualificationInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Qualification.Kind.choices)
    number = serializers.CharField(max_length=100)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    scope = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    issuer = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)
    document = serializers.FileField(required=False, allow_null=True)


class QualificationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """资质证照: the organisation's own; officials see every organisation's. Filter: `kind`, `organization`."""

    serializer_class = QualificationSerializer
    queryset = Qualification.objects.none()
    filterset_fields = ["kind", "organization", "product"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Qualification.objects.none()
        return selectors.qualifications_visible_to(self.request.user).order_by("valid_to", "pk")

    def get_permissions(self):
        if self.action == "create":
            return [HasCapability("qualification.manage")()]
        if self.action == "expiring":
            return [HasCapability("qualification.view_all")()]
        return super().get_permissions()

    @extend_schema(
        request={"multipart/form-data": QualificationInputSerializer, "application/json": QualificationInputSerializer},
        responses={201: QualificationSerializer},
    )
    def create(self, request):
        data = QualificationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.qualification_add(by=request.user, **data.validated_data)
        return Response(QualificationSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="到期天数以内（默认 60）")],
        responses=QualificationSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def expiring(self, request):
        """Qualifications of every organisation ending within `days` and not yet renewed (officials), soonest first,
        at most 500."""
        days = parse_int(request.query_params.get("days") or "60", field="days", label="days")
        days = max(0, min(days, 3650))
        rows = selectors.expiring(on=timezone.localdate(), within_days=days)[:500]
        return Response(QualificationSerializer(rows, many=True).data)


routes = [("qualifications", QualificationViewSet, "qualification")]
urlpatterns: list = []
