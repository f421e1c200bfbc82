"""REST endpoints of price monitoring and credit, mounted under /api/v1/.

Officials: alerts (filters, review actions with the version they decided on — a stale version answers 409),
observations and reference prices (lists and imports), scans, credit records and ratings, shortage alerts.
Manufacturers, distributors and hospitals: the inquiries addressed to them (and their replies), their own credit.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Organization, User
from accounts.permissions import HasCapability, can, is_official
from catalog.models import Product
from common import outbox, serializers
from common.errors import ValidationFailed
from common.models import events_for
from common.parsers import JSONParser

from . import selectors
from .credit_schemes import level_name
from .detectors import labels as detector_labels
from .errors import PricingError
from .models import (
    CreditRating,
    CreditRecord,
    Inquiry,
    PriceAlert,
    PriceObservation,
    PriceScan,
    ReferencePrice,
    ShortageAlert,
    Signal,
)
from .services import alerts as alert_svc
from .services import credit as credit_svc
from .services import imports as import_svc
from .services import shortage as shortage_svc


class InquirySerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    product = serializers.CharField(source="alert.product.generic_name", read_only=True)
    alert_summary = serializers.CharField(source="alert.summary", read_only=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "alert",
            "alert_summary",
            "product",
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
    hospital_name = serializers.CharField(source="hospital.name", read_only=True, default=None)
    has_overdue = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = PriceAlert
        fields = [
            "id",
            "kinds",
            "kind_labels",
            "product",
            "product_name",
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
        if self.action == "list":
            return selectors.alerts_filter(qs, self.request.query_params, user=self.request.user)
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

    @extend_schema(responses={200: AlertEventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        return Response(AlertEventSerializer(events_for(self.get_object()), many=True).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(allow_blank=True)
    reply_file = serializers.FileField(required=False)


class InquiryViewSet(viewsets.ReadOnlyModelViewSet):
    """Inquiry letters: a manufacturer, distributor or hospital sees those addressed to it and answers them;
    officials see all."""

    serializer_class = InquirySerializer
    filterset_fields = ["alert"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = Inquiry.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Inquiry.objects.none()
        return selectors.inquiries_visible_to(self.request.user).order_by("-sent_at")

    def get_permissions(self):
        if self.action == "reply":
            return [HasCapability("pricing.answer_inquiry")()]
        return super().get_permissions()

    @extend_schema(request=ReplySerializer, responses={200: InquirySerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        inquiry = self.get_object()
        data = _valid(ReplySerializer, request)
        inquiry = alert_svc.inquiry_reply(
            inquiry=inquiry, reply=data["reply"], by=request.user, reply_file=data.get("reply_file")
        )
        return Response(InquirySerializer(inquiry).data)


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
    PAGING = {"page", "page_size", "format", "limit", "offset", "cursor"}

    def list(self, request, *args, **kwargs):
        allowed = {
            f"{name}__{lookup}" if lookup != "exact" else name
            for name, lookups in self.filterset_fields.items()
            for lookup in lookups
        }
        for name in request.query_params:
            if name not in allowed | self.PAGING:
                raise ValidationFailed(
                    _("未知的筛选条件“%(name)s”") % {"name": name[:50]},
                    field=name[:50],
                    code=PricingError.UNKNOWN_FILTER_VALUE,
                )
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


class CreditRecordSerializer(serializers.ModelSerializer):
    level_name = serializers.SerializerMethodField()

    class Meta:
        model = CreditRecord
        fields = [
            "id",
            "organization",
            "behaviour",
            "scheme",
            "level",
            "level_name",
            "amount",
            "evidence",
            "products",
            "alert",
            "start",
            "end",
            "status",
            "repaired_at",
            "repair_note",
            "suspended_listing_ids",
            "suspended_authorization_ids",
            "created_at",
        ]

    def get_level_name(self, obj) -> str:

        return level_name(obj.scheme, obj.level)


class CreditCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    behaviour = serializers.CharField()
    scheme = serializers.CharField(required=False, default="2020")
    level = serializers.CharField()
    amount = serializers.CharField(required=False, default="0")
    evidence = serializers.CharField(allow_blank=True)
    start = serializers.CharField()
    end = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    products = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    alert = serializers.IntegerField(required=False, allow_null=True)


class RepairSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


class CreditRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Credit records: officials see and keep all; a company sees its own."""

    serializer_class = CreditRecordSerializer
    filterset_fields = ["organization", "status", "level", "scheme"]
    queryset = CreditRecord.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CreditRecord.objects.none()
        return selectors.credit_records_visible_to(self.request.user).order_by("-start", "-pk")

    def get_permissions(self):
        if self.action in ("create", "repair"):
            return [HasCapability("pricing.credit_manage")()]
        return super().get_permissions()

    @extend_schema(request=CreditCreateSerializer, responses={201: CreditRecordSerializer})
    def create(self, request):
        data = _valid(CreditCreateSerializer, request)
        organization = Organization.objects.filter(pk=data["organization"]).first()
        if organization is None:
            raise ValidationFailed(_("企业不存在"), field="organization", code=PricingError.ORGANIZATION_UNKNOWN)
        products = list(Product.objects.filter(pk__in=data["products"]))
        if len(products) != len(set(data["products"])):
            raise ValidationFailed(_("涉及产品不存在"), field="products", code=PricingError.PRODUCT_UNKNOWN)
        alert = None
        if data.get("alert"):
            alert = selectors.alerts_visible_to(request.user).filter(pk=data["alert"]).first()
            if alert is None:
                raise ValidationFailed(_("来源预警不存在"), field="alert", code=PricingError.ALERT_NOT_FOUND)
        record = credit_svc.credit_record_create(
            organization=organization,
            behaviour=data["behaviour"],
            scheme=data["scheme"],
            level=data["level"],
            amount=data["amount"],
            evidence=data["evidence"],
            start=data["start"],
            end=data.get("end"),
            products=products,
            alert=alert,
            by=request.user,
        )
        return Response(CreditRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RepairSerializer, responses={200: CreditRecordSerializer})
    @action(detail=True, methods=["post"])
    def repair(self, request, pk=None):
        record = self.get_object()
        data = _valid(RepairSerializer, request)
        record = credit_svc.credit_record_repair(record=record, note=data["note"], by=request.user)
        return Response(CreditRecordSerializer(record).data)


