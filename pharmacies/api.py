"""REST endpoints of pharmacies, mounted under /api/v1/ by config/urls.py: the 双通道 designations (officials list,
designate and revoke; a pharmacy reads its own) and the negotiated-drug monitoring report (officials)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasCapability
from common import serializers

from . import selectors, services
from .models import DualChannelPharmacy


class DrugSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    generic_name = serializers.CharField()
    specification = serializers.CharField()
    nhsa_code = serializers.CharField()


class DesignationSerializer(serializers.ModelSerializer):
    pharmacy_name = serializers.CharField(source="pharmacy.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    products = DrugSerializer(many=True, read_only=True)
    designated_by = serializers.CharField(source="designated_by.__str__", read_only=True)
    live = serializers.SerializerMethodField()

    class Meta:
        model = DualChannelPharmacy
        fields = [
            "id",
            "pharmacy",
            "pharmacy_name",
            "region",
            "region_name",
            "all_negotiated",
            "products",
            "valid_from",
            "valid_to",
            "designated_by",
            "designated_at",
            "revoked_at",
            "revoke_reason",
            "live",
        ]

    def get_live(self, obj) -> bool:
        return obj.revoked_at is None


class DesignateSerializer(serializers.Serializer):
    pharmacy = serializers.CharField(help_text="定点零售药店的机构 id")
    region = serializers.CharField(help_text="统筹区（盟市）id，须为药店所在盟市")
    valid_from = serializers.CharField(help_text="YYYY-MM-DD")
    valid_to = serializers.CharField(required=False, allow_blank=True, default="", help_text="YYYY-MM-DD，空为长期")
    all_negotiated = serializers.BooleanField(required=False, default=False)
    products = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="供应的谈判药产品 id"
    )


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="撤销原因")


class DesignationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = DesignationSerializer
    queryset = DualChannelPharmacy.objects.none()
    filterset_fields = ["region", "pharmacy"]

    def get_permissions(self):
        if self.action in ("create", "revoke"):
            return [HasCapability("dual_channel.manage")()]
        return [HasCapability("dual_channel.view")()]

    def get_queryset(self):
        return selectors.designations_visible_to(self.request.user).order_by("pk")

    @extend_schema(request=DesignateSerializer, responses={201: DesignationSerializer})
    def create(self, request):
        data = DesignateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        designation = services.dual_channel_designate(by=request.user, **data.validated_data)
        designation = self.get_queryset().get(pk=designation.pk)
        return Response(DesignationSerializer(designation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RevokeSerializer, responses=DesignationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        designation = self.get_object()  # another pharmacy's or an unknown one: 404 before any input
        data = RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.dual_channel_revoke(by=request.user, designation=designation, reason=data.validated_data["reason"])
        return Response(DesignationSerializer(self.get_queryset().get(pk=designation.pk)).data)


class MonitoringDrugSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nhsa_code = serializers.CharField()
    generic_name = serializers.CharField()
    specification = serializers.CharField()
    maker = serializers.CharField()
    negotiated_from = serializers.DateField(allow_null=True)
    negotiated_to = serializers.DateField(allow_null=True)
    expiring = serializers.BooleanField()
    listings = serializers.IntegerField()
    min_price = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    max_price = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    hospitals = serializers.IntegerField()
    pharmacies = serializers.IntegerField()
    units = serializers.IntegerField()
    pharmacy_units = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    designations = serializers.IntegerField()
    dispensed = serializers.IntegerField()
    regions_without = serializers.ListField(child=serializers.CharField())


class MonitoringMonthSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    generic_name = serializers.CharField()
    specification = serializers.CharField()
    month = serializers.DateField()
    hospital_units = serializers.IntegerField()
    pharmacy_units = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)


class MonitoringSerializer(serializers.Serializer):
    date_from = serializers.DateField(source="filters.date_from")
    date_to = serializers.DateField(source="filters.date_to")
    region = serializers.IntegerField(source="filters.region", allow_null=True)
    drugs = MonitoringDrugSerializer(many=True)
    months = MonitoringMonthSerializer(many=True)


class MonitoringView(APIView):
    """谈判药监测: per negotiated drug, its listings, the hospitals and pharmacies that stocked it, the regions with
    none and its agreement dates; and the volumes by drug and month (two statements, whatever the number of drugs)."""

    permission_classes = [HasCapability("negotiated.monitor")]

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", str, description="YYYY-MM-DD，默认近 12 个月"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD，默认今天"),
            OpenApiParameter("region", int, description="统筹区（盟市）id"),
            OpenApiParameter("q", str, description="通用名或医保代码"),
            OpenApiParameter("only", str, enum=["expiring", "unlisted", "unstocked", "gaps"]),
        ],
        responses=MonitoringSerializer,
    )
    def get(self, request):
        report = selectors.monitoring(selectors.monitoring_filters(request.query_params))
        return Response(MonitoringSerializer(report).data)


routes: list[tuple] = [("dual-channel-pharmacies", DesignationViewSet, "dual-channel-pharmacy")]
urlpatterns: list = [path("negotiated-monitoring/", MonitoringView.as_view(), name="negotiated-monitoring")]
