"""REST endpoints of consumable tenders: the tender's rules from a batch's preset, a lot's bid unit and product
system (officials); intended volumes per brand (hospitals, officials for any hospital); sealed bids per registration
certificate or per product system (manufacturers). Reference: docs/consumables.md."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from accounts.models import Organization
from accounts.permissions import HasCapability, is_official, scope_to_organization
from catalog.models import Product
from common import serializers

from ..evaluation.consumables import PRESETS
from ..models import Bid, ConsumableDemand, ConsumableLot, ConsumableTender
from ..selectors import tenders as tender_selectors
from ..services.tenders import consumables as hc
from .tender_parties import BidSerializer


class ConsumableRulesInputSerializer(serializers.Serializer):
    tender = serializers.IntegerField()
    preset = serializers.ChoiceField(choices=[("", "")] + [(k, p.label) for k, p in PRESETS.items()], required=False)
    overrides = serializers.JSONField(required=False, help_text="ConsumableRules 的键（docs/consumables.md）")


class ConsumableTenderSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsumableTender
        fields = ["id", "tender", "rules"]


class ComponentSpecSerializer(serializers.Serializer):
    role = serializers.CharField(max_length=100)
    required = serializers.BooleanField(default=True)


class ConsumableLotInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    consumable_class = serializers.CharField(max_length=100)
    bid_unit = serializers.ChoiceField(
        choices=ConsumableLot.BidUnit.choices, default=ConsumableLot.BidUnit.REGISTRATION
    )
    price_basis = serializers.ChoiceField(
        choices=ConsumableLot.PriceBasis.choices, default=ConsumableLot.PriceBasis.UNIT
    )
    components = ComponentSpecSerializer(many=True, required=False)
    high_value_class = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    system_category = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    material_group = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ConsumableLotSerializer(serializers.ModelSerializer):
    consumable_class = serializers.CharField(source="lot.consumable_class", read_only=True)

    class Meta:
        model = ConsumableLot
        fields = [
            "id",
            "lot",
            "consumable_class",
            "high_value_class",
            "system_category",
            "material_group",
            "bid_unit",
            "price_basis",
            "components",
        ]


class ConsumableDemandInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    product = serializers.IntegerField()
    volume = serializers.IntegerField(help_text="年度意向采购量（件或套）")
    hospital = serializers.IntegerField(required=False, allow_null=True, default=None)


class ConsumableDemandSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsumableDemand
        fields = ["id", "tender", "lot", "hospital", "product", "volume", "reported_at"]


class ComponentInputSerializer(serializers.Serializer):
    role = serializers.CharField(max_length=100)
    product = serializers.IntegerField()
    quantity = serializers.IntegerField(default=1)


class ConsumableBidInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    product = serializers.IntegerField(required=False, allow_null=True, default=None)
    components = ComponentInputSerializer(many=True, required=False)
    price = serializers.CharField(help_text="每件或每套系统（按品种的计价方式），最多 4 位小数")
    supply_capacity = serializers.IntegerField()
    system_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    supplies_all_regions = serializers.BooleanField(default=True)
    meets_group_a_conditions = serializers.BooleanField(default=True)
    accepts_revival = serializers.BooleanField(default=False)


def _product(pk):
    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise Http404
    return product


def _lot(user, pk):
    lot = tender_selectors.lots_visible_to(user).filter(pk=pk).first()
    if lot is None:
        raise Http404
    return lot


class ConsumableRulesViewSet(viewsets.GenericViewSet):
    """An official sets a consumable tender's selection rules from a batch's preset and the tender's overrides."""

    serializer_class = ConsumableTenderSerializer
    permission_classes = [HasCapability("tender.manage")]

    def get_queryset(self):
        return ConsumableTender.objects.order_by("pk")

    @extend_schema(request=ConsumableRulesInputSerializer, responses={200: ConsumableTenderSerializer})
    def create(self, request):
        data = ConsumableRulesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tender = tender_selectors.tenders_visible_to(request.user).filter(pk=data.validated_data["tender"]).first()
        if tender is None:
            raise Http404
        row = hc.consumable_rules_set(
            tender=tender,
            by=request.user,
            preset=data.validated_data.get("preset") or "",
            overrides=data.validated_data.get("overrides") or {},
        )
        return Response(ConsumableTenderSerializer(row).data)


class ConsumableLotViewSet(viewsets.GenericViewSet):
    """An official says what a consumable lot groups and how it is bid (per registration certificate or system)."""

    serializer_class = ConsumableLotSerializer
    permission_classes = [HasCapability("tender.manage")]

    def get_queryset(self):
        return ConsumableLot.objects.order_by("pk")

    @extend_schema(request=ConsumableLotInputSerializer, responses={200: ConsumableLotSerializer})
    def create(self, request):
        data = ConsumableLotInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lot = _lot(request.user, values.pop("lot"))
        row = hc.consumable_lot_configure(lot=lot, by=request.user, **values)
        return Response(ConsumableLotSerializer(row).data)


class ConsumableDemandViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A hospital's intended volumes per product (its own); officials see and report for every hospital."""

    serializer_class = ConsumableDemandSerializer
    filterset_fields = ["tender", "lot", "product"]

    def get_queryset(self):
        qs = ConsumableDemand.objects.order_by("pk")
        if is_official(self.request.user):
            return qs
        return scope_to_organization(qs, self.request.user, field="hospital")

    def get_permissions(self):
        if self.action == "create":
            return [HasCapability("tender.report_demand", "tender.manage")()]
        return super().get_permissions()

    @extend_schema(request=ConsumableDemandInputSerializer, responses={201: ConsumableDemandSerializer})
    def create(self, request):
        data = ConsumableDemandInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hospital = None
        if data.validated_data["hospital"] is not None:
            hospital = Organization.objects.filter(pk=data.validated_data["hospital"]).first()
            if hospital is None:
                raise Http404
        row = hc.consumable_demand_report(
            lot=_lot(request.user, data.validated_data["lot"]),
            by=request.user,
            product=_product(data.validated_data["product"]),
            volume=data.validated_data["volume"],
            hospital=hospital,
        )
        return Response(ConsumableDemandSerializer(row).data, status=status.HTTP_201_CREATED)


class ConsumableBidViewSet(viewsets.GenericViewSet):
    """A manufacturer's sealed consumable bid: ``product`` (per registration certificate) or ``components``."""

    serializer_class = BidSerializer
    permission_classes = [HasCapability("tender.bid")]

    def get_queryset(self):  # the bids themselves are read at /bids/
        return Bid.objects.none()

    @extend_schema(request=ConsumableBidInputSerializer, responses={201: BidSerializer})
    def create(self, request):
        data = ConsumableBidInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lot = _lot(request.user, values.pop("lot"))
        product_id = values.pop("product")
        components = [
            hc.Component(c["role"], _product(c["product"]), c["quantity"]) for c in values.pop("components", [])
        ]
        bid = hc.consumable_bid_submit(
            lot=lot,
            by=request.user,
            product=_product(product_id) if product_id is not None else None,
            components=components,
            **values,
        )
        return Response(BidSerializer(bid, context={"request": request}).data, status=status.HTTP_201_CREATED)


routes = [
    ("consumable-rules", ConsumableRulesViewSet, "consumable-rules"),
    ("consumable-lots", ConsumableLotViewSet, "consumable-lot"),
    ("consumable-demands", ConsumableDemandViewSet, "consumable-demand"),
    ("consumable-bids", ConsumableBidViewSet, "consumable-bid"),
]
