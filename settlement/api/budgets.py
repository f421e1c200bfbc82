"""The fund position over the API: budgets (总额预算) with what drew on them, budget and claims files, the monthly and
year-end settlements, retained-savings awards (结余留用) and hospital scores (综合绩效). Lists are scoped (a hospital
sees its own, officials all) and each is one query; the steps are for fund officers."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Region
from accounts.permissions import HasCapability, require
from common import serializers
from common.numbers import param_id
from common.parsers import JSONParser
from procurement.models import Tender

from .. import positions, yearend
from ..errors import SettlementError, ValidationFailed
from ..generation import fund_for_region
from ..models import (
    BudgetAllocation,
    BudgetMonthSettlement,
    BudgetYearSettlement,
    FundAccount,
    HospitalScore,
    SavingsAward,
)
from ..services import budgets, savings, scores
from ..services.calendar import parse_date

MONEY = {"max_digits": 16, "decimal_places": 2, "read_only": True}


class BudgetSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    months = serializers.SerializerMethodField()
    claims = serializers.DecimalField(**MONEY)
    owed = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    withheld = serializers.DecimalField(**MONEY)
    held = serializers.DecimalField(**MONEY)
    shortfall = serializers.DecimalField(**MONEY)
    fund_share = serializers.DecimalField(allow_null=True, **MONEY)
    hospital_share = serializers.DecimalField(allow_null=True, **MONEY)

    class Meta:
        model = BudgetAllocation
        fields = [
            "id",
            "hospital",
            "hospital_name",
            "year",
            "total",
            "source",
            "months",
            "claims",
            "owed",
            "paid",
            "withheld",
            "held",
            "shortfall",
            "fund_share",
            "hospital_share",
        ]

    def get_months(self, obj) -> list[str]:
        return [str(m.amount) for m in obj.months.all()]


class BudgetInputSerializer(serializers.Serializer):
    hospital = serializers.CharField(help_text="医疗机构 id")
    year = serializers.CharField(help_text="年度，如 2026")
    months = serializers.ListField(child=serializers.CharField(), help_text="12 个月的预算金额（元，两位小数，≥ 0）")


class BudgetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """总额预算 per hospital and year with what drew on it; POST enters (or replaces) one."""

    serializer_class = BudgetSerializer
    permission_classes = [HasCapability("settlement.view")]
    parser_classes = [JSONParser, FormParser]

    def get_queryset(self):
        year = param_id(self.request.query_params, "year")
        return positions.budgets_visible_to(self.request.user, year=year)

    @extend_schema(request=BudgetInputSerializer, responses={201: BudgetSerializer})
    def create(self, request):
        require(request.user, "settlement.manage")
        data = request.data
        months = data.getlist("months") if hasattr(data, "getlist") else data.get("months")
        allocation = budgets.budget_set(
            hospital_id=param_id(data, "hospital") or 0, year=data.get("year"), months=months, by=request.user
        )
        return Response(BudgetSerializer(self.get_queryset().get(pk=allocation.pk)).data, status=201)


class BudgetFileSerializer(serializers.Serializer):
    file = serializers.FileField()


class _FileView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [HasCapability("settlement.manage")]
    columns: list[str] = []  # the file's required header (not `headers`: APIView's response headers)

    def rows(self, request) -> list[dict]:
        return budgets.read_rows(request.FILES.get("file"), self.columns)


class BudgetFileView(_FileView):
    """A budget file (医疗机构代码, 年度, 1月 … 12月): all rows or none; 201 with the budgets written."""

    columns = budgets.BUDGET_HEADERS

    @extend_schema(request={"multipart/form-data": BudgetFileSerializer}, responses={201: dict})
    def post(self, request):
        done = budgets.budgets_import(rows=self.rows(request), by=request.user)
        return Response({"budgets": len(done), "ids": [b.pk for b in done]}, status=201)


class ClaimFileView(_FileView):
    """The insurance information platform's monthly claims export (医疗机构代码, 月份, 申报金额): all rows or none."""

    columns = budgets.CLAIM_HEADERS

    @extend_schema(request={"multipart/form-data": BudgetFileSerializer}, responses={201: dict})
    def post(self, request):
        upload = request.FILES.get("file")
        done = budgets.claims_import(rows=self.rows(request), file_name=upload.name, by=request.user)
        return Response({"claims": len(done)}, status=201)


def _funds(region_code: str):
    if not region_code:
        return list(FundAccount.objects.filter(is_active=True))
    region = Region.objects.filter(code=region_code, level="league_city").first()
    if region is None:
        raise ValidationFailed(_("统筹区代码不存在"), field="region", code=SettlementError.REGION_UNKNOWN)
    return [fund_for_region(region)]


class SettleSerializer(serializers.Serializer):
    month = serializers.CharField(required=False, help_text="YYYY-MM（月度拨付）")
    year = serializers.CharField(required=False, help_text="年度（年度清算）")
    region = serializers.CharField(required=False, allow_blank=True)


