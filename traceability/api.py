"""REST endpoints of traceability codes, mounted under /api/v1/ by config/urls.py: a delivery's codes (distributor
records, both sides read), receipt by code and stock (hospital), flags (officials; a hospital its own), the
insurance platform's dispensing file (fund officers). Another organisation's delivery is not found (404)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasCapability
from common import serializers
from common.errors import CommonError, NotFoundError, ValidationFailed
from common.parsers import JSONParser
from procurement.models import Delivery

from . import selectors
from .inputs import code_rows, scanned_codes
from .models import DeliveryCode, TraceFlag
from .services.common import delivery_for
from .services.dispensing import dispensing_import
from .services.receiving import codes_receive
from .services.recording import codes_record
from .services.returning import codes_return


class CodeRowSerializer(serializers.Serializer):
    delivery_line = serializers.IntegerField(required=False)
    code = serializers.CharField()
    parent = serializers.CharField(required=False, allow_blank=True)


class RecordCodesSerializer(serializers.Serializer):
    delivery_line = serializers.IntegerField(required=False, help_text="行未给出配送明细时使用")
    rows = CodeRowSerializer(many=True, required=False)
    text = serializers.CharField(required=False, allow_blank=True, help_text="扫码输入：每行一个码，可写 码,上级码")
    file = serializers.FileField(required=False, help_text="CSV/xlsx：配送明细, 追溯码, 上级码")


class RecordResultSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()
    packs = serializers.IntegerField()
    wrong_product = serializers.IntegerField()


class DeliveryCodeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="trace_code.code")
    kind = serializers.CharField(source="trace_code.kind")
    serialised = serializers.BooleanField(source="trace_code.serialised")
    parent_code = serializers.CharField(source="parent.trace_code.code", default="")

    class Meta:
        model = DeliveryCode
        fields = [
            "id",
            "code",
            "kind",
            "serialised",
            "delivery_line",
            "product",
            "parent_code",
            "is_pack",
            "received_at",
        ]


class LineCountSerializer(serializers.Serializer):
    delivery_line = serializers.IntegerField()
    packs = serializers.IntegerField()
    recorded = serializers.IntegerField()
    received = serializers.IntegerField()


class DeliveryCodesSerializer(serializers.Serializer):
    lines = LineCountSerializer(many=True)
    codes = DeliveryCodeSerializer(many=True)


class ReceiveSerializer(serializers.Serializer):
    codes = serializers.ListField(child=serializers.CharField(), required=False)
    text = serializers.CharField(required=False, allow_blank=True, help_text="扫码输入：每行一个码")
    complete = serializers.BooleanField(required=False, default=True, help_text="本次扫码即全部到货")
    confirm = serializers.BooleanField(
        required=False, help_text="同时完成入库验收（按扫到的包装）；配送单有追溯码时默认是"
    )
    reason = serializers.CharField(required=False, allow_blank=True, help_text="有未扫到的包装时的短少原因")


class ShortfallSerializer(serializers.Serializer):
    delivery_line = serializers.IntegerField()
    packs = serializers.IntegerField()
    accepted = serializers.IntegerField()
    short = serializers.IntegerField()


class ReceiveResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    unmatched = serializers.ListField(child=serializers.CharField())
    duplicates = serializers.IntegerField()
    count_mismatch = serializers.ListField(child=serializers.DictField())
    receipt = serializers.IntegerField(allow_null=True, help_text="入库验收编号（未验收时为空）")
    accepted_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    shortfalls = ShortfallSerializer(many=True)


class CodeReturnSerializer(serializers.Serializer):
    codes = serializers.ListField(child=serializers.CharField(), required=False)
    text = serializers.CharField(required=False, allow_blank=True, help_text="扫码输入：每行一个码，箱码即箱内全部包装")
    reason = serializers.CharField(help_text="退货原因")


class CodeReturnedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    order = serializers.IntegerField()
    packs = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class CodeReturnResultSerializer(serializers.Serializer):
    packs = serializers.IntegerField()
    returns = CodeReturnedSerializer(many=True)


class StockSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    name = serializers.CharField()
    specification = serializers.CharField()
    received = serializers.IntegerField()
    returned = serializers.IntegerField()
    used = serializers.IntegerField()
    stock = serializers.IntegerField()


class FlagSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="trace_code.code", default="")
    delivery_number = serializers.CharField(source="delivery.number", default="")

    class Meta:
        model = TraceFlag
        fields = ["id", "kind", "code", "delivery", "delivery_number", "hospital", "data", "raised_at"]


class DispensingResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rows = serializers.IntegerField()
    flagged = serializers.IntegerField()


def _flag(value) -> bool:
    """A yes/no field of JSON or a form: false, "false", "0" and "" are no."""
    return str(value).strip().lower() not in ("0", "false", "")


def _visible_delivery(user, pk) -> Delivery:
    delivery = Delivery.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if delivery is None or user.organization_id not in (delivery.distributor_id, delivery.hospital_id):
        raise NotFoundError(gettext("配送单不存在"))
    return delivery


class DeliveryCodesView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    permission_classes = [HasCapability("order.fulfil", "order.receive")]

    @extend_schema(operation_id="traceability_deliveries_codes_list", responses={200: DeliveryCodesSerializer})
    def get(self, request, pk: int):
        delivery = _visible_delivery(request.user, pk)
        body = {"lines": selectors.delivery_counts(delivery.pk), "codes": selectors.delivery_codes(delivery.pk)}
        return Response(DeliveryCodesSerializer(body).data)

    @extend_schema(
        operation_id="traceability_deliveries_codes_create",
        request={"application/json": RecordCodesSerializer, "multipart/form-data": RecordCodesSerializer},
        responses={201: RecordResultSerializer},
    )
    def post(self, request, pk: int):
        delivery_for(delivery_id=pk, by=request.user, side="distributor")  # another's delivery: 404 before any input
        rows = code_rows(
            upload=request.FILES.get("file"), text=str(request.data.get("text") or ""), rows=request.data.get("rows")
        )
        result = codes_record(
            delivery_id=pk, by=request.user, rows=rows, delivery_line_id=request.data.get("delivery_line") or None
        )
        return Response(RecordResultSerializer(result).data, status=201)


class ReceiveView(APIView):
    permission_classes = [HasCapability("order.receive")]

    @extend_schema(
        operation_id="traceability_deliveries_receive_create",
        request=ReceiveSerializer,
        responses={200: ReceiveResultSerializer},
    )
    def post(self, request, pk: int):
        delivery_for(delivery_id=pk, by=request.user, side="hospital")  # another's delivery: 404 before any input
        codes = scanned_codes(text=str(request.data.get("text") or ""), codes=request.data.get("codes"))
        result = codes_receive(
            delivery_id=pk,
            by=request.user,
            codes=codes,
            complete=_flag(request.data.get("complete", True)),
            confirm=None if request.data.get("confirm") in (None, "") else _flag(request.data["confirm"]),
            reason=str(request.data.get("reason") or ""),
        )
        return Response(ReceiveResultSerializer(result).data)


class ReturnView(APIView):
    permission_classes = [HasCapability("order.receive")]

    @extend_schema(
        operation_id="traceability_returns_create",
        request=CodeReturnSerializer,
        responses={201: CodeReturnResultSerializer},
    )
    def post(self, request):
        codes = scanned_codes(text=str(request.data.get("text") or ""), codes=request.data.get("codes"))
        result = codes_return(by=request.user, codes=codes, reason=str(request.data.get("reason") or ""))
        return Response(CodeReturnResultSerializer(result).data, status=201)


class StockView(APIView):
    permission_classes = [HasCapability("order.receive")]

    @extend_schema(operation_id="traceability_stock_list", responses={200: StockSerializer(many=True)})
    def get(self, request):
        return Response(StockSerializer(selectors.hospital_stock(request.user.organization_id), many=True).data)


class FlagsView(APIView):
    permission_classes = [HasCapability("progress.view_all", "order.receive")]

    @extend_schema(operation_id="traceability_flags_list", responses={200: FlagSerializer(many=True)})
    def get(self, request):
        flags = selectors.flags_visible_to(request.user)
        kind = request.query_params.get("kind")
        if kind:
            flags = flags.filter(kind=kind)
        return Response(FlagSerializer(flags[:1000], many=True).data)


class DispensingImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [HasCapability("settlement.manage")]

    @extend_schema(
        operation_id="traceability_dispensing_imports_create",
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses={201: DispensingResultSerializer},
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(gettext("请上传文件"), field="file", code=CommonError.REQUIRED)
        source = dispensing_import(content=upload.read(), file_name=upload.name, by=request.user)
        return Response({"id": source.pk, "rows": source.rows, "flagged": source.flagged}, status=201)


routes: list[tuple] = []
urlpatterns = [
    path("traceability/deliveries/<int:pk>/codes/", DeliveryCodesView.as_view(), name="traceability-delivery-codes"),
    path("traceability/deliveries/<int:pk>/receive/", ReceiveView.as_view(), name="traceability-delivery-receive"),
    path("traceability/returns/", ReturnView.as_view(), name="traceability-returns"),
    path("traceability/stock/", StockView.as_view(), name="traceability-stock"),
    path("traceability/flags/", FlagsView.as_view(), name="traceability-flags"),
    path("traceability/dispensing-imports/", DispensingImportView.as_view(), name="traceability-dispensing-import"),
]
