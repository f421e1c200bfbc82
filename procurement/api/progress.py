"""REST endpoints of agreed-volume progress, mounted under /api/v1/ through procurement.api.routes.

- `commitment-progress/` — progress rows (cycle-to-date by default; `?period_kind=month` for months), filterable by
  tender, lot, region, hospital, manufacturer, status and commitment; scoped like the pages.
- `commitment-progress/rollup/?by=tender|lot|region|hospital|manufacturer` — completion summed per group.
- `manufacturer-progress/` — awarded volumes, ordered, shipped, received, delivery-lag flag.
- `commitment-progress-runs/` — the runs (officials).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import HasCapability
from common import serializers
from common.numbers import param_id

from ..errors import TenderError, ValidationFailed
from ..models import CommitmentProgress, ManufacturerProgress, ProgressRun
from ..selectors import progress as sel

VIEWERS = ("progress.view_all", "progress.view_hospital", "progress.view_manufacturer")


class ProgressSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    remaining_units = serializers.IntegerField(read_only=True)
    surplus_units = serializers.IntegerField(read_only=True)

    class Meta:
        model = CommitmentProgress
        fields = [
            "id",
            "commitment",
            "tender",
            "lot",
            "hospital",
            "manufacturer",
            "region",
            "period_kind",
            "period_start",
            "period_end",
            "agreed_volume",
            "expected_units",
            "received_units",
            "received_amount",
            "returned_units",
            "substitute_units",
            "substitute_amount",
            "cumulative_units",
            "cumulative_amount",
            "cumulative_substitute_units",
            "completion_rate",
            "substitution_ratio",
            "projected_units",
            "status",
            "status_label",
            "remaining_units",
            "surplus_units",
        ]


class RollupSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    commitments = serializers.IntegerField()
    agreed = serializers.IntegerField()
    expected = serializers.IntegerField()
    received = serializers.IntegerField()
    substitutes = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    completion = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    pro_rata = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    substitution = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    behind = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    completed = serializers.IntegerField()


class ManufacturerProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = ManufacturerProgress
        fields = [
            "id",
            "manufacturer",
            "tender",
            "agreed_volume",
            "ordered_units",
            "due_units",
            "shipped_units",
            "received_units",
            "received_amount",
            "delivery_lag",
        ]


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressRun
        fields = ["id", "kind", "hospital", "as_of", "status", "started_at", "finished_at", "rows", "alerts", "error"]


FILTER_PARAMS = [
    OpenApiParameter(name, str, description="编号" if name != "status" else "进度状态") for name in sel.FILTERS
]


class CommitmentProgressViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgressSerializer
    queryset = CommitmentProgress.objects.none()

    def get_permissions(self):
        return [HasCapability(*VIEWERS)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CommitmentProgress.objects.none()
        params = self.request.query_params
        kind = params.get("period_kind") or CommitmentProgress.PeriodKind.CYCLE
        qs = sel.apply_filters(sel.progress_visible_to(self.request.user), params).filter(period_kind=kind)
        commitment = param_id(params, "commitment")
        if commitment is not None:
            qs = qs.filter(commitment_id=commitment)
        return qs.order_by("commitment_id", "period_start")

    @extend_schema(
        parameters=[
            *FILTER_PARAMS,
            OpenApiParameter("period_kind", str, enum=["cycle", "month"]),
            OpenApiParameter("commitment", int),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[*FILTER_PARAMS, OpenApiParameter("by", str, enum=[*sel.ROLLUPS])],
        responses=RollupSerializer(many=True),
    )
    @action(detail=False, pagination_class=None)  # a few groups: the whole list, as documented
    def rollup(self, request):
        by = request.query_params.get("by", "lot")
        if by not in sel.ROLLUPS:
            raise ValidationFailed(
                _("汇总方式应为 %(items)s 之一") % {"items": " / ".join(sel.ROLLUPS)},
                field="by",
                code=TenderError.UNKNOWN_ROLLUP,
            )
        groups = sel.rollup(sel.cycle_rows(request.user, request.query_params), by)
        return Response(RollupSerializer(groups, many=True).data)


class ManufacturerProgressViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ManufacturerProgressSerializer
    queryset = ManufacturerProgress.objects.none()
    filterset_fields = ["tender", "manufacturer", "delivery_lag"]

    def get_permissions(self):
        return [HasCapability("progress.view_all", "progress.view_manufacturer")()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ManufacturerProgress.objects.none()
        return sel.manufacturer_rows(self.request.user).order_by("pk")


class ProgressRunViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RunSerializer
    queryset = ProgressRun.objects.order_by("-started_at", "-id")
    filterset_fields = ["kind", "status"]

    def get_permissions(self):
        return [HasCapability("progress.view_all")()]


routes = [
    ("commitment-progress", CommitmentProgressViewSet, "commitment-progress"),
    ("manufacturer-progress", ManufacturerProgressViewSet, "manufacturer-progress"),
    ("commitment-progress-runs", ProgressRunViewSet, "commitment-progress-run"),
]
