"""REST endpoints of procurement (tenders so far), mounted under /api/v1/.

Sealed prices: a bid's price fields are null until its tender is opened, for every user.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path  # noqa: F401 - kept for endpoints added beside the router
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import HasCapability, is_official, scope_to_organization
from catalog.models import Product

from . import selectors
from .models import Bid, Commitment, Lot, Tender
from .services import tenders as svc


class LotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lot
        fields = ["id", "number", "generic_name", "dosage_form_group", "dosage_forms", "reference_specification",
                  "comparison_unit", "max_price", "quality_requirement"]


class TenderSerializer(serializers.ModelSerializer):
    lots = LotSerializer(many=True, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Tender
        fields = ["id", "code", "name", "level", "kind", "status", "status_label", "demand_start", "demand_end",
                  "bid_deadline", "opening_at", "cycle_start", "cycle_end", "rules", "cancel_reason", "lots"]


class BidSerializer(serializers.ModelSerializer):
    """The price appears only after opening (it is null before, for everyone)."""

    price = serializers.SerializerMethodField()
    comparison_price = serializers.SerializerMethodField()

    class Meta:
        model = Bid
        fields = ["id", "tender", "lot", "manufacturer", "product", "supply_capacity", "status", "invalid_reason",
                  "submitted_at", "seal_hash", "replaces", "price", "comparison_price"]

    def get_price(self, obj) -> str | None:
        return str(obj.price) if obj.tender.bids_open and obj.price is not None else None

    def get_comparison_price(self, obj) -> str | None:
        return str(obj.comparison_price) if obj.tender.bids_open and obj.comparison_price is not None else None


class BidSubmitSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    product = serializers.IntegerField()
    price = serializers.CharField(help_text="每最小制剂单位，最多 4 位小数")
    supply_capacity = serializers.IntegerField()


class BidReplaceSerializer(serializers.Serializer):
    price = serializers.CharField()
    supply_capacity = serializers.IntegerField()
    product = serializers.IntegerField(required=False)


class CommitmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = ["id", "tender", "lot", "hospital", "product", "manufacturer", "reported_volume", "agreed_volume",
                  "agreed_amount", "cycle_start", "cycle_end", "reason"]


class TenderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TenderSerializer
    filterset_fields = ["status", "level", "kind"]

    queryset = Tender.objects.none()  # for the schema; reads go through the refreshing selector

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Tender.objects.none()
        return selectors.tenders_visible_to(self.request.user).prefetch_related("lots").order_by("-demand_start")


class BidViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A manufacturer sees its own bids; officials see all (prices still sealed until opening)."""

    serializer_class = BidSerializer
    filterset_fields = ["tender", "lot", "status"]

    def get_queryset(self):
        qs = Bid.objects.select_related("tender").order_by("pk")
        return scope_to_organization(qs, self.request.user, field="manufacturer")

    def get_permissions(self):
        if self.action in ("create", "replace", "withdraw"):
            return [HasCapability("tender.bid")()]
        return super().get_permissions()

    @extend_schema(request=BidSubmitSerializer, responses={201: BidSerializer})
    def create(self, request):
        data = BidSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = Lot.objects.filter(pk=data.validated_data["lot"]).select_related("tender").first()
        product = Product.objects.filter(pk=data.validated_data["product"]).first()
        if lot is None or product is None:
            raise Http404
        bid = svc.bid_submit(lot=lot, product=product, price=data.validated_data["price"],
                             supply_capacity=data.validated_data["supply_capacity"], by=request.user)
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BidReplaceSerializer, responses={201: BidSerializer})
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        data = BidReplaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = None
        if "product" in data.validated_data:
            product = Product.objects.filter(pk=data.validated_data["product"]).first()
            if product is None:
                raise Http404
        bid = svc.bid_replace(bid=self.get_object(), price=data.validated_data["price"],
                              supply_capacity=data.validated_data["supply_capacity"], product=product, by=request.user)
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: BidSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return Response(BidSerializer(svc.bid_withdraw(bid=self.get_object(), by=request.user)).data)


BidViewSet.http_method_names = ["get", "post", "head", "options"]


class CommitmentViewSet(viewsets.ReadOnlyModelViewSet):
    """A hospital sees its own agreed volumes, a manufacturer those it supplies, officials all."""

    serializer_class = CommitmentSerializer
    filterset_fields = ["tender", "lot", "hospital", "product"]

    def get_queryset(self):
        qs = Commitment.objects.order_by("pk")
        if is_official(self.request.user):
            return qs
        return scope_to_organization(qs, self.request.user, field=("hospital", "manufacturer"))


routes = [
    ("tenders", TenderViewSet, "tender"),
    ("bids", BidViewSet, "bid"),
    ("commitments", CommitmentViewSet, "commitment"),
]
urlpatterns: list = []

# Agreed-volume progress (procurement/api_progress.py).
from .api_progress import routes as _progress_routes  # noqa: E402

routes += _progress_routes
