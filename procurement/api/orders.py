"""REST endpoints of orders (mounted under /api/v1/ through procurement.api).

Orders: list, detail, create — optionally submitted at once, with an `Idempotency-Key` header or field — submit,
cancel, close, remarks, and the distributor's accept / reject. Every list is scoped to the user's organisation:
another organisation's order is simply not found (404). Steps accept the `version` the client last read (field or
`If-Match` header) and answer 409 on a stale copy. Deliveries, receipts and returns: procurement.api.deliveries.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import HasCapability
from catalog.identity import ProductIdentityField
from common import serializers
from common.openapi import IDEMPOTENCY_KEY, IF_MATCH

from ..models import (
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
)
from ..selectors import orders as order_selectors
from ..services import orders as svc
from .deliveries import DeliverySerializer
from .order_inputs import AcceptSerializer, ReasonSerializer, order_for, validated, version_of


class OrderLineSerializer(serializers.FieldsBuiltOnce, serializers.ModelSerializer):
    # the related rows' ids, read from the line's own columns (a related field looks each up through its descriptor)
    listing = serializers.IntegerField(source="listing_id", read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    manufacturer = serializers.IntegerField(source="manufacturer_id", read_only=True)
    award = serializers.IntegerField(source="award_id", read_only=True, allow_null=True)
    substitution_for = serializers.IntegerField(source="substitution_for_id", read_only=True, allow_null=True)
    generic_name = serializers.CharField(source="product.generic_name", read_only=True)
    product_code = serializers.CharField(source="product.nhsa_code", read_only=True)
    specification = serializers.CharField(source="product.specification", read_only=True)
    product_identity = ProductIdentityField()

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "line_no",
            "listing",
            "product",
            "product_code",
            "generic_name",
            "specification",
            "product_identity",
            "manufacturer",
            "award",
            "packs",
            "pack_size",
            "min_units",
            "unit_price",
            "pack_price",
            "amount",
            "price_frozen_at",
            "substitution_for",
            "packs_short",
            "short_reason",
            "packs_shipped",
            "packs_accepted",
            "packs_rejected",
            "packs_returned",
            "remarks",
        ]


class OrderSerializer(serializers.FieldsBuiltOnce, serializers.ModelSerializer):
    hospital = serializers.IntegerField(source="hospital_id", read_only=True)
    distributor = serializers.IntegerField(source="distributor_id", read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    distributor_name = serializers.CharField(source="distributor.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    late_response = serializers.BooleanField(read_only=True)
    late_delivery = serializers.BooleanField(read_only=True)
    distributor_inactive = serializers.BooleanField(read_only=True, help_text="配送企业已停用：请撤销或结案后改派")

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "hospital",
            "hospital_name",
            "distributor",
            "distributor_name",
            "status",
            "status_label",
            "urgent",
            "total_amount",
            "line_count",
            "version",
            "idempotency_key",
            "created_at",
            "submitted_at",
            "response_due_at",
            "delivery_due_at",
            "responded_at",
            "late_response",
            "late_delivery",
            "listing_flag",
            "listing_flag_reason",
            "distributor_inactive",
            "hospital_remarks",
            "distributor_remarks",
            "reject_reason",
            "cancel_reason",
            "close_reason",
            "shipped_at",
            "received_at",
            "closed_at",
        ]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default="", read_only=True)
    # the words for the codes, from OrderEvent.EVENT_LABELS and the order's statuses (common.labels)
    action_display = serializers.CharField(source="action_label", read_only=True)
    from_status_display = serializers.CharField(source="from_label", read_only=True)
    to_status_display = serializers.CharField(source="to_label", read_only=True)
    actor_name = serializers.CharField(source="actor", default="", read_only=True)

    class Meta:
        model = OrderEvent
        fields = [
            "at",
            "action",
            "action_display",
            "from_status",
            "from_status_display",
            "to_status",
            "to_status_display",
            "actor",
            "actor_name",
            "organization",
            "reason",
            "data",
        ]


class OrderWithLinesSerializer(OrderSerializer):
    """What creating an order answers: the order and its lines (the full detail is GET orders/{id}/)."""

    lines = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines"]

    @extend_schema_field(OrderLineSerializer(many=True))
    def get_lines(self, obj):
        lines = getattr(obj, "new_lines", None)
        return OrderLineSerializer(lines if lines is not None else obj.lines.all(), many=True).data


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    deliveries = DeliverySerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="当前用户现在可以对订单执行的操作：submit、cancel、receive、return、close、answer、ship、remark"
    )

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines", "deliveries", "events", "allowed_actions"]

    def get_allowed_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        lines = list(obj.lines.all())
        returnable = any(line.packs_accepted > line.packs_returned for line in lines)
        outstanding = any(line.packs_outstanding for line in lines)
        return sorted(
            order_selectors.order_allowed_actions(request.user, obj, returnable=returnable, outstanding=outstanding)
        )


class OrderCreateSerializer(serializers.FieldsBuiltOnce, serializers.Serializer):
    # its fields copied from the class's first build rather than deep-copied anew for each order (common.serializers)
    distributor = serializers.IntegerField()
    hospital = serializers.IntegerField(required=False, help_text="省略时为本机构；只能是本机构")
    lines = serializers.JSONField(help_text='[{"listing": 挂网编号, "packs": 包装数（整数）, "remarks": ""}]')
    urgent = serializers.BooleanField(required=False, default=False)
    remarks = serializers.CharField(required=False, allow_blank=True, default="")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    submit = serializers.BooleanField(required=False, default=False, help_text="true：创建后立即提交")


class DraftUpdateSerializer(serializers.Serializer):
    lines = serializers.JSONField(required=False)
    urgent = serializers.BooleanField(required=False, allow_null=True, default=None)
    remarks = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, allow_null=True)


class RemarksSerializer(serializers.Serializer):
    remarks = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(required=False, allow_null=True)


ORDER_FILTER_PARAMS = [OpenApiParameter(name, str, required=False) for name in order_selectors.ORDER_FILTERS]


class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Orders: a hospital's own (drafts included), a distributor's incoming, all for officials."""

    serializer_class = OrderSerializer
    queryset = PurchaseOrder.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PurchaseOrder.objects.none()
        qs = order_selectors.orders_visible_to(self.request.user)
        if self.action == "list":
            qs = order_selectors.order_filter(qs, self.request.query_params)
        return qs.order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer

    def retrieve(self, request, pk=None):
        try:
            order = order_selectors.order_detail(user=request.user, pk=int(pk))
        except (PurchaseOrder.DoesNotExist, ValueError):
            raise Http404 from None
        return Response(OrderDetailSerializer(order, context={"request": request}).data)

    @extend_schema(parameters=ORDER_FILTER_PARAMS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_permissions(self):
        capability = {
            "create": "order.place",
            "submit": "order.place",
            "cancel": "order.place",
            "update_draft": "order.place",
            "close": "order.receive",
            "accept": "order.fulfil",
            "reject": "order.fulfil",
        }.get(self.action, "order.view")
        return [HasCapability(capability)()]

    def _detail(self, order, code=status.HTTP_200_OK):
        return Response(
            OrderDetailSerializer(
                order_selectors.order_detail(user=self.request.user, pk=order.pk), context={"request": self.request}
            ).data,
            status=code,
        )

    @extend_schema(
        request=OrderCreateSerializer,
        responses={201: OrderWithLinesSerializer, 200: OrderWithLinesSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def create(self, request):
        data = validated(OrderCreateSerializer, request)
        key = data["idempotency_key"] or request.headers.get("Idempotency-Key", "")
        order = svc.order_create(
            by=request.user,
            distributor=data["distributor"],
            lines=data["lines"],
            hospital=data.get("hospital"),
            urgent=data["urgent"],
            remarks=data["remarks"],
            idempotency_key=key,
            submit=data["submit"],
        )
        replayed = order.replayed
        if replayed:
            order = (
                order_selectors.orders_visible_to(request.user)
                .prefetch_related(
                    Prefetch(
                        "lines",
                        queryset=PurchaseOrderLine.objects.select_related("product", "manufacturer").order_by(
                            "line_no"
                        ),
                    )
                )
                .get(pk=order.pk)
            )
        else:  # the order and its lines as just written; a new order cannot be late yet
            order.late_response = order.late_delivery = False
        return Response(
            OrderWithLinesSerializer(order).data,
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
        )

    @extend_schema(request=DraftUpdateSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="update-draft")
    def update_draft(self, request, pk=None):
        data = validated(DraftUpdateSerializer, request)
        order = svc.order_update_draft(
            order=order_for(request.user, pk),
            by=request.user,
            lines=data.get("lines"),
            urgent=data["urgent"],
            remarks=data["remarks"],
            version=version_of(request, data),
        )
        return self._detail(order)

    def _step(self, request, pk, func, **extra):
        data = validated(ReasonSerializer, request)
        order = func(order=order_for(request.user, pk), by=request.user, version=version_of(request, data), **extra)
        return self._detail(order)

    @extend_schema(request=ReasonSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(request, pk, svc.order_submit)

    @extend_schema(request=ReasonSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(request, pk, svc.order_cancel, reason=request.data.get("reason", ""))

    @extend_schema(request=ReasonSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(request, pk, svc.order_close, reason=request.data.get("reason", ""))

    @extend_schema(request=AcceptSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(
            request,
            pk,
            svc.order_accept,
            remarks=request.data.get("reason", ""),
            shortages=request.data.get("shortages") or None,
        )

    @extend_schema(request=ReasonSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(request, pk, svc.order_reject, reason=request.data.get("reason", ""))

    @extend_schema(request=RemarksSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def remarks(self, request, pk=None):
        order = order_for(request.user, pk)  # another organisation's order is not found, whatever the body says
        data = validated(RemarksSerializer, request)
        order = svc.order_remark(
            order=order, by=request.user, remarks=data["remarks"], version=version_of(request, data)
        )
        return self._detail(order)


routes = [
    ("orders", OrderViewSet, "order"),
]
