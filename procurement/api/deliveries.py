"""REST endpoints of deliveries (配送单, by the distributor), receipts (入库验收, by the hospital: quick or line by
line) and returns (退货), each scoped to the organisations of its order."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from accounts.permissions import HasCapability, scope_to_organization
from common import serializers
from common.openapi import IF_MATCH

from ..models import (
    Delivery,
    DeliveryLine,
    GoodsReturn,
    GoodsReturnLine,
    Receipt,
    ReceiptLine,
)
from ..selectors import orders as order_selectors
from ..services import deliveries as delivery_svc
from ..services import receipts as receipt_svc
from ..services import returns as return_svc
from .order_inputs import order_for, validated, version_of


class DeliveryLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryLine
        fields = ["id", "order_line", "packs", "min_units", "batch_number", "production_date", "expiry_date"]


class DeliverySerializer(serializers.ModelSerializer):
    lines = DeliveryLineSerializer(many=True, read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    receipt = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # none until received

    class Meta:
        model = Delivery
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "distributor",
            "hospital",
            "invoice_number",
            "invoice_date",
            "invoice_amount",
            "shipped_at",
            "received",
            "receipt",
            "remarks",
            "lines",
        ]


class DeliveryCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    invoice_number = serializers.CharField(allow_blank=True)
    invoice_date = serializers.CharField(required=False, allow_blank=True, default="")
    lines = serializers.JSONField(
        help_text='[{"order_line": id, "packs": n, "batch_number": "", "expiry_date": '
        '"YYYY-MM-DD", "production_date": "YYYY-MM-DD"}]'
    )
    remarks = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True)


class ReceiptLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReceiptLine
        fields = [
            "id",
            "delivery_line",
            "order_line",
            "product",
            "manufacturer",
            "listing",
            "award",
            "supply_class",
            "accepted_packs",
            "rejected_packs",
            "reject_reason",
            "accepted_min_units",
            "unit_price",
            "amount",
            "received_on",
        ]


class ReceiptSerializer(serializers.ModelSerializer):
    lines = ReceiptLineSerializer(many=True, read_only=True)

    class Meta:
        model = Receipt
        fields = [
            "id",
            "delivery",
            "order",
            "hospital",
            "distributor",
            "received_at",
            "received_by",
            "accepted_amount",
            "remarks",
            "lines",
        ]


class ReceiptCreateSerializer(serializers.Serializer):
    delivery = serializers.IntegerField()
    lines = serializers.JSONField(
        required=False,
        allow_null=True,
        default=None,
        help_text='省略为整单验收；逐行：[{"delivery_line": id, "accepted_packs": n, '
        '"rejected_packs": n, "reject_reason": ""}]',
    )
    remarks = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True)


class ReturnLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = GoodsReturnLine
        fields = [
            "id",
            "receipt_line",
            "order_line",
            "product",
            "packs",
            "min_units",
            "unit_price",
            "amount",
            "reason",
            "returned_on",
            "award",
        ]


class ReturnSerializer(serializers.ModelSerializer):
    lines = ReturnLineSerializer(many=True, read_only=True)

    class Meta:
        model = GoodsReturn
        fields = ["id", "number", "order", "hospital", "distributor", "reason", "returned_at", "amount", "lines"]


class ReturnCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)
    lines = serializers.JSONField(help_text='[{"receipt_line": id, "packs": n, "reason": ""}]')
    version = serializers.IntegerField(required=False, allow_null=True)


class DeliveryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """配送单: a distributor's own, a hospital's incoming (`?received=0` awaiting receipt)."""

    serializer_class = DeliverySerializer
    filterset_fields = ["order", "received"]
    queryset = Delivery.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        return (
            order_selectors.deliveries_visible_to(self.request.user)
            .select_related("receipt")
            .prefetch_related("lines")
            .order_by("-shipped_at", "-pk")
        )

    def get_permissions(self):
        return [HasCapability("order.fulfil" if self.action == "create" else "order.view")()]

    @extend_schema(request=DeliveryCreateSerializer, responses={201: DeliverySerializer}, parameters=[IF_MATCH])
    def create(self, request):
        data = validated(DeliveryCreateSerializer, request)
        delivery = delivery_svc.delivery_create(
            order=order_for(request.user, data["order"]),
            by=request.user,
            invoice_number=data["invoice_number"],
            invoice_date=data["invoice_date"] or None,
            lines=data["lines"],
            remarks=data["remarks"],
            version=version_of(request, data),
        )
        return Response(
            DeliverySerializer(Delivery.objects.prefetch_related("lines").get(pk=delivery.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ReceiptViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """入库验收: POST a delivery id alone for a quick receipt of the whole delivery, or line by line."""

    serializer_class = ReceiptSerializer
    filterset_fields = ["order", "delivery"]
    queryset = Receipt.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Receipt.objects.none()
        qs = scope_to_organization(Receipt.objects.all(), self.request.user, field=("hospital", "distributor"))
        return qs.prefetch_related("lines").order_by("-received_at", "-pk")

    def get_permissions(self):
        return [HasCapability("order.receive" if self.action == "create" else "order.view")()]

    @extend_schema(request=ReceiptCreateSerializer, responses={201: ReceiptSerializer}, parameters=[IF_MATCH])
    def create(self, request):
        data = validated(ReceiptCreateSerializer, request)
        delivery = order_selectors.deliveries_visible_to(request.user).filter(pk=data["delivery"]).first()
        if delivery is None:
            raise Http404
        receipt = receipt_svc.receipt_create(
            delivery=delivery,
            by=request.user,
            lines=data["lines"],
            remarks=data["remarks"],
            version=version_of(request, data),
        )
        return Response(
            ReceiptSerializer(Receipt.objects.prefetch_related("lines").get(pk=receipt.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ReturnViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """退货: a hospital's returns after receipt; the distributor sees those of its orders."""

    serializer_class = ReturnSerializer
    filterset_fields = ["order"]
    queryset = GoodsReturn.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GoodsReturn.objects.none()
        return (
            order_selectors.returns_visible_to(self.request.user)
            .prefetch_related("lines")
            .order_by("-returned_at", "-pk")
        )

    def get_permissions(self):
        return [HasCapability("order.receive" if self.action == "create" else "order.view")()]

    @extend_schema(request=ReturnCreateSerializer, responses={201: ReturnSerializer}, parameters=[IF_MATCH])
    def create(self, request):
        data = validated(ReturnCreateSerializer, request)
        goods_return = return_svc.goods_return_create(
            order=order_for(request.user, data["order"]),
            by=request.user,
            reason=data["reason"],
            lines=data["lines"],
            version=version_of(request, data),
        )
        return Response(
            ReturnSerializer(GoodsReturn.objects.prefetch_related("lines").get(pk=goods_return.pk)).data,
            status=status.HTTP_201_CREATED,
        )


routes = [
    ("deliveries", DeliveryViewSet, "delivery"),
    ("receipts", ReceiptViewSet, "receipt"),
    ("returns", ReturnViewSet, "return"),
]
