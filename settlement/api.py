"""REST endpoints of direct settlement, mounted under /api/v1/ by config/urls.py.

Statements are scoped: a manufacturer sees its own, a hospital its own, fund officers all (another organisation's
statement is simply not found).
"""

from __future__ import annotations

from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization, Region
from accounts.permissions import HasCapability, can, scope_to_organization
from common import serializers
from common.money import quantize_amount
from common.numbers import param_id, parse_id
from procurement.models import Listing, Tender

from . import policies, selectors
from .errors import CommonError, PermissionDeniedError, SettlementError, ValidationFailed
from .generation import fund_for_region, generate_statements, parse_month
from .models import Prepayment, SettlementLine, SettlementStatement
from .services import corrections, payments, prepayments, statements
from .services.calendar import parse_date


class LineSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.generic_name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    original_statement = serializers.SerializerMethodField(
        help_text="已结算后价格更正：原结算单号（该验收明细结算所在的结算单）"
    )

    class Meta:
        model = SettlementLine
        fields = [
            "id",
            "kind",
            "kind_label",
            "receipt_line",
            "return_line",
            "price_adjustment",
            "original_statement",
            "correction",
            "product",
            "product_name",
            "received_on",
            "min_units",
            "returned_min_units",
            "unit_price",
            "settled_unit_price",
            "gross_amount",
            "returned_amount",
            "correction_amount",
            "amount",
            "due_on",
            "overdue",
            "disputed",
            "dispute_reason",
            "response",
        ]

    def get_original_statement(self, obj) -> str | None:
        return obj.price_adjustment.statement.number if obj.price_adjustment_id else None


class StatementSerializer(serializers.ModelSerializer):
    # A plain string in the schema (draft, claimed, hospital_confirmed, approved, partially_paid, paid): the enum
    # would collide with the other "status" enums of the API.
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    days_to_deadline = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text="当前用户可对该结算单执行的操作：claim, invoices, review, approve, pay（settlement.policies）"
    )

    class Meta:
        model = SettlementStatement
        fields = [
            "id",
            "number",
            "fund",
            "manufacturer",
            "manufacturer_name",
            "hospital",
            "hospital_name",
            "period",
            "status",
            "status_label",
            "line_count",
            "gross_amount",
            "returned_amount",
            "correction_amount",
            "amount",
            "disputed_amount",
            "approved_amount",
            "paid_amount",
            "invoice_numbers",
            "claim_due_on",
            "claimed_at",
            "claimed_late",
            "confirm_due_on",
            "confirmed_at",
            "auto_confirmed",
            "approved_at",
            "payment_due_on",
            "days_to_deadline",
            "overdue",
            "due_soon",
            "paid_at",
            "version",
            "allowed_actions",
        ]

    def get_days_to_deadline(self, obj) -> int:
        return selectors.days_to_deadline(obj)

    def get_allowed_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return sorted(policies.statement_allowed_actions(request.user, obj)) if request else []


class StatementDetailSerializer(StatementSerializer):
    lines = LineSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines"]


class ClaimSerializer(serializers.Serializer):
    invoice_numbers = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    drop_line_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    response = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.Serializer):
    disputes = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="明细 id → 争议原因；为空表示确认",
    )


class PaymentSerializer(serializers.Serializer):
    amount = serializers.CharField()
    reference = serializers.CharField(allow_blank=True)
    paid_on = serializers.DateField(required=False, allow_null=True)