class BudgetMonthSettleView(APIView):
    """医保结算款月度拨付 of a month, for one pooling region or all: idempotent."""

    permission_classes = [HasCapability("settlement.manage")]

    @extend_schema(request=SettleSerializer, responses=dict)
    def post(self, request):
        month = request.data.get("month")
        done = [
            s
            for fund in _funds(request.data.get("region", ""))
            for s in budgets.budget_month_settle(fund=fund, month=month, by=request.user)
        ]
        return Response({"settled": len(done), "paid": str(sum((s.paid for s in done), 0))})


class YearEndView(APIView):
    """年度清算 with over-spend sharing, for one pooling region or all: idempotent."""

    permission_classes = [HasCapability("settlement.manage")]

    @extend_schema(request=SettleSerializer, responses=dict)
    def post(self, request):
        year = budgets.parse_year(request.data.get("year"))
        settled = sum(
            yearend.settle_year(fund=fund, year=year, by=request.user)
            for fund in _funds(request.data.get("region", ""))
        )
        return Response({"settled": settled})


class MonthSettlementSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)

    class Meta:
        model = BudgetMonthSettlement
        exclude = ["fund", "journal_entry", "created_at"]


class MonthSettlementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Monthly settlements: claims, owed within the budget, shortfall carried and recovered, paid."""

    serializer_class = MonthSettlementSerializer
    permission_classes = [HasCapability("settlement.view")]

    def get_queryset(self):
        return positions.month_settlements_visible_to(
            self.request.user, year=param_id(self.request.query_params, "year")
        )


class YearSettlementSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)

    class Meta:
        model = BudgetYearSettlement
        exclude = ["fund", "journal_entry", "created_at"]


class YearSettlementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = YearSettlementSerializer
    permission_classes = [HasCapability("settlement.view")]

    def get_queryset(self):
        return positions.year_settlements_visible_to(self.request.user)


class SavingsAwardSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    tender_code = serializers.CharField(source="tender.code", read_only=True)
    reason_texts = serializers.SerializerMethodField()

    class Meta:
        model = SavingsAward
        exclude = ["fund", "journal_entry", "reviewed_by"]

    def get_reason_texts(self, obj) -> list[str]:
        return positions.award_reasons(obj)


class AssessSerializer(serializers.Serializer):
    tender = serializers.CharField(help_text="批次 id")


class AwardReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True)


class AwardPaySerializer(serializers.Serializer):
    paid_on = serializers.CharField(required=False, help_text="YYYY-MM-DD")


class SavingsAwardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """结余留用 awards: what each hospital earned from a tender's cycle and why; assessed, reviewed and paid by fund
    officers."""

    serializer_class = SavingsAwardSerializer
    permission_classes = [HasCapability("settlement.view")]

    def get_queryset(self):
        return positions.savings_awards_visible_to(self.request.user)

    def _award(self, pk) -> SavingsAward:
        return get_object_or_404(self.get_queryset(), pk=pk)

    @extend_schema(request=AssessSerializer, responses=SavingsAwardSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None)
    def assess(self, request):
        require(request.user, "settlement.manage")
        tender = Tender.objects.filter(pk=param_id(request.data, "tender") or 0).first()
        if tender is None:
            raise ValidationFailed(_("批次不存在"), field="tender", code=SettlementError.TENDER_UNKNOWN)
        done = savings.savings_awards_assess(tender=tender, by=request.user)
        awards = self.get_queryset().filter(pk__in=[a.pk for a in done])
        return Response(SavingsAwardSerializer(awards, many=True).data)

    @extend_schema(request=AwardReviewSerializer, responses=SavingsAwardSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        require(request.user, "settlement.manage")
        data = AwardReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        award = savings.savings_award_review(
            award=self._award(pk),
            approve=data.validated_data["approve"],
            note=data.validated_data.get("note", ""),
            by=request.user,
        )
        return Response(SavingsAwardSerializer(award).data)

    @extend_schema(request=AwardPaySerializer, responses=SavingsAwardSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        require(request.user, "settlement.manage")
        paid_on = request.data.get("paid_on")
        award = savings.savings_award_pay(
            award=self._award(pk),
            by=request.user,
            paid_on=parse_date(paid_on, field="paid_on") if paid_on else None,
        )
        return Response(SavingsAwardSerializer(award).data)


class HospitalScoreSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)

    class Meta:
        model = HospitalScore
        fields = "__all__"


class ComputeSerializer(serializers.Serializer):
    year = serializers.CharField()


class HospitalScoreViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """综合绩效: the yearly score per hospital, its parts and weights, and the prepayment rate and retained share it
    links to."""

    serializer_class = HospitalScoreSerializer
    permission_classes = [HasCapability("settlement.view")]

    def get_queryset(self):
        return positions.scores_visible_to(self.request.user, year=param_id(self.request.query_params, "year"))

    @extend_schema(request=ComputeSerializer, responses=HospitalScoreSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None)
    def compute(self, request):
        require(request.user, "settlement.manage")
        year = budgets.parse_year(request.data.get("year"))
        done = scores.hospital_scores_compute(year=year, by=request.user)
        rows = self.get_queryset().filter(year=year, pk__in=[s.pk for s in done if s.pk])
        return Response(HospitalScoreSerializer(rows, many=True).data)
