"""Public OCDS endpoints (no sign-in), under /api/ocds/:

- `releases/` — a release package of a page of releases, oldest first; `date_from`, `date_to` (ISO 8601 date or
  date-time, inclusive), `ocid`, `page`, `page_size` (≤ 500); `links.next` / `links.prev` name the neighbour pages.
- `records/<ocid>/` — a record package with the ocid's record (its releases and compiled release); 404 when nothing
  is published under the ocid (a draft tender, an unknown ocid).
- `packages/<year>.json` — a release package of every release dated in the year (bulk download).

Answers are cached (`OCDS_CACHE_SECONDS`, in the shared cache, and `Cache-Control: public`) and throttled per
address (`ocds` rate). Stored releases never change, so a cached answer is at most that old.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common import serializers
from common.throttling import AnonRateThrottle

from . import packaging, selectors
from .errors import OcdsError, ValidationFailed
from .params import date_range, parse_positive

MAX_PAGE_SIZE = 500


class OcdsRateThrottle(AnonRateThrottle):
    """Requests to the public OCDS endpoints, per address."""

    scope = "ocds"


class PackageSerializer(serializers.Serializer):
    """An OCDS 1.1 release package (https://standard.open-contracting.org/1.1/en/schema/release_package/)."""

    uri = serializers.CharField()
    version = serializers.CharField()
    extensions = serializers.ListField(child=serializers.CharField())
    publisher = serializers.DictField()
    publishedDate = serializers.CharField(required=False)  # noqa: N815 (OCDS field name)
    releases = serializers.ListField(child=serializers.DictField())
    links = serializers.DictField(required=False)


class RecordPackageSerializer(serializers.Serializer):
    """An OCDS 1.1 record package (https://standard.open-contracting.org/1.1/en/schema/record_package/)."""

    uri = serializers.CharField()
    version = serializers.CharField()
    extensions = serializers.ListField(child=serializers.CharField())
    publisher = serializers.DictField()
    publishedDate = serializers.CharField()  # noqa: N815 (OCDS field name)
    records = serializers.ListField(child=serializers.DictField())


class PublicOcdsView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [OcdsRateThrottle]

    def cached(self, key: str, build) -> Response:
        body = cache.get_or_set(f"ocds:{key}", build, settings.OCDS_CACHE_SECONDS)
        if body is None:
            raise Http404
        response = Response(body)
        patch_cache_control(response, public=True, max_age=settings.OCDS_CACHE_SECONDS)
        return response


DATE_PARAMS = [
    OpenApiParameter("date_from", OpenApiTypes.STR, description="ISO 8601 date or date-time (inclusive)"),
    OpenApiParameter("date_to", OpenApiTypes.STR, description="ISO 8601 date or date-time (inclusive)"),
    OpenApiParameter("ocid", OpenApiTypes.STR, description="only the releases of this contracting process"),
    OpenApiParameter("page", OpenApiTypes.INT, description="page number, from 1"),
    OpenApiParameter("page_size", OpenApiTypes.INT, description=f"releases per page (default 100, ≤ {MAX_PAGE_SIZE})"),
]


class ReleaseListView(PublicOcdsView):
    @extend_schema(
        operation_id="ocds_releases_list", tags=["public"], parameters=DATE_PARAMS, responses=PackageSerializer
    )
    def get(self, request):
        """Published OCDS releases, oldest first, as a release package (paginated)."""
        params = request.query_params
        date_from, date_to = date_range(params)
        page = parse_positive(params.get("page"), field="page", default=1, maximum=10**9)
        size = parse_positive(params.get("page_size"), field="page_size", default=100, maximum=MAX_PAGE_SIZE)
        ocid = params.get("ocid", "")
        key = urlencode({"f": date_from or "", "t": date_to or "", "o": ocid, "p": page, "s": size})
        return self.cached(f"releases:{key}", lambda: self._page(date_from, date_to, ocid, page, size))

    def _page(self, date_from, date_to, ocid, page, size) -> dict:
        queryset = selectors.releases(date_from=date_from, date_to=date_to, ocid=ocid)
        total = queryset.count()
        last = max(1, -(-total // size))
        if page > last:
            raise ValidationFailed(
                _("page 超出范围：共 %(last)s 页") % {"last": last}, field="page", code=OcdsError.INVALID_PAGE
            )
        rows = selectors.release_data(queryset[(page - 1) * size : page * size])
        query = {k: v for k, v in self.request.query_params.items() if k != "page"}
        package = packaging.release_package(rows, path=f"releases/?{urlencode({**query, 'page': page})}")
        links = {}
        if page < last:
            links["next"] = packaging.uri(f"releases/?{urlencode({**query, 'page': page + 1})}")
        if page > 1:
            links["prev"] = packaging.uri(f"releases/?{urlencode({**query, 'page': page - 1})}")
        if links:
            package["links"] = links
        return package


class RecordView(PublicOcdsView):
    @extend_schema(operation_id="ocds_records_retrieve", tags=["public"], responses=RecordPackageSerializer)
    def get(self, request, ocid: str):
        """The record of one contracting process (its releases and compiled release), as a record package."""

        def build():
            rows = selectors.record_releases(ocid)
            return packaging.record_package(ocid, rows) if rows else None

        return self.cached(f"record:{ocid}", build)


class YearPackageView(PublicOcdsView):
    @extend_schema(operation_id="ocds_packages_year_retrieve", tags=["public"], responses=PackageSerializer)
    def get(self, request, year: str):
        """Every release dated in the year, as one release package (bulk download)."""
        year = int(year)
        if not 2000 <= year <= 2100:
            raise Http404  # no package for such a year (the path takes four digits)

        def build():
            return packaging.release_package(selectors.releases_of_year(year), path=f"packages/{year}.json")

        return self.cached(f"year:{year}", build)