class BulkApproveSerializer(serializers.Serializer):
    statement_ids = serializers.ListField(child=serializers.IntegerField())


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # The capability, then the statement, then the body: a denied request is a denial, never a list of field errors.
    # Who may take which step is settlement.policies' decision (a fund officer claims for a deactivated manufacturer).
    POLICY_ACTION = {
        "claim": policies.CLAIM,
        "invoices": policies.INVOICES,
        "review": policies.REVIEW,
        "approve": policies.APPROVE,
        "bulk_approve": policies.APPROVE,
        "payments": policies.PAY,
    }

    def get_permissions(self):
        action_name = self.POLICY_ACTION.get(self.action)
        needed = policies.CAPABILITIES[action_name] if action_name else ("settlement.view",)
        return [HasCapability(*needed)()]

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    def get_queryset(self):
        qs = selectors.statements_visible_to(self.request.user)
        params = self.request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("period"):
            qs = qs.filter(period=parse_month(params["period"]))
        if params.get("overdue") in ("1", "true"):
            qs = qs.filter(overdue=True)
        if self.action == "retrieve":
            qs = qs.prefetch_related("lines__product", "lines__price_adjustment__statement")
        return qs.order_by("-period", "number")

    def _statement(self, pk) -> SettlementStatement:
        return get_object_or_404(selectors.statements_visible_to(self.request.user), pk=pk)

    def _render(self, statement):
        statement.refresh_from_db()
        return Response(StatementDetailSerializer(statement, context=self.get_serializer_context()).data)

    @extend_schema(request=ClaimSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        statement = self._statement(pk)
        statements.ensure_may_claim(statement, request.user)
        data = ClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = statements.statement_claim(statement=statement, by=request.user, **data.validated_data)
        return self._render(statement)

    @extend_schema(request=ClaimSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def invoices(self, request, pk=None):
        statement = self._statement(pk)
        data = ClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = statements.statement_update_invoices(
            statement=statement, by=request.user, invoice_numbers=data.validated_data["invoice_numbers"]
        )
        return self._render(statement)

    @extend_schema(request=ReviewSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        statement = self._statement(pk)
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        disputes = {
            parse_id(k, field=f"disputes.{k}"[:80], label=_("争议明细 id")): v
            for k, v in data.validated_data["disputes"].items()
        }
        statement = statements.statement_review(statement=statement, by=request.user, disputes=disputes)
        return self._render(statement)

    @extend_schema(request=None, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._render(statements.statement_approve(statement=self._statement(pk), by=request.user))

    @extend_schema(request=BulkApproveSerializer, responses=StatementSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="bulk-approve", pagination_class=None)
    def bulk_approve(self, request):
        data = BulkApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approved = statements.statements_approve(statement_ids=data.validated_data["statement_ids"], by=request.user)
        return Response(StatementSerializer(approved, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=PaymentSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def payments(self, request, pk=None):
        statement = self._statement(pk)
        data = PaymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payments.payment_record(statement=statement, by=request.user, **data.validated_data)
        return self._render(self._statement(pk))


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
        _manager(request)  # the right first: a denied request is a denial, never a list of field errors
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


def _manager(request):
    if not can(request.user, "settlement.manage"):
        raise PermissionDeniedError(_("您没有执行此操作的权限"), code=CommonError.PERMISSION_DENIED)


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
        responses={200: dict, 400: dict},
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


class ReportView(APIView):
    """Balances, reconciliation, retained savings and the overdue list."""

    permission_classes = [HasCapability("settlement.view")]
    report = ""

    @extend_schema(responses=dict)
    def get(self, request):
        params = request.query_params
        if self.report == "balances":
            rows = [
                {**r, "balance": str(r["balance"]), "debit": str(r["debit"] or 0), "credit": str(r["credit"] or 0)}
                for r in selectors.balances(request.user, kind=params.get("kind") or None)
            ]
            return Response({"results": rows})
        if self.report == "overdue":
            rows = StatementSerializer(
                selectors.overdue_statements(request.user)[:500], many=True, context={"request": request}
            ).data
            return Response({"results": rows})
        _manager(request)
        if self.report == "reconciliation":
            fund = None
            if params.get("region"):
                region = Region.objects.filter(code=params["region"]).first()
                if region is None:
                    raise ValidationFailed(
                        _("统筹区代码“%(code)s”不存在") % {"code": params["region"][:20]},
                        field="region",
                        code=SettlementError.REGION_UNKNOWN,
                    )
                fund = fund_for_region(region)
            report = selectors.reconciliation(period=parse_month(params.get("period", "")), fund=fund)
            rows = [
                {
                    "statement": r["statement"].number,
                    **{k: str(v) for k, v in r.items() if k not in ("statement", "differences")},
                    "differences": r["differences"],
                }
                for r in report["rows"]
            ]
            return Response(
                {
                    "period": report["period"],
                    "totals": {k: str(v) for k, v in report["totals"].items()},
                    "rows": rows,
                    "unbalanced_entries": [
                        {"entry": e["pk"], "total": str(e["total"])} for e in report["unbalanced_entries"]
                    ],
                }
            )
        tender_id = param_id(params, "tender")
        if tender_id is None:
            raise ValidationFailed(_("请指定批次（tender）"), field="tender", code=CommonError.REQUIRED)
        tender = Tender.objects.filter(pk=tender_id).first()
        if tender is None:
            raise Http404
        rows = selectors.retained_savings(tender=tender)
        return Response(
            {
                "results": [
                    {
                        "hospital": r["hospital"],
                        "savings": str(r["savings"]),
                        "share": str(r["share"]),
                        "retained": str(r["retained"]),
                        "lots": [{k: str(v) for k, v in lot.items()} for lot in r["lots"]],
                    }
                    for r in rows
                ]
            }
        )


routes: list[tuple] = [
    ("settlement/statements", StatementViewSet, "settlement-statement"),
    ("settlement/prepayments", PrepaymentViewSet, "settlement-prepayment"),
]
urlpatterns: list = [
    path("settlement/payment-files/", PaymentFileView.as_view(), name="settlement-payment-file"),
    path("settlement/generate/", GenerateView.as_view(), name="settlement-generate"),
    path("settlement/price-corrections/", PriceCorrectionView.as_view(), name="settlement-price-correction"),
    path("settlement/balances/", ReportView.as_view(report="balances"), name="settlement-balances"),
    path("settlement/overdue/", ReportView.as_view(report="overdue"), name="settlement-overdue"),
    path("settlement/reconciliation/", ReportView.as_view(report="reconciliation"), name="settlement-reconciliation"),
    path("settlement/retained-savings/", ReportView.as_view(report="retained"), name="settlement-retained-savings"),
]