CreditRecordViewSet.http_method_names = ["get", "post", "head", "options"]


class CreditRatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditRating
        fields = ["id", "organization", "quarter_start", "level", "scheme", "active_records", "computed_at"]


class CreditRatingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CreditRatingSerializer
    filterset_fields = ["organization", "quarter_start", "level"]
    queryset = CreditRating.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CreditRating.objects.none()
        user = self.request.user
        qs = CreditRating.objects.order_by("-quarter_start", "organization_id")
        if is_official(user) and can(user, "pricing.view"):
            return qs
        if can(user, "pricing.own_credit"):
            return qs.filter(organization_id=user.organization_id)
        return qs.none()


class ShortageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShortageAlert
        fields = [
            "id",
            "product",
            "reason",
            "status",
            "on_shortage_list",
            "hospitals",
            "evidence",
            "first_detected_on",
            "last_detected_on",
            "closed_note",
        ]


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


class ShortageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ShortageSerializer
    filterset_fields = ["status", "reason", "on_shortage_list", "product"]
    queryset = ShortageAlert.objects.none()

    def get_permissions(self):
        return [HasCapability("pricing.review" if self.action == "close" else "pricing.view")()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ShortageAlert.objects.none()
        return selectors.shortage_alerts_visible_to(self.request.user).order_by("status", "-last_detected_on", "-pk")

    @extend_schema(request=CloseSerializer, responses={200: ShortageSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        alert = self.get_object()
        data = _valid(CloseSerializer, request)
        alert = shortage_svc.shortage_alert_close(alert=alert, note=data["note"], by=request.user)
        return Response(ShortageSerializer(alert).data)


routes = [
    ("price-alerts", PriceAlertViewSet, "price-alert"),
    ("price-inquiries", InquiryViewSet, "price-inquiry"),
    ("price-observations", ObservationViewSet, "price-observation"),
    ("reference-prices", ReferencePriceViewSet, "reference-price"),
    ("price-scans", ScanViewSet, "price-scan"),
    ("credit-records", CreditRecordViewSet, "credit-record"),
    ("credit-ratings", CreditRatingViewSet, "credit-rating"),
    ("shortage-alerts", ShortageViewSet, "shortage-alert"),
]
urlpatterns: list = []
