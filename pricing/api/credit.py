"""API of credit records (officials create and repair; a company sees its own) and quarterly ratings."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organization
from accounts.permissions import HasCapability, can, is_official
from catalog.models import Product
from common import serializers
from common.errors import ValidationFailed

from .. import selectors
from ..credit_schemes import level_name
from ..errors import PricingError
from ..models import (
    CreditRating,
    CreditRecord,
)
from ..services import credit as credit_svc
from .common import _valid


class CreditRecordSerializer(serializers.ModelSerializer):
    level_name = serializers.SerializerMethodField()

    class Meta:
        model = CreditRecord
        fields = [
            "id",
            "organization",
            "behaviour",
            "scheme",
            "level",
            "level_name",
            "amount",
            "evidence",
            "products",
            "alert",
            "start",
            "end",
            "status",
            "repaired_at",
            "repair_note",
            "suspended_listing_ids",
            "suspended_authorization_ids",
            "created_at",
        ]

    def get_level_name(self, obj) -> str:

        return level_name(obj.scheme, obj.level)


class CreditCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    behaviour = serializers.CharField()
    scheme = serializers.CharField(required=False, default="2020")
    level = serializers.CharField()
    amount = serializers.CharField(required=False, default="0")
    evidence = serializers.CharField(allow_blank=True)
    start = serializers.CharField()
    end = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    products = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    alert = serializers.IntegerField(required=False, allow_null=True)


class RepairSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


class CreditRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Credit records: officials see and keep all; a company sees its own."""

    serializer_class = CreditRecordSerializer
    filterset_fields = ["organization", "status", "level", "scheme"]
    queryset = CreditRecord.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CreditRecord.objects.none()
        return selectors.credit_records_visible_to(self.request.user).order_by("-start", "-pk")

    def get_permissions(self):
        if self.action in ("create", "repair"):
            return [HasCapability("pricing.credit_manage")()]
        return super().get_permissions()

    @extend_schema(request=CreditCreateSerializer, responses={201: CreditRecordSerializer})
    def create(self, request):
        data = _valid(CreditCreateSerializer, request)
        organization = Organization.objects.filter(pk=data["organization"]).first()
        if organization is None:
            raise ValidationFailed(_("企业不存在"), field="organization", code=PricingError.ORGANIZATION_UNKNOWN)
        products = list(Product.objects.filter(pk__in=data["products"]))
        if len(products) != len(set(data["products"])):
            raise ValidationFailed(_("涉及产品不存在"), field="products", code=PricingError.PRODUCT_UNKNOWN)
        alert = None
        if data.get("alert"):
            alert = selectors.alerts_visible_to(request.user).filter(pk=data["alert"]).first()
            if alert is None:
                raise ValidationFailed(_("来源预警不存在"), field="alert", code=PricingError.ALERT_NOT_FOUND)
        record = credit_svc.credit_record_create(
            organization=organization,
            behaviour=data["behaviour"],
            scheme=data["scheme"],
            level=data["level"],
            amount=data["amount"],
            evidence=data["evidence"],
            start=data["start"],
            end=data.get("end"),
            products=products,
            alert=alert,
            by=request.user,
        )
        return Response(CreditRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RepairSerializer, responses={200: CreditRecordSerializer})
    @action(detail=True, methods=["post"])
    def repair(self, request, pk=None):
        record = self.get_object()
        data = _valid(RepairSerializer, request)
        record = credit_svc.credit_record_repair(record=record, note=data["note"], by=request.user)
        return Response(CreditRecordSerializer(record).data)


CreditRecordViewSet.http_method_names = ["get", "post", "head", "options"]


class CreditRatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditRating
        fields = ["id", "organization", "quarter_start", "level", "scheme", "active_records", "computed_at"]


class CreditRatingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CreditRatingSerializer
    filterset_fields = ["organization", "quarter_start", "level"]
    queryset = CreditRating.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CreditRating.objects.none()
        user = self.request.user
        qs = CreditRating.objects.order_by("-quarter_start", "organization_id")
        if is_official(user) and can(user, "pricing.view"):
            return qs
        if can(user, "pricing.own_credit"):
            return qs.filter(organization_id=user.organization_id)
        return qs.none()
