"""REST endpoints of what the parties of a tender send and receive: hospitals' demand reports, manufacturers' sealed
bids, and the agreed volumes (commitments) of both. A bid's price fields are null until its tender is opened."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organization
from accounts.permissions import HasCapability, is_official, scope_to_organization
from catalog.models import Product
from common import serializers

from ..models import Bid, Commitment, DemandReport
from ..selectors import tenders as tender_selectors
from ..services import tenders as svc
from .tender_opening import BidReceiptSerializer, BidVerifyAction


class BidSerializer(serializers.ModelSerializer):
    """The price appears only after opening (it is null before, for everyone)."""

    price = serializers.SerializerMethodField()
    comparison_price = serializers.SerializerMethodField()

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "lot",
            "manufacturer",
            "product",
            "supply_capacity",
            "status",
            "invalid_reason",
            "submitted_at",
            "seal_hash",
            "replaces",
            "price",
            "comparison_price",
        ]

    def get_price(self, obj) -> str | None:
        return str(obj.price) if obj.tender.bids_open and obj.price is not None else None

    def get_comparison_price(self, obj) -> str | None:
        return str(obj.comparison_price) if obj.tender.bids_open and obj.comparison_price is not None else None


class SubmittedBidSerializer(BidSerializer):
    """The answer to a submission or a replacement: the bid and, once, the receipt its bidder keeps to verify it."""

    receipt = BidReceiptSerializer(read_only=True)

    class Meta(BidSerializer.Meta):
        fields = [*BidSerializer.Meta.fields, "receipt"]


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
        fields = [
            "id",
            "tender",
            "lot",
            "hospital",
            "product",
            "manufacturer",
            "reported_volume",
            "agreed_volume",
            "agreed_amount",
            "cycle_start",
            "cycle_end",
            "reason",
        ]


class DemandReportSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(source="lot.number", read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)

    class Meta:
        model = DemandReport
        fields = [
            "id",
            "tender",
            "lot",
            "lot_number",
            "hospital",
            "hospital_name",
            "annual_volume",
            "named_product",
            "reported_at",
        ]


class DemandInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    annual_volume = serializers.CharField(help_text="整数，最小制剂单位")
    named_product = serializers.IntegerField(required=False, allow_null=True, default=None)
    hospital = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="官员代医疗机构填报时必填"
    )


class DemandChangeSerializer(serializers.Serializer):
    annual_volume = serializers.CharField()
    named_product = serializers.IntegerField(required=False, allow_null=True, default=None)


class DemandReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """报量: a hospital's own reports (officials see and enter any hospital's), changed only during demand collection."""

    serializer_class = DemandReportSerializer
    filterset_fields = ["tender", "lot", "hospital"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        qs = DemandReport.objects.select_related("lot", "hospital", "tender").order_by("pk")
        return scope_to_organization(qs, self.request.user, field="hospital")

    def get_permissions(self):
        if self.action in ("create", "update", "partial_update", "destroy"):
            return [HasCapability("tender.report_demand", "tender.manage")()]
        return super().get_permissions()

    @staticmethod
    def _product(product_id):
        if product_id is None:
            return None
        product = Product.objects.filter(pk=product_id).first()
        if product is None:
            raise Http404
        return product

    @extend_schema(request=DemandInputSerializer, responses={201: DemandReportSerializer})
    def create(self, request):
        data = DemandInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = tender_selectors.lots_visible_to(request.user).filter(pk=data.validated_data["lot"]).first()
        if lot is None:
            raise Http404
        hospital = None
        if data.validated_data["hospital"] is not None:
            hospital = Organization.objects.filter(pk=data.validated_data["hospital"]).first()
            if hospital is None:
                raise Http404
        report = svc.demand_report(
            lot=lot,
            by=request.user,
            annual_volume=data.validated_data["annual_volume"],
            named_product=self._product(data.validated_data["named_product"]),
            hospital=hospital,
        )
        return Response(DemandReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DemandChangeSerializer, responses={200: DemandReportSerializer})
    def update(self, request, pk=None, partial=False):
        report = self.get_object()
        data = DemandChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = svc.demand_report(
            lot=report.lot,
            by=request.user,
            annual_volume=data.validated_data["annual_volume"],
            named_product=self._product(data.validated_data["named_product"]),
            hospital=report.hospital,
        )
        return Response(DemandReportSerializer(report).data)

    @extend_schema(request=DemandChangeSerializer, responses={200: DemandReportSerializer})
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request, pk=None):
        svc.demand_withdraw(report=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BidViewSet(BidVerifyAction, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
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

    @extend_schema(request=BidSubmitSerializer, responses={201: SubmittedBidSerializer})
    def create(self, request):
        data = BidSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = tender_selectors.lots_visible_to(request.user).filter(pk=data.validated_data["lot"]).first()
        product = Product.objects.filter(pk=data.validated_data["product"]).first()
        if lot is None or product is None:
            raise Http404
        bid = svc.bid_submit(
            lot=lot,
            product=product,
            price=data.validated_data["price"],
            supply_capacity=data.validated_data["supply_capacity"],
            by=request.user,
        )
        return Response(SubmittedBidSerializer(bid).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BidReplaceSerializer, responses={201: SubmittedBidSerializer})
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        bid = self.get_object()  # another manufacturer's bid is not found, whatever the body says
        data = BidReplaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = None
        if "product" in data.validated_data:
            product = Product.objects.filter(pk=data.validated_data["product"]).first()
            if product is None:
                raise Http404
        bid = svc.bid_replace(
            bid=bid,
            price=data.validated_data["price"],
            supply_capacity=data.validated_data["supply_capacity"],
            product=product,
            by=request.user,
        )
        return Response(SubmittedBidSerializer(bid).data, status=status.HTTP_201_CREATED)

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
    ("bids", BidViewSet, "bid"),
    ("demand-reports", DemandReportViewSet, "demand-report"),
    ("commitments", CommitmentViewSet, "commitment"),
]
