"""REST endpoints of online ordering (mounted under /api/v1/ through procurement.api).

What provincial platforms expose to hospital systems: listings, distribution authorisations, orders (list, detail,
create — optionally submitted at once, with an `Idempotency-Key` header or field — submit, cancel, close, remarks),
the distributor's accept / reject and deliveries, receipts, returns, off-platform purchase import and the online
share. Every list is scoped to the user's organisation: another organisation's order is simply not found (404).
Steps accept the `version` the client last read (field or `If-Match` header) and answer 409 on a stale copy.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization, Region
from accounts.permissions import HasCapability, can, is_official, scope_to_organization
from catalog.models import Product
from common import serializers
from common.api import header_int, represent
from common.numbers import param_id
from common.openapi import IDEMPOTENCY_KEY, IF_MATCH
from common.parsers import JSONParser

from .. import online_share
from ..errors import ValidationFailed
from ..models import (
    Delivery,
    DeliveryLine,
    DistributionAuthorization,
    GoodsReturn,
    GoodsReturnLine,
    Listing,
    OffPlatformPurchase,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
)
from ..offplatform import offplatform_import
from ..selectors import orders as order_selectors
from ..services import authorizations as auth_svc
from ..services import listings as listing_svc
from ..services import orders as svc

# --- serializers ---------------------------------------------------------------------------------------------------


class ListingSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.nhsa_code", read_only=True)
    generic_name = serializers.CharField(source="product.generic_name", read_only=True)
    trade_name = serializers.CharField(source="product.trade_name", read_only=True)
    specification = serializers.CharField(source="product.specification", read_only=True)
    pack_size = serializers.IntegerField(source="product.pack_size", read_only=True)
    min_unit = serializers.CharField(source="product.min_unit", read_only=True)
    pack_unit = serializers.CharField(source="product.pack_unit", read_only=True)
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)

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


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    version = serializers.IntegerField(required=False, allow_null=True)


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


class OrderLineSerializer(serializers.ModelSerializer):
    generic_name = serializers.CharField(source="product.generic_name", read_only=True)
    product_code = serializers.CharField(source="product.nhsa_code", read_only=True)
    specification = serializers.CharField(source="product.specification", read_only=True)

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
            "packs_shipped",
            "packs_accepted",
            "packs_rejected",
            "packs_returned",
            "remarks",
        ]


class OrderSerializer(serializers.ModelSerializer):
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


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default="", read_only=True)

    class Meta:
        model = OrderEvent
        fields = ["at", "action", "from_status", "to_status", "actor", "organization", "reason", "data"]


class OrderWithLinesSerializer(OrderSerializer):
    """What creating an order answers: the order and its lines (the full detail is GET orders/{id}/)."""

    lines = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines"]

    @extend_schema_field(OrderLineSerializer(many=True))
    def get_lines(self, obj):
        lines = getattr(obj, "new_lines", None)
        return [represent(OrderLineSerializer, line) for line in (lines if lines is not None else obj.lines.all())]


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    deliveries = DeliverySerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines", "deliveries", "events"]


class OrderCreateSerializer(serializers.Serializer):
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


class OffPlatformSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.nhsa_code", read_only=True)

    class Meta:
        model = OffPlatformPurchase
        fields = [
            "id",
            "hospital",
            "product",
            "product_code",
            "supply_class",
            "month",
            "quantity",
            "amount",
            "source",
            "import_batch",
        ]


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


# --- helpers -------------------------------------------------------------------------------------------------------


def _version(request, data) -> int | None:
    value = data.get("version")
    if value is None:
        value = header_int(request, "If-Match", column=PurchaseOrder._meta.get_field("version"))
    return value


def _valid(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _order_for(user, pk) -> PurchaseOrder:
    order = order_selectors.orders_visible_to(user).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def _parse_day(value: str, field: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("日期“%(value)s”格式应为 YYYY-MM-DD") % {"value": value}, field=field) from None


# --- views ---------------------------------------------------------------------------------------------------------


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
        data = _valid(ReasonSerializer, request)
        return Response(
            ListingSerializer(
                listing_svc.listing_suspend(listing=self._listing(pk), by=request.user, reason=data["reason"])
            ).data
        )

    @extend_schema(request=ReasonSerializer, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        data = _valid(ReasonSerializer, request)
        return Response(
            ListingSerializer(
                listing_svc.listing_reinstate(listing=self._listing(pk), by=request.user, reason=data["reason"])
            ).data
        )

    @extend_schema(request=ReasonSerializer, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = _valid(ReasonSerializer, request)
        return Response(
            ListingSerializer(
                listing_svc.listing_withdraw(listing=self._listing(pk), by=request.user, reason=data["reason"])
            ).data
        )

    @extend_schema(request=PriceChangeSerializer, responses=ListingSerializer)
    @action(detail=True, methods=["post"], url_path="change-price")
    def change_price(self, request, pk=None):
        data = _valid(PriceChangeSerializer, request)
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
        data = _valid(AuthorizationSerializer, request)
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
        data = _valid(ReasonSerializer, request)
        auth = auth_svc.authorization_revoke(authorization=self.get_object(), by=request.user, reason=data["reason"])
        return Response(AuthorizationSerializer(auth).data)


AuthorizationSerializer.Meta.extra_kwargs = {
    "product": {"queryset": Product.objects.all()},
    "distributor": {"queryset": Organization.objects.filter(kind="distributor")},
}


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
        return Response(OrderDetailSerializer(order).data)

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
            OrderDetailSerializer(order_selectors.order_detail(user=self.request.user, pk=order.pk)).data, status=code
        )

    @extend_schema(
        request=OrderCreateSerializer,
        responses={201: OrderWithLinesSerializer, 200: OrderWithLinesSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def create(self, request):
        data = _valid(OrderCreateSerializer, request)
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
                    Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product").order_by("line_no"))
                )
                .get(pk=order.pk)
            )
        else:  # the order and its lines as just written; a new order cannot be late yet
            order.late_response = order.late_delivery = False
        return Response(
            represent(OrderWithLinesSerializer, order),
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
        )

    @extend_schema(request=DraftUpdateSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="update-draft")
    def update_draft(self, request, pk=None):
        data = _valid(DraftUpdateSerializer, request)
        order = svc.order_update_draft(
            order=_order_for(request.user, pk),
            by=request.user,
            lines=data.get("lines"),
            urgent=data["urgent"],
            remarks=data["remarks"],
            version=_version(request, data),
        )
        return self._detail(order)

    def _step(self, request, pk, func, **extra):
        data = _valid(ReasonSerializer, request)
        order = func(order=_order_for(request.user, pk), by=request.user, version=_version(request, data), **extra)
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

    @extend_schema(request=ReasonSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(request, pk, svc.order_accept, remarks=request.data.get("reason", ""))

    @extend_schema(request=ReasonSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(request, pk, svc.order_reject, reason=request.data.get("reason", ""))

    @extend_schema(request=RemarksSerializer, responses=OrderDetailSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def remarks(self, request, pk=None):
        order = _order_for(request.user, pk)  # another organisation's order is not found, whatever the body says
        data = _valid(RemarksSerializer, request)
        order = svc.order_remark(order=order, by=request.user, remarks=data["remarks"], version=_version(request, data))
        return self._detail(order)


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
        data = _valid(DeliveryCreateSerializer, request)
        delivery = svc.delivery_create(
            order=_order_for(request.user, data["order"]),
            by=request.user,
            invoice_number=data["invoice_number"],
            invoice_date=data["invoice_date"] or None,
            lines=data["lines"],
            remarks=data["remarks"],
            version=_version(request, data),
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
        data = _valid(ReceiptCreateSerializer, request)
        delivery = order_selectors.deliveries_visible_to(request.user).filter(pk=data["delivery"]).first()
        if delivery is None:
            raise Http404
        receipt = svc.receipt_create(
            delivery=delivery,
            by=request.user,
            lines=data["lines"],
            remarks=data["remarks"],
            version=_version(request, data),
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
        data = _valid(ReturnCreateSerializer, request)
        goods_return = svc.goods_return_create(
            order=_order_for(request.user, data["order"]),
            by=request.user,
            reason=data["reason"],
            lines=data["lines"],
            version=_version(request, data),
        )
        return Response(
            ReturnSerializer(GoodsReturn.objects.prefetch_related("lines").get(pk=goods_return.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class OffPlatformViewSet(viewsets.ReadOnlyModelViewSet):
    """线下采购: a hospital's own reported rows (all for officials); `POST import/` takes an xlsx or csv."""

    serializer_class = OffPlatformSerializer
    filterset_fields = ["hospital", "month", "supply_class"]
    queryset = OffPlatformPurchase.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OffPlatformPurchase.objects.none()
        return scope_to_organization(
            OffPlatformPurchase.objects.select_related("product"), self.request.user, field="hospital"
        ).order_by("-month", "pk")

    def get_permissions(self):
        return [HasCapability("offplatform.import" if self.action == "import_file" else "online_share.view")()]

    @extend_schema(request={"multipart/form-data": ImportSerializer}, responses=None)
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        data = _valid(ImportSerializer, request)
        upload = data["file"]
        report, batch = offplatform_import(
            by=request.user, data=upload.read(), name=upload.name, dry_run=data["dry_run"]
        )
        body = {
            "ok": report.ok,
            "written": batch is not None,
            "batch": batch.pk if batch else None,
            "counts": report.counts(),
            "rows": [{"row": r.row, "status": r.status, "errors": r.errors} for r in report.rows if r.errors][:1000],
        }
        return Response(body, status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST)


