"""REST endpoints of off-platform purchases (their list and xlsx/csv import) and the online-purchase share per
hospital or league."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasCapability, is_official, scope_to_organization
from common import serializers
from common.numbers import param_id
from common.parsers import JSONParser

from .. import online_share
from ..errors import CommonError, OrderError, ValidationFailed
from ..models import OffPlatformPurchase
from ..offplatform import offplatform_import
from .order_inputs import validated


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


def _parse_day(value: str, field: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            _("日期“%(value)s”格式应为 YYYY-MM-DD") % {"value": value}, field=field, code=OrderError.INVALID_DATE
        ) from None


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
        data = validated(ImportSerializer, request)
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
            raise ValidationFailed(_("by 只能是 hospital 或 region"), field="by", code=CommonError.INVALID)
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
    ("offplatform-purchases", OffPlatformViewSet, "offplatform-purchase"),
]
