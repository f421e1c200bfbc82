"""REST endpoints of listing applications (挂网申报 / 调价 / 撤网): a manufacturer creates (draft or submitted), edits
a draft or returned one, submits it, attaches documents and reads the price basis of a product; a pricing official
reads the review queue (drafts excepted) and approves, returns or refuses. Another organisation's application is
not found (404)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Organization, Region
from accounts.permissions import HasCapability
from catalog.identity import ProductIdentityField
from catalog.models import Product
from common import serializers
from common.numbers import param_id

from ..errors import OrderError, ValidationFailed
from ..models import Listing, ListingApplication, ListingApplicationDocument
from ..selectors import applications as selectors
from ..services import applications as svc
from .order_inputs import validated


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListingApplicationDocument
        fields = ["id", "title", "file", "uploaded_at"]


class ApplicationSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.generic_name", read_only=True)
    product_identity = ProductIdentityField()
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = ListingApplication
        fields = [
            "id",
            "kind",
            "status",
            "manufacturer",
            "manufacturer_name",
            "product",
            "product_name",
            "product_identity",
            "listing",
            "pack_price",
            "unit_price",
            "valid_from",
            "valid_to",
            "evidence",
            "reason",
            "justification",
            "basis",
            "ceiling",
            "above_ceiling",
            "distributors",
            "regions",
            "documents",
            "review_note",
            "created_at",
            "submitted_at",
            "reviewed_at",
        ]
        read_only_fields = fields


class ApplicationInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ListingApplication.Kind.choices, default="new")
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    listing = serializers.PrimaryKeyRelatedField(queryset=Listing.objects.all(), required=False, allow_null=True)
    pack_price = serializers.CharField(required=False, allow_blank=True, help_text="每包装，元，最多 2 位小数")
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    justification = serializers.CharField(required=False, allow_blank=True, default="")
    distributors = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind="distributor"), many=True, required=False
    )
    regions = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), many=True, required=False)
    submit = serializers.BooleanField(required=False, default=False, help_text="true: 保存并提交审核")


class ProvincePriceSerializer(serializers.Serializer):
    province = serializers.CharField()
    unit_price = serializers.CharField()
    observed_on = serializers.CharField()


class NationalLowestSerializer(serializers.Serializer):
    unit_price = serializers.CharField()
    source = serializers.CharField()
    valid_from = serializers.CharField()


class PriceBasisSerializer(serializers.Serializer):
    """Per minimum unit, as text with 4 decimals; `ceiling` null when the linkage rule sets none."""

    other_provinces = ProvincePriceSerializer(many=True)
    national_lowest = NationalLowestSerializer(allow_null=True)
    lowest_other_province = serializers.CharField(allow_null=True)
    linkage = serializers.CharField()
    ratio = serializers.CharField()
    ceiling = serializers.CharField(allow_null=True)
    on = serializers.CharField()


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


def _input(data: dict, *, kind: str | None = None) -> svc.ApplicationInput:
    return svc.ApplicationInput(
        kind=kind or data.get("kind", "new"),
        product=data.get("product"),
        listing=data.get("listing"),
        pack_price=data.get("pack_price") or None,
        valid_from=data.get("valid_from"),
        valid_to=data.get("valid_to"),
        evidence=data.get("evidence", ""),
        reason=data.get("reason", ""),
        justification=data.get("justification", ""),
        distributors=data.get("distributors", []),
        regions=data.get("regions", []),
    )


class ListingApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """挂网申请. Filters: `status` (a state, or `open`), `kind`, `flagged=1` (above the linkage ceiling), `q`."""

    serializer_class = ApplicationSerializer
    queryset = ListingApplication.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ListingApplication.objects.none()
        rows = selectors.applications_visible_to(self.request.user).prefetch_related(
            "documents", "regions", "distributors"
        )
        if self.action == "list":
            rows = selectors.applications_filter(rows, self.request.query_params)
        return rows.order_by("-created_at", "-pk")

    def get_permissions(self):
        if self.action in ("create", "update", "submit", "documents", "price_basis"):
            return [HasCapability("listing.apply")()]
        if self.action in ("approve", "return_for_changes", "refuse"):
            return [HasCapability("listing.manage")()]
        return super().get_permissions()

    @extend_schema(request=ApplicationInputSerializer, responses={201: ApplicationSerializer})
    def create(self, request):
        data = validated(ApplicationInputSerializer, request)
        application = svc.listing_application_create(by=request.user, data=_input(data), submit=data["submit"])
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationInputSerializer, responses=ApplicationSerializer)
    def update(self, request, pk=None):
        """Replace what a draft or returned application says (kind stays); `submit: true` submits it again."""
        application = self.get_object()
        data = validated(ApplicationInputSerializer, request)
        application = svc.listing_application_update(
            application=application, by=request.user, data=_input(data, kind=application.kind), submit=data["submit"]
        )
        return Response(ApplicationSerializer(application).data)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = svc.listing_application_submit(application=self.get_object(), by=request.user)
        return Response(ApplicationSerializer(application).data)

    @extend_schema(request={"multipart/form-data": DocumentUploadSerializer}, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        """Attach a document (PDF, JPG, PNG) to a draft or returned application."""
        application = self.get_object()
        data = validated(DocumentUploadSerializer, request)
        svc.listing_application_attach(application=application, by=request.user, document=data["file"])
        application.refresh_from_db()
        return Response(ApplicationSerializer(application).data)

    @extend_schema(request=NoteSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = validated(NoteSerializer, request)
        application = svc.listing_application_approve(application=self.get_object(), by=request.user, **data)
        return Response(ApplicationSerializer(application).data)

    @extend_schema(request=NoteSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_changes(self, request, pk=None):
        data = validated(NoteSerializer, request)
        application = svc.listing_application_return(application=self.get_object(), by=request.user, **data)
        return Response(ApplicationSerializer(application).data)

    @extend_schema(request=NoteSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        data = validated(NoteSerializer, request)
        application = svc.listing_application_refuse(application=self.get_object(), by=request.user, **data)
        return Response(ApplicationSerializer(application).data)

    @extend_schema(
        parameters=[OpenApiParameter("product", int, required=True)],
        responses={200: PriceBasisSerializer},
    )
    @action(detail=False, methods=["get"], url_path="price-basis")
    def price_basis(self, request):
        """The price basis of one of the manufacturer's products: other provinces' prices, the national lowest and
        the linkage ceiling, per minimum unit."""
        product_id = param_id(request.query_params, "product")
        if product_id is None:
            raise ValidationFailed(_("请指定产品"), field="product", code=OrderError.PRODUCT_REQUIRED)
        product = Product.objects.filter(pk=product_id, manufacturer_id=request.user.organization_id).first()
        if product is None:
            raise Http404
        return Response(selectors.price_basis(product, on=timezone.localdate()))


routes = [("listing-applications", ListingApplicationViewSet, "listing-application")]
