"""The fund officers' operations over the API: prepayments, bank payment files, generation on demand, price
corrections."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization, Region
from accounts.permissions import HasCapability, require, scope_to_organization
from common import serializers
from common.api import error_body
from common.money import quantize_amount
from common.numbers import param_id
from procurement.models import Listing, Tender

from ..errors import CommonError, SettlementError, ValidationFailed
from ..generation import generate_statements
from ..models import Prepayment
from ..services import corrections, payments, prepayments
from ..services.calendar import parse_date


class PrepaymentSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)

    class Meta:
        model = Prepayment
        fields = [
            "id",
            "fund",
            "hospital",
            "hospital_name",
            "tender",
            "cycle_start",
            "cycle_end",
            "agreed_amount",
            "rate",
            "amount",
            "paid_on",
            "reference",
        ]
        read_only_fields = ["fund", "cycle_start", "cycle_end", "agreed_amount", "amount"]
        extra_kwargs = {"rate": {"required": False}, "paid_on": {"required": False}, "reference": {"required": False}}


class PrepaymentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = PrepaymentSerializer
    permission_classes = [HasCapability("settlement.view")]

    def get_queryset(self):
        return scope_to_organization(
            Prepayment.objects.select_related("hospital"), self.request.user, "hospital"
        ).order_by("-paid_on", "pk")

    def create(self, request, *args, **kwargs):
        require(
            request.user, "settlement.manage"
        )  # the right first: a denied request is a denial, never a list of field errors
        hospital_id, tender_id = param_id(request.data, "hospital"), param_id(request.data, "tender")
        hospital = Organization.objects.filter(pk=hospital_id, kind="hospital").first() if hospital_id else None
        tender = Tender.objects.filter(pk=tender_id).first() if tender_id else None
        if hospital is None:
            raise ValidationFailed(_("医疗机构不存在"), field="hospital", code=SettlementError.HOSPITAL_UNKNOWN)
        if tender is None:
            raise ValidationFailed(_("批次不存在"), field="tender", code=SettlementError.TENDER_UNKNOWN)
        prepayment = prepayments.prepayment_create(
            hospital=hospital,
            tender=tender,
            by=request.user,
            rate=request.data.get("rate"),
            reference=request.data.get("reference", ""),
            paid_on=parse_date(request.data["paid_on"], field="paid_on") if request.data.get("paid_on") else None,
        )
        return Response(PrepaymentSerializer(prepayment).data, status=201)


class PaymentFileView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [HasCapability("settlement.manage")]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}, "dry_run": {"type": "boolean"}},
            }
        },
        responses={200: dict},
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(_("请上传银行回单文件"), field="file", code=CommonError.REQUIRED)
        rows = payments.read_payment_file(upload)
        result = payments.payments_import(
            rows=rows,
            file_name=upload.name,
            by=request.user,
            dry_run=str(request.data.get("dry_run", "")).lower() in ("1", "true"),
        )
        body = {
            "ok": result.ok,
            "error": result.error,
            "total": str(result.total),
            "rows": result.rows,
            "import_id": getattr(result.payment_import, "pk", None),
        }
        if not result.ok:
            # The platform's error body, naming the file, each refused row under `errors`; the row report stays.
            refused = [r for r in result.rows if r["result"] == "error"]
            code = SettlementError.PAYMENT_FILE_ROWS_INVALID if refused else SettlementError.PAYMENT_FILE_EMPTY
            errors = [error_body(r["code"], r["message"], f"rows.{r['row']}") for r in refused]
            body = {**error_body(code, result.error, "file"), "errors": errors, **body}
        return Response(body, status=200 if result.ok else 400)


class GenerateSerializer(serializers.Serializer):
    month = serializers.CharField()
    region = serializers.CharField(required=False, allow_blank=True)


class GenerateView(APIView):
    permission_classes = [HasCapability("settlement.manage")]

    @extend_schema(request=GenerateSerializer, responses=dict)
    def post(self, request):
        data = GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        region = None
        if data.validated_data.get("region"):
            region = Region.objects.filter(code=data.validated_data["region"], level="league_city").first()
            if region is None:
                raise ValidationFailed(_("统筹区代码不存在"), field="region", code=SettlementError.REGION_UNKNOWN)
        run = generate_statements(month=data.validated_data["month"], region=region)
        return Response(
            {
                "run": run.pk,
                "period": run.period,
                "statements_created": run.statements_created,
                "lines_created": run.lines_created,
            }
        )


class PriceCorrectionSerializer(serializers.Serializer):
    listing = serializers.IntegerField()
    unit_price = serializers.CharField(help_text="更正后单价（每最小制剂单位，最多四位小数）")
    effective_from = serializers.CharField(help_text="YYYY-MM-DD")
    effective_to = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="YYYY-MM-DD，空为长期"
    )
    reason = serializers.CharField(allow_blank=True)


class PriceCorrectionView(APIView):
    """价格更正: 201 with the new correction and the adjustments recorded for lines already settled; 200 with the
    existing one when it repeats the listing's latest correction (nothing written)."""

    permission_classes = [HasCapability("settlement.manage")]

    @extend_schema(request=PriceCorrectionSerializer, responses=dict)
    def post(self, request):
        data = PriceCorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        listing = Listing.objects.filter(pk=values["listing"]).first()
        if listing is None:
            raise ValidationFailed(_("挂网产品不存在"), field="listing", code=SettlementError.LISTING_UNKNOWN)
        correction = corrections.price_correction_create(
            listing=listing,
            unit_price=values["unit_price"],
            effective_from=values["effective_from"],
            effective_to=values.get("effective_to"),
            reason=values["reason"],
            by=request.user,
        )
        adjustments = correction.adjustments.aggregate(n=Count("pk"), total=Sum("amount"))
        return Response(
            {
                "id": correction.pk,
                "listing": listing.pk,
                "unit_price": str(correction.unit_price),
                "effective_from": correction.effective_from,
                "effective_to": correction.effective_to,
                "reason": correction.reason,
                "adjustments": adjustments["n"],
                "adjustments_amount": str(quantize_amount(adjustments["total"] or 0)),
            },
            status=201 if correction.created else 200,
        )
