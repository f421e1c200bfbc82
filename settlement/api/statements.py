"""Statements over the API: the scoped list and detail (with each statement's `allowed_actions`), and the steps —
claim, invoices, review, approve (one, with reductions, or in bulk), return to the manufacturer, payments."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import HasCapability
from catalog.identity import ProductIdentityField
from common import serializers
from common.numbers import parse_id

from .. import policies, selectors
from ..generation import parse_month
from ..models import SettlementLine, SettlementStatement
from ..services import payments, review, statements


class LineSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.generic_name", read_only=True)
    product_identity = ProductIdentityField(source="product")
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
            "product_identity",
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
            "reduced_amount",
            "reduction_reason",
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
        help_text="当前用户可对该结算单执行的操作：claim, invoices, review, approve, return, pay（settlement.policies）"
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
            "period_end",
            "status",
            "status_label",
            "line_count",
            "gross_amount",
            "returned_amount",
            "correction_amount",
            "amount",
            "disputed_amount",
            "reduced_amount",
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


class ReductionSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text="核减金额（元，两位小数；大于 0，不超过该明细的结算金额）")
    reason = serializers.CharField(allow_blank=True, help_text="核减原因（必填）")


class ApproveSerializer(serializers.Serializer):
    reductions = serializers.DictField(
        child=ReductionSerializer(),
        required=False,
        default=dict,
        help_text="核减：明细 id → {amount, reason}；为空表示按确认金额全额审核通过",
    )


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="退回原因（必填），企业与医疗机构可见")


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
        "return_to_manufacturer": policies.RETURN,
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
            qs = selectors.in_month(qs, parse_month(params["period"]))
        if params.get("overdue") in ("1", "true"):
            qs = qs.filter(overdue=True)
        if self.action == "retrieve":
            qs = qs.prefetch_related("lines__product__manufacturer", "lines__price_adjustment__statement")
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

    @extend_schema(request=ApproveSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        statement = self._statement(pk)
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = review.statement_approve(
            statement=statement, by=request.user, reductions=data.validated_data["reductions"]
        )
        return self._render(statement)

    @extend_schema(request=ReturnSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_manufacturer(self, request, pk=None):
        statement = self._statement(pk)
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = review.statement_return(statement=statement, by=request.user, reason=data.validated_data["reason"])
        return self._render(statement)

    @extend_schema(request=BulkApproveSerializer, responses=StatementSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="bulk-approve", pagination_class=None)
    def bulk_approve(self, request):
        data = BulkApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approved = review.statements_approve(statement_ids=data.validated_data["statement_ids"], by=request.user)
        return Response(StatementSerializer(approved, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=PaymentSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def payments(self, request, pk=None):
        statement = self._statement(pk)
        data = PaymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payments.payment_record(statement=statement, by=request.user, **data.validated_data)
        return self._render(self._statement(pk))