class OnlineShareView(APIView):
    """线上采购率 per hospital (or `by=region`) and month (`per_month=0` for the whole period), drugs and high-value
    consumables, with the targets. A hospital sees its own; officials all (filter `hospital`, `region`)."""

    permission_classes = [HasCapability("online_share.view")]
    parser_classes = [JSONParser]

    @extend_schema(
        parameters=[
            OpenApiParameter(n, str, required=False)
            for n in ("date_from", "date_to", "by", "per_month", "hospital", "region")
        ],
        responses=None,
    )
    def get(self, request):
        params = request.query_params
        today = timezone.localdate()
        date_from = _parse_day(params.get("date_from", ""), "date_from", today.replace(month=1, day=1))
        date_to = _parse_day(params.get("date_to", ""), "date_to", today)
        by = params.get("by", "hospital")
        if by not in ("hospital", "region"):
            raise ValidationFailed(_("by 只能是 hospital 或 region"), field="by")
        hospital_ids = None
        region_id = None
        if is_official(request.user):
            hospital = param_id(params, "hospital")
            hospital_ids = None if hospital is None else [hospital]
            region_id = param_id(params, "region")
        else:
            hospital_ids = [request.user.organization_id]
            by = "hospital"
        rows = online_share.online_share(
            date_from=date_from,
            date_to=date_to,
            by=by,
            per_month=params.get("per_month", "1") not in ("0", "false"),
            hospital_ids=hospital_ids,
            region_id=region_id,
        )
        return Response(
            {
                "date_from": date_from,
                "date_to": date_to,
                "by": by,
                "results": [
                    {
                        "key": r.key,
                        "name": r.name,
                        "month": r.month,
                        "supply_class": r.supply_class,
                        "online_amount": str(r.online),
                        "offline_amount": str(r.offline),
                        "share": None if r.share is None else str(r.share),
                        "target": r.target,
                        "meets_target": r.meets_target,
                    }
                    for r in rows
                ],
            }
        )


routes = [
    ("listings", ListingViewSet, "listing"),
    ("distribution-authorizations", AuthorizationViewSet, "distribution-authorization"),
    ("orders", OrderViewSet, "order"),
    ("deliveries", DeliveryViewSet, "delivery"),
    ("receipts", ReceiptViewSet, "receipt"),
    ("returns", ReturnViewSet, "return"),
    ("offplatform-purchases", OffPlatformViewSet, "offplatform-purchase"),
]
