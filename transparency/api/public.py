"""The public API (/api/v1/public/…): read-only, no sign-in, throttled per address (`public` rate) and cached for a
minute (data only grows more public with time: a cached answer is never more than a minute behind, never ahead).
The same selectors as the public pages (transparency.selectors.public)."""

from __future__ import annotations

from django.conf import settings
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.cache import cache_page
from django.views.decorators.vary import vary_on_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common import serializers
from common.errors import NotFoundError, ValidationFailed
from procurement.models import Tender

from ..selectors import public
from ..throttling import PublicRateThrottle

TAGS = ["public"]


def _cached(view_cls):
    """Cache each GET for PUBLIC_CACHE_SECONDS, per language (the labels are translated)."""
    seconds = settings.PUBLIC_CACHE_SECONDS
    return method_decorator([cache_page(seconds), vary_on_headers("Accept-Language")], name="dispatch")(view_cls)


class PublicRulesSerializer(serializers.Serializer):
    ratio_to_lowest = serializers.CharField(allow_null=True)
    discount_from_max = serializers.CharField(allow_null=True)
    floor_price = serializers.CharField(allow_null=True)
    max_winners_cap = serializers.IntegerField(allow_null=True)
    agreed_share_table = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class PublicLotSerializer(serializers.Serializer):
    number = serializers.CharField()
    generic_name = serializers.CharField()
    dosage_form_group = serializers.CharField()
    reference_specification = serializers.CharField()
    comparison_unit = serializers.CharField()
    max_price = serializers.DecimalField(max_digits=14, decimal_places=4)
    quality_requirement = serializers.CharField()


class PublicTenderListSerializer(serializers.ModelSerializer):
    level = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Tender
        fields = ["id", "code", "name", "level", "kind", "status", "status_label", "bid_deadline", "opening_at"]


class PublicAnnouncementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    stage = serializers.ChoiceField(choices=["announcement", "opening", "candidates", "results"])
    demand_start = serializers.DateTimeField()
    demand_end = serializers.DateTimeField()
    bid_deadline = serializers.DateTimeField()
    opening_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField(allow_null=True)
    awarded_at = serializers.DateTimeField(allow_null=True)
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    cancel_reason = serializers.CharField()
    rules = PublicRulesSerializer()
    lots = PublicLotSerializer(many=True)


class PublicOpeningRowSerializer(serializers.Serializer):
    lot = serializers.CharField()
    generic_name = serializers.CharField()
    bidder = serializers.CharField()
    bidder_uscc = serializers.CharField(allow_null=True)
    product = serializers.CharField()
    price = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    digest = serializers.CharField()
    valid = serializers.BooleanField()


class PublicCandidateSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    manufacturer = serializers.CharField()
    product = serializers.CharField()
    price = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    comparison_price = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)


class PublicCandidateLotSerializer(serializers.Serializer):
    number = serializers.CharField()
    generic_name = serializers.CharField()
    candidates = PublicCandidateSerializer(many=True)


class PublicCandidatesSerializer(serializers.Serializer):
    run_no = serializers.IntegerField()
    rerun = serializers.BooleanField()
    notice_starts = serializers.DateTimeField()
    notice_ends = serializers.DateTimeField()
    notice_running = serializers.BooleanField()
    open_objections = serializers.IntegerField()
    lots = PublicCandidateLotSerializer(many=True)


class PublicAwardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    manufacturer = serializers.CharField()
    product = serializers.CharField()
    awarded_price = serializers.DecimalField(max_digits=14, decimal_places=4)
    agreed_volume = serializers.IntegerField()
    agreed_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    hospitals = serializers.IntegerField()


class PublicResultLotSerializer(serializers.Serializer):
    number = serializers.CharField()
    generic_name = serializers.CharField()
    comparison_unit = serializers.CharField()
    awards = PublicAwardRowSerializer(many=True)
    agreed_volume = serializers.IntegerField()
    agreed_amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class PublicListingRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    generic_name = serializers.CharField()
    trade_name = serializers.CharField()
    specification = serializers.CharField()
    nhsa_code = serializers.CharField()
    product_identity = serializers.CharField()  # name, strength, form, pack, maker (catalog.identity)
    manufacturer = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4)
    pack_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    source = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class PublicViewSet(viewsets.GenericViewSet):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicRateThrottle]


@_cached
class PublicTenderViewSet(PublicViewSet):
    """Tenders as the public sees them: never a draft (404); bids only after opening."""

    serializer_class = PublicTenderListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no database
            return Tender.objects.none()
        return public.public_tenders(status=self.request.query_params.get("status", ""))

    def _tender(self, pk) -> Tender:
        return public.public_tender(pk)

    @extend_schema(
        tags=TAGS,
        operation_id="public_tenders_list",
        parameters=[OpenApiParameter("status", str, description="tender status (never draft)")],
        responses=PublicTenderListSerializer(many=True),
    )
    def list(self, request):
        status = request.query_params.get("status", "")
        if status and status not in Tender.Status.values:
            raise ValidationFailed(gettext("未知的批次状态“%(status)s”") % {"status": status[:30]}, field="status")
        if status == Tender.Status.DRAFT:  # drafts are not public
            raise NotFoundError(gettext("没有该状态的公开批次"), field="status")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PublicTenderListSerializer(page, many=True).data)

    @extend_schema(tags=TAGS, operation_id="public_tenders_retrieve", responses=PublicAnnouncementSerializer)
    def retrieve(self, request, pk=None):
        return Response(PublicAnnouncementSerializer(public.announcement(self._tender(pk))).data)

    @extend_schema(tags=TAGS, operation_id="public_tenders_opening", responses=PublicOpeningRowSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def opening(self, request, pk=None):
        """The opening record (bidders, prices, digests): 404 before the opening."""
        rows = public.opening_record(self._tender(pk))
        if rows is None:
            raise NotFoundError(gettext("尚未公开"), field="id")
        return Response(PublicOpeningRowSerializer(rows, many=True).data)

    @extend_schema(tags=TAGS, operation_id="public_tenders_candidates", responses=PublicCandidatesSerializer)
    @action(detail=True, methods=["get"], pagination_class=None)
    def candidates(self, request, pk=None):
        """The candidate results on public notice, with the notice period: 404 outside it."""
        data = public.candidates(self._tender(pk))
        if data is None:
            raise NotFoundError(gettext("尚未公开"), field="id")
        return Response(PublicCandidatesSerializer(data).data)

    @extend_schema(tags=TAGS, operation_id="public_tenders_results", responses=PublicResultLotSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request, pk=None):
        """The final results: awards, prices, agreed volumes and amounts per lot: 404 before the awards."""
        rows = public.final_results(self._tender(pk))
        if rows is None:
            raise NotFoundError(gettext("尚未公开"), field="id")
        return Response(PublicResultLotSerializer(rows, many=True).data)


@_cached
class PublicListingViewSet(PublicViewSet):
    """Listing results (挂网结果): active listings valid today."""

    serializer_class = PublicListingRowSerializer

    def get_queryset(self):
        return public.public_listings(q=(self.request.query_params.get("q") or "").strip()[:50])

    @extend_schema(
        tags=TAGS,
        operation_id="public_listings_list",
        parameters=[OpenApiParameter("q", str, description="generic name, trade name or manufacturer")],
        responses=PublicListingRowSerializer(many=True),
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            PublicListingRowSerializer([public.listing_row(x) for x in page], many=True).data
        )


routes = [
    ("public/tenders", PublicTenderViewSet, "public-api-tenders"),
    ("public/listings", PublicListingViewSet, "public-api-listings"),
]
