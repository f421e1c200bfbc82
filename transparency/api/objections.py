"""Objections (异议) and appeals (申诉) under /api/v1/objections/: a company files and appeals its own, officials
answer, supervisors decide appeals. Each step is one service (transparency.services); refusals answer
`{code, detail, field}`."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.permissions import HasCapability
from common import serializers
from common.errors import NotFoundError
from common.parsers import JSONParser
from pricing.models import CreditRecord
from procurement.models import Tender

from ..models import Appeal, Objection
from ..selectors import objections as sel
from ..services import appeals as appeal_svc
from ..services import objections as objection_svc

USERS = ("transparency.object", "transparency.answer", "transparency.decide_appeal")


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = ["id", "grounds", "filed_at", "status", "decision", "decided_by", "decided_at"]


class ObjectionSerializer(serializers.ModelSerializer):
    appeal = AppealSerializer(read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Objection
        fields = [
            "id",
            "subject",
            "tender",
            "evaluation",
            "credit_record",
            "organization",
            "grounds",
            "filed_by",
            "filed_at",
            "answer_due",
            "status",
            "answer",
            "answered_by",
            "answered_at",
            "appeal_due",
            "rerun",
            "appeal",
            "allowed_actions",
        ]

    def get_allowed_actions(self, obj) -> list[str]:
        return sel.allowed_actions(self.context["request"].user, obj)


class ObjectionInputSerializer(serializers.Serializer):
    tender = serializers.IntegerField(required=False, allow_null=True)
    credit_record = serializers.IntegerField(required=False, allow_null=True)
    grounds = serializers.CharField(allow_blank=True, max_length=4000)
    document = serializers.FileField(required=False, allow_null=True)


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["upheld", "rejected"])
    answer = serializers.CharField(allow_blank=True, max_length=4000)


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["upheld", "rejected"])
    decision = serializers.CharField(allow_blank=True, max_length=4000)


class GroundsSerializer(serializers.Serializer):
    grounds = serializers.CharField(allow_blank=True, max_length=4000)


class ObjectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ObjectionSerializer
    permission_classes = [HasCapability(*USERS)]
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return sel.objections_visible_to(self.request.user)

    def _done(self, objection: Objection, code: int = status.HTTP_200_OK) -> Response:
        objection = self.get_queryset().get(pk=objection.pk)
        return Response(ObjectionSerializer(objection, context={"request": self.request}).data, status=code)

    @extend_schema(request=ObjectionInputSerializer, responses={201: ObjectionSerializer})
    def create(self, request):
        """File an objection to a tender's candidate results (during the notice period) or to the company's credit
        record (before it takes effect)."""
        data = ObjectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        tender = credit_record = None
        if values.get("tender"):
            tender = Tender.objects.exclude(status=Tender.Status.DRAFT).filter(pk=values["tender"]).first()
            if tender is None:
                raise NotFoundError(gettext("批次不存在"), field="tender")
        if values.get("credit_record"):
            credit_record = CreditRecord.objects.filter(
                pk=values["credit_record"], organization_id=request.user.organization_id
            ).first()
            if credit_record is None:
                raise NotFoundError(gettext("信用评价记录不存在"), field="credit_record")
        objection = objection_svc.objection_file(
            by=request.user,
            tender=tender,
            credit_record=credit_record,
            grounds=values["grounds"],
            document=values.get("document"),
        )
        return self._done(objection, status.HTTP_201_CREATED)

    @extend_schema(request=OutcomeSerializer, responses={200: ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """An official answers: upheld (the evaluation is re-run, or the credit record revoked) or rejected."""
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = objection_svc.objection_answer(objection=self.get_object(), by=request.user, **data.validated_data)
        return self._done(objection)

    @extend_schema(request=GroundsSerializer, responses={201: ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        """The objector appeals a rejecting answer within the appeal window."""
        data = GroundsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = appeal_svc.appeal_file(objection=self.get_object(), by=request.user, **data.validated_data)
        return self._done(appeal.objection, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses={200: ObjectionSerializer})
    @action(detail=True, methods=["post"], url_path="decide-appeal")
    def decide_appeal(self, request, pk=None):
        """A supervisor (never the official who answered) decides the appeal."""
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = self.get_object()
        appeal = Appeal.objects.filter(objection=objection).first()
        if appeal is None:
            raise NotFoundError(gettext("申诉不存在"), field="appeal")
        appeal_svc.appeal_decide(appeal=appeal, by=request.user, **data.validated_data)
        return self._done(objection)


routes = [("objections", ObjectionViewSet, "objection")]
