"""API of the alert cases: list (checked filters), detail with signals and peers by name, review steps with the
version the official decided on (a stale version is a 409), bulk assign / dismiss, history."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organization, User
from accounts.permissions import HasCapability
from catalog.identity import ProductIdentityField
from common import serializers
from common.errors import ValidationFailed
from common.models import events_for

from .. import exports, selectors
from ..detectors import labels as detector_labels
from ..errors import PricingError
from ..models import (
    Inquiry,
    PriceAlert,
    Signal,
)
from ..services import alerts as alert_svc
from .common import _valid


class InquirySerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    product = serializers.CharField(source="alert.product.generic_name", read_only=True)
    product_identity = ProductIdentityField(source="alert")  # name, strength, form, pack, maker
    alert_summary = serializers.CharField(source="alert.summary_text", read_only=True)  # in the reader's language

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "alert",
            "alert_summary",
            "product",
            "product_identity",
            "recipient",
            "letter",
            "reply_due",
            "sent_by",
            "sent_at",
            "reply",
            "reply_file",
            "replied_by",
            "replied_at",
            "is_overdue",
        ]


class SignalSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    summary = serializers.CharField(source="summary_text", read_only=True)  # in the reader's language

    class Meta:
        model = Signal
        fields = [
            "id",
            "kind",
            "kind_label",
            "month",
            "informational",
            "deviation",
            "strength",
            "score",
            "amount_at_stake",
            "observed_value",
            "reference_value",
            "summary",
            "evidence",
            "first_detected_at",
            "last_detected_at",
        ]

    def get_kind_label(self, obj) -> str:
        return detector_labels().get(obj.kind, obj.kind)


class AlertSerializer(serializers.ModelSerializer):
    kind_labels = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    product_name = serializers.CharField(source="product.generic_name", read_only=True)
    product_identity = ProductIdentityField()
    hospital_name = serializers.CharField(source="hospital.name", read_only=True, default=None)
    has_overdue = serializers.BooleanField(read_only=True, default=False)
    summary = serializers.CharField(source="summary_text", read_only=True)  # in the reader's language

    class Meta:
        model = PriceAlert
        fields = [
            "id",
            "kinds",
            "kind_labels",
            "product",
            "product_name",
            "product_identity",
            "subject_key",
            "hospital",
            "hospital_name",
            "region",
            "manufacturer",
            "period_start",
            "period_end",
            "severity",
            "score",
            "months",
            "deviation",
            "amount_at_stake",
            "observed_price",
            "reference_value",
            "summary",
            "status",
            "status_label",
            "assignee",
            "disposition",
            "resolution_note",
            "corrected_price",
            "first_detected_at",
            "last_detected_at",
            "version",
            "has_overdue",
        ]

    def get_kind_labels(self, obj) -> list[str]:
        labels = detector_labels()
        return [labels.get(k, k) for k in obj.kinds]


class AlertDetailSerializer(AlertSerializer):
    signals = SignalSerializer(many=True, read_only=True)
    peer_hospitals = serializers.SerializerMethodField()
    inquiries = InquirySerializer(many=True, read_only=True)
    interviews = serializers.SerializerMethodField()

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "signals", "peer_hospitals", "inquiries", "interviews"]

    def get_peer_hospitals(self, obj) -> dict[str, str]:
        """Hospital id → name, for the peers listed in the signals' evidence."""
        ids = {d["hospital_id"] for s in obj.signals.all() for d in (s.evidence.get("distribution") or [])}
        return {str(pk): name for pk, name in Organization.objects.filter(pk__in=ids).values_list("pk", "name")}

    def get_interviews(self, obj) -> list[dict]:
        return [
            {
                "id": i.pk,
                "held_on": i.held_on,
                "participants": i.participants,
                "minutes": i.minutes,
                "recorded_by": i.recorded_by_id,
            }
            for i in obj.interviews.all()
        ]


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="作出决定时看到的预警版本；已被他人改动时返回 409")


class AssignSerializer(VersionSerializer):
    assignee = serializers.IntegerField()


class InquirySendSerializer(VersionSerializer):
    recipient = serializers.IntegerField()
    letter = serializers.CharField(allow_blank=True)
    reply_due = serializers.DateField()


class InterviewSerializer(VersionSerializer):
    held_on = serializers.DateField()
    participants = serializers.CharField(allow_blank=True)
    minutes = serializers.CharField(allow_blank=True)


class ResolveSerializer(VersionSerializer):
    disposition = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    corrected_price = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class DismissSerializer(VersionSerializer):
    reason = serializers.CharField(allow_blank=True)


class BulkAssignSerializer(serializers.Serializer):
    alerts = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    assignee = serializers.IntegerField()


class BulkDismissSerializer(serializers.Serializer):
    alerts = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    reason = serializers.CharField(allow_blank=True)


class AlertEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None)
    # the words for the codes, from PriceAlert.EVENT_LABELS and its statuses (common.labels)
    action_display = serializers.CharField(source="action_label")
    from_state_display = serializers.CharField(source="from_label")
    to_state_display = serializers.CharField(source="to_label")
    actor_name = serializers.CharField(source="actor", default=None)
    note = serializers.CharField()
    data = serializers.JSONField()


def _official(pk) -> User:
    user = User.objects.filter(pk=pk).select_related("organization").first()
    if user is None:
        raise ValidationFailed(_("经办人不存在"), field="assignee", code=PricingError.ASSIGNEE_UNKNOWN)
    return user


class PriceAlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Price alert cases for officials, each with its signals. Filters (an unknown value is a 400 naming the filter):
    kind (a signal kind; `detector` is accepted too), severity (minimum), region, status (a state, `active` = every
    open state, `closed` = resolved or dismissed), assignee (`me`, `none` or an id), hospital, product, overdue,
    min_amount, period_from, period_to (YYYY-MM), q; sort: severity, amount, deviation, recent, oldest, period."""

    queryset = PriceAlert.objects.none()
    REVIEW_ACTIONS = ("assign", "inquiry", "interview", "resolve", "dismiss", "bulk_assign", "bulk_dismiss")

    def get_permissions(self):
        # The capability, then the object, then the body: a denied request is a denial, never a list of field errors.
        return [HasCapability("pricing.review" if self.action in self.REVIEW_ACTIONS else "pricing.view")()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PriceAlert.objects.none()
        qs = selectors.alerts_visible_to(self.request.user)
        if self.action in ("list", "export"):
            params = self.request.query_params
            extra = {"file_format"} if self.action == "export" else set()
            selectors.refuse_unknown_parameters(params, {*selectors.ALERT_FILTERS, *extra})
            return selectors.alerts_filter(qs, params, user=self.request.user)
        return qs.prefetch_related("inquiries", "interviews", "signals")

    def get_serializer_class(self):
        return AlertDetailSerializer if self.action != "list" else AlertSerializer

    def _done(self, alert) -> Response:
        return Response(AlertDetailSerializer(self.get_queryset().get(pk=alert.pk)).data)

    @extend_schema(request=AssignSerializer, responses={200: AlertDetailSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        alert = self.get_object()
        data = _valid(AssignSerializer, request)
        alert = alert_svc.alert_assign(
            alert=alert, assignee=_official(data["assignee"]), by=request.user, expected_version=data["version"]
        )
        return self._done(alert)

    @extend_schema(request=InquirySendSerializer, responses={201: InquirySerializer})
    @action(detail=True, methods=["post"])
    def inquiry(self, request, pk=None):
        alert = self.get_object()
        data = _valid(InquirySendSerializer, request)
        recipient = Organization.objects.filter(pk=data["recipient"]).first()
        if recipient is None:
            raise ValidationFailed(_("函询对象不存在"), field="recipient", code=PricingError.RECIPIENT_UNKNOWN)
        inquiry = alert_svc.alert_send_inquiry(
            alert=alert,
            recipient=recipient,
            letter=data["letter"],
            reply_due=data["reply_due"],
            by=request.user,
            expected_version=data["version"],
        )
        return Response(InquirySerializer(inquiry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InterviewSerializer, responses={200: AlertDetailSerializer})
    @action(detail=True, methods=["post"])
    def interview(self, request, pk=None):
        alert = self.get_object()
        data = _valid(InterviewSerializer, request)
        interview = alert_svc.alert_record_interview(
            alert=alert,
            held_on=data["held_on"],
            participants=data["participants"],
            minutes=data["minutes"],
            by=request.user,
            expected_version=data["version"],
        )
        return self._done(interview.alert)

    @extend_schema(request=ResolveSerializer, responses={200: AlertDetailSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        alert = self.get_object()
        data = _valid(ResolveSerializer, request)
        alert = alert_svc.alert_resolve(
            alert=alert,
            disposition=data["disposition"],
            note=data["note"],
            corrected_price=data.get("corrected_price"),
            by=request.user,
            expected_version=data["version"],
        )
        return self._done(alert)

    @extend_schema(request=DismissSerializer, responses={200: AlertDetailSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        alert = self.get_object()
        data = _valid(DismissSerializer, request)
        alert = alert_svc.alert_dismiss(
            alert=alert, reason=data["reason"], by=request.user, expected_version=data["version"]
        )
        return self._done(alert)

    @extend_schema(request=BulkAssignSerializer, responses={200: AlertSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="bulk-assign", pagination_class=None)
    def bulk_assign(self, request):
        data = _valid(BulkAssignSerializer, request)
        alerts = alert_svc.alerts_bulk_assign(
            alert_ids=data["alerts"], assignee=_official(data["assignee"]), by=request.user
        )
        return Response(AlertSerializer(self.get_queryset().filter(pk__in=[a.pk for a in alerts]), many=True).data)

    @extend_schema(request=BulkDismissSerializer, responses={200: AlertSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="bulk-dismiss", pagination_class=None)
    def bulk_dismiss(self, request):
        data = _valid(BulkDismissSerializer, request)
        alerts = alert_svc.alerts_bulk_dismiss(alert_ids=data["alerts"], reason=data["reason"], by=request.user)
        return Response(AlertSerializer(self.get_queryset().filter(pk__in=[a.pk for a in alerts]), many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "file_format",
                OpenApiTypes.STR,
                enum=list(exports.FORMATS),
                description="xlsx（默认）或 csv；其余参数为列表的筛选条件",
            )
        ],
        responses={
            (200, exports.XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="筛选后的案件（xlsx）"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="筛选后的案件（csv，UTF-8 带 BOM）"),
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        """The filtered cases (the list's filters and sort) as a file: Chinese headers, labels, formatted amounts."""
        value = (request.query_params.get("file_format") or "xlsx").strip()
        if value not in exports.FORMATS:
            raise selectors.unknown_filter("file_format", value)
        alerts = self.get_queryset()
        if value == "csv":
            return exports.alerts_csv(alerts)
        return exports.alerts_xlsx(alerts, exports.describe_filters(request.query_params, request.user))

    @extend_schema(responses={200: AlertEventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        return Response(AlertEventSerializer(events_for(self.get_object()), many=True).data)
