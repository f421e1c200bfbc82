"""API of price observations (checked filters, import), reference prices (import) and scans."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.permissions import HasCapability
from common import outbox, serializers

from .. import selectors
from ..models import (
    PriceObservation,
    PriceScan,
    ReferencePrice,
)
from ..services import imports as import_svc
from .common import _valid


class ObservationSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceObservation
        fields = [
            "id",
            "product",
            "hospital",
            "region",
            "province",
            "observed_on",
            "unit_price",
            "quantity",
            "amount",
            "source",
            "receipt_line_id",
            "import_batch",
            "created_at",
        ]


class PriceImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


def _report(report, **extra) -> dict:
    return {
        "ok": report.ok,
        "written": report.written,
        "counts": report.counts(),
        "errors": [{"row": r.row, "errors": r.errors} for r in report.error_rows[:1000]],
        **extra,
    }


class ObservationViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasCapability("pricing.view")]
    serializer_class = ObservationSerializer
    """Observations. Filters: product, hospital, source, import_batch, observed_on (and __gte / __lte); any other
    parameter is a 400 naming it (a misspelt filter must not silently return everything)."""

    filterset_fields = {
        "product": ["exact"],
        "hospital": ["exact"],
        "source": ["exact"],
        "import_batch": ["exact"],
        "observed_on": ["exact", "gte", "lte"],
    }
    parser_classes = [MultiPartParser, FormParser]
    queryset = PriceObservation.objects.order_by("-observed_on", "-pk")

    def list(self, request, *args, **kwargs):
        allowed = {
            f"{name}__{lookup}" if lookup != "exact" else name
            for name, lookups in self.filterset_fields.items()
            for lookup in lookups
        }
        selectors.refuse_unknown_parameters(request.query_params, allowed)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PriceImportSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="import")
    def import_file(self, request):
        data = _valid(PriceImportSerializer, request)
        upload = data["file"]
        report, batch = import_svc.observations_import(
            content=upload.read(), filename=upload.name, by=request.user, dry_run=data["dry_run"]
        )
        return Response(_report(report, batch=batch), status=200 if report.ok else 400)


class ReferencePriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferencePrice
        fields = ["id", "product", "kind", "unit_price", "valid_from", "valid_to", "source", "selected", "lot_label"]


class ReferencePriceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasCapability("pricing.view")]
    serializer_class = ReferencePriceSerializer
    filterset_fields = ["product", "kind"]
    parser_classes = [MultiPartParser, FormParser]
    queryset = ReferencePrice.objects.order_by("product_id", "kind", "-valid_from")

    @extend_schema(request=PriceImportSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="import")
    def import_file(self, request):
        data = _valid(PriceImportSerializer, request)
        upload = data["file"]
        report = import_svc.reference_prices_import(
            content=upload.read(), filename=upload.name, by=request.user, dry_run=data["dry_run"]
        )
        return Response(_report(report), status=200 if report.ok else 400)


class ScanSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceScan
        fields = [
            "id",
            "full",
            "since",
            "until",
            "status",
            "started_at",
            "finished_at",
            "observations",
            "findings",
            "alerts_opened",
            "alerts_updated",
            "error",
        ]


class ScanRequestSerializer(serializers.Serializer):
    full = serializers.BooleanField(required=False, default=False)


class ScanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recorded scans; `POST` queues a scan (the worker runs it; a scan already running makes it a no-op)."""

    permission_classes = [HasCapability("pricing.scan")]
    serializer_class = ScanSerializer
    queryset = PriceScan.objects.order_by("-started_at")

    @extend_schema(request=ScanRequestSerializer, responses={202: dict})
    def create(self, request):
        data = _valid(ScanRequestSerializer, request)
        outbox.enqueue("pricing.scan_prices", kwargs={"full": data["full"]}, dedupe_key=f"price-scan:{data['full']}")
        return Response({"queued": True, "full": data["full"]}, status=status.HTTP_202_ACCEPTED)
