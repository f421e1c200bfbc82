"""REST endpoints of tenders under /api/v1/: tenders (and, from `tender_parties`, demand reports, bids, commitments).

Sealed prices: a bid's price fields are null until its tender is opened, for every user; the evaluation and the
results exist only after opening (results for non-officials only after the awards are published).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organization
from accounts.permissions import HasCapability
from catalog.identity import identity
from common import serializers
from common.templatetags.display import message

from ..models import Lot, Tender
from ..selectors import tenders as tender_selectors
from ..selectors.tender_actions import TENDER_ACTION_NAMES, tender_allowed_actions, with_evaluated
from ..services import tenders as svc
from . import tender_parties
from .batch_results import BatchResultsActions, FollowOnSerializer
from .tender_opening import TenderOpeningActions


class LotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lot
        fields = [
            "id",
            "number",
            "generic_name",
            "dosage_form_group",
            "dosage_forms",
            "reference_specification",
            "comparison_unit",
            "max_price",
            "quality_requirement",
        ]


class TenderSerializer(serializers.ModelSerializer):
    lots = LotSerializer(many=True, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="当前用户此刻可对本批次执行的操作（与页面一致；服务端仍逐项校验）"
    )

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=TENDER_ACTION_NAMES)))
    def get_allowed_actions(self, tender: Tender) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return tender_allowed_actions(request.user, tender, evaluated=getattr(tender, "evaluated", None)).names()

    class Meta:
        model = Tender
        fields = [
            "id",
            "code",
            "name",
            "level",
            "kind",
            "status",
            "status_label",
            "demand_start",
            "demand_end",
            "bid_deadline",
            "opening_at",
            "cycle_start",
            "cycle_end",
            "rules",
            "origin",
            "origin_detail",
            "follows",
            "cancel_reason",
            "lots",
            "allowed_actions",
        ]


class LotCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20)
    generic_name = serializers.CharField(max_length=200)
    max_price = serializers.CharField(help_text="每计价单位，最多 4 位小数")
    dosage_form_group = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    dosage_forms = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)
    reference_specification = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    comparison_unit = serializers.CharField(max_length=20, required=False, default="片")
    quality_requirement = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    price_ratio_per_doubling = serializers.CharField(required=False, default="1.7")


class TenderCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    level = serializers.CharField(required=False, default=Tender.Level.REGIONAL)
    kind = serializers.CharField(required=False, default=Tender.Kind.DRUGS)
    demand_start = serializers.DateTimeField()
    demand_end = serializers.DateTimeField()
    bid_deadline = serializers.DateTimeField()
    opening_at = serializers.DateTimeField()
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    rules = serializers.DictField(required=False, default=dict)
    lots = LotCreateSerializer(many=True, required=False, default=list)


class TenderReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class EvaluateSerializer(serializers.Serializer):
    rerun_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="留空：已有评审结果时不重复评审；填写原因：重新评审（留痕）",
    )


class RulesSerializer(serializers.Serializer):
    rules = serializers.DictField()


class EvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    run_no = serializers.IntegerField()
    is_current = serializers.BooleanField()
    reason = serializers.CharField()
    run_by = serializers.CharField()
    run_at = serializers.DateTimeField()
    rules = serializers.DictField()
    outputs = serializers.DictField(help_text="品种编号（id）→ 每个申报的单位可比价、入围条件、排名、中选与否及原因")


class CoverageLotSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot.pk")
    number = serializers.CharField(source="lot.number")
    generic_name = serializers.CharField(source="lot.generic_name")
    reported_volume = serializers.IntegerField()
    hospitals = serializers.IntegerField()
    missing = serializers.IntegerField()
    named = serializers.IntegerField()


class HospitalBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "uscc", "region"]


class CoverageSerializer(serializers.Serializer):
    expected = serializers.IntegerField(help_text="应报量的医疗机构数（平台上有效的医疗机构）")
    reporting = serializers.IntegerField()
    lots = CoverageLotSerializer(many=True)
    missing = HospitalBriefSerializer(many=True, help_text="未报量的医疗机构")


class WinnerSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    manufacturer = serializers.CharField(source="manufacturer.name")
    manufacturer_uscc = serializers.CharField(source="manufacturer.uscc")
    product = serializers.IntegerField(source="product.pk")
    product_code = serializers.CharField(source="product.nhsa_code")
    product_identity = serializers.SerializerMethodField()  # name, strength, form, pack, maker
    price = serializers.DecimalField(max_digits=14, decimal_places=4)
    comparison_price = serializers.DecimalField(max_digits=14, decimal_places=4)

    def get_product_identity(self, row) -> str:
        """A row of the results (a dict with the product and its maker) named as the pages name it."""
        return identity(row["product"], maker=row["manufacturer"]).text()


class DigestSerializer(serializers.Serializer):
    manufacturer = serializers.CharField(source="manufacturer.name")
    product_code = serializers.CharField(source="product.nhsa_code")
    product_identity = serializers.SerializerMethodField()
    seal_hash = serializers.CharField()
    status = serializers.CharField()
    invalid_reason = serializers.CharField()

    get_product_identity = WinnerSerializer.get_product_identity


class LotResultSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot.pk")
    number = serializers.CharField(source="lot.number")
    generic_name = serializers.CharField(source="lot.generic_name")
    valid_bidders = serializers.IntegerField()
    provisional = serializers.BooleanField(help_text="true：中选结果尚未公布，为当前评审的拟中选（仅官员可见）")
    winners = WinnerSerializer(many=True)
    digests = DigestSerializer(many=True)


class TenderViewSet(TenderOpeningActions, BatchResultsActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Tenders with their lots. Officials create and run them: the actions below each call one tender service."""

    serializer_class = TenderSerializer
    filterset_fields = ["status", "level", "kind"]

    queryset = Tender.objects.none()  # for the schema; reads go through the refreshing selector

    MANAGE_ACTIONS = (
        "create",
        "lots",
        "rules",
        "start_demand_collection",
        "cancel",
        "open_bids",
        "evaluate",
        "award",
        "coverage",
        "evaluation",
        "import_results",
        "confirm_results",
        "follow_on",
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Tender.objects.none()
        tenders = tender_selectors.tenders_visible_to(self.request.user).prefetch_related("lots")
        return with_evaluated(tenders).order_by("-demand_start")

    def get_permissions(self):
        if self.action in self.MANAGE_ACTIONS:
            return [HasCapability("tender.manage")()]
        return super().get_permissions()

    def _done(self, tender, code=status.HTTP_200_OK):
        tender.refresh_from_db()
        return Response(TenderSerializer(tender, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=TenderCreateSerializer, responses={201: TenderSerializer})
    def create(self, request):
        data = TenderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tender = svc.tender_create_with_lots(by=request.user, **{k: v for k, v in data.validated_data.items()})
        return self._done(tender, status.HTTP_201_CREATED)

    @extend_schema(request=LotCreateSerializer, responses={201: LotSerializer})
    @action(detail=True, methods=["post"])
    def lots(self, request, pk=None):
        data = LotCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = svc.lot_add(tender=self.get_object(), by=request.user, **data.validated_data)
        return Response(LotSerializer(lot).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RulesSerializer, responses={200: TenderSerializer})
    @action(detail=True, methods=["post"])
    def rules(self, request, pk=None):
        data = RulesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            svc.tender_set_rules(tender=self.get_object(), rules=data.validated_data["rules"], by=request.user)
        )

    @extend_schema(request=None, responses={200: TenderSerializer})
    @action(detail=True, methods=["post"], url_path="start-demand-collection")
    def start_demand_collection(self, request, pk=None):
        return self._done(svc.tender_start_demand_collection(tender=self.get_object(), by=request.user))

    @extend_schema(request=TenderReasonSerializer, responses={200: TenderSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = TenderReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            svc.tender_cancel(tender=self.get_object(), reason=data.validated_data["reason"], by=request.user)
        )

    @extend_schema(request=None, responses={200: TenderSerializer})
    @action(detail=True, methods=["post"], url_path="open-bids")
    def open_bids(self, request, pk=None):
        return self._done(svc.tender_open_bids(tender=self.get_object(), by=request.user))

    @extend_schema(request=EvaluateSerializer, responses={200: EvaluationSerializer, 201: EvaluationSerializer})
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        data = EvaluateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tender = self.get_object()
        before = tender_selectors.current_evaluation(tender)
        run = svc.tender_evaluate(tender=tender, by=request.user, rerun_reason=data.validated_data["rerun_reason"])
        created = before is None or run.pk != before.pk
        return Response(_evaluation_data(run), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses={200: EvaluationSerializer})
    @action(detail=True, methods=["get"])
    def evaluation(self, request, pk=None):
        run = tender_selectors.current_evaluation(self.get_object())
        if run is None:
            raise Http404
        return Response(_evaluation_data(run))

    @extend_schema(request=None, responses={200: TenderSerializer})
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        tender = self.get_object()
        svc.tender_award(tender=tender, by=request.user)
        return self._done(tender)

    @extend_schema(request=None, responses={200: CoverageSerializer})
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        return Response(CoverageSerializer(tender_selectors.demand_coverage(self.get_object())).data)

    @extend_schema(request=None, responses={200: TenderSerializer})
    @action(detail=True, methods=["post"], url_path="confirm-results")
    def confirm_results(self, request, pk=None):
        """An imported national or alliance batch: set the agreed volumes from the demand reported so far."""
        return self._done(svc.imported_results_confirm(tender=self.get_object(), by=request.user))

    @extend_schema(request=FollowOnSerializer, responses={201: TenderSerializer})
    @action(detail=True, methods=["post"], url_path="follow-on")
    def follow_on(self, request, pk=None):
        """接续采购: a draft tender pre-filled from this one, whose purchase cycle has ended (409 otherwise)."""
        data = FollowOnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        cap, factor = values.pop("cap") or None, values.pop("cap_factor") or None
        new = svc.tender_follow_on_create(
            tender=self.get_object(), by=request.user, cap=cap, cap_factor=factor, **values
        )
        return self._done(new, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: LotResultSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # every lot's result at once, not a page
    def results(self, request, pk=None):
        tender = self.get_object()
        if not tender_selectors.results_visible(tender, request.user):
            raise Http404
        return Response(LotResultSerializer(tender_selectors.tender_results(tender), many=True).data)


def _evaluation_data(run) -> dict:
    return {
        "id": run.pk,
        "run_no": run.run_no,
        "is_current": run.is_current,
        "reason": run.reason,
        "run_by": str(run.run_by),
        "run_at": run.run_at,
        "rules": run.rules,
        "outputs": {lot: _readable(output) for lot, output in run.outputs.items()},
    }


def _readable(output: dict) -> dict:
    """A lot's stored result with its notes and each bid's reasons as text in the request's language (they are
    stored as messages: common.messages)."""
    outcomes = [{**o, "reasons": [message(r) for r in o.get("reasons", [])]} for o in output.get("outcomes", [])]
    return {**output, "notes": [message(n) for n in output.get("notes", [])], "outcomes": outcomes}


routes = [("tenders", TenderViewSet, "tender"), *tender_parties.routes]
