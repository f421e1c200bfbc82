"""REST endpoints of national and alliance batches (docs/national-batches.md), mixed into the tender viewset:
`POST tenders/import-results/` (the lot list and the results table, all or nothing); the viewset itself has
`POST tenders/{id}/confirm-results/` (the province's agreed volumes from its demand, before the window ends) and
`POST tenders/{id}/follow-on/` (接续采购), which answer with the tender."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from common import serializers

from ..errors import TenderError
from ..models import Tender
from ..services import batch_results


class ResultsImportSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text="平台上的批次编号")
    name = serializers.CharField(max_length=200)
    level = serializers.ChoiceField(choices=[Tender.Level.NATIONAL, Tender.Level.ALLIANCE])
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    lots_file = serializers.FileField(help_text="采购品种目录（xlsx 或 UTF-8 csv）")
    file = serializers.FileField(help_text="中选结果表（xlsx 或 UTF-8 csv）")
    dry_run = serializers.BooleanField(required=False, default=False)


class ResultsReportSerializer(serializers.Serializer):
    tender = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField()
    lots = serializers.DictField(help_text="采购品种目录的逐行结果")
    results = serializers.DictField(help_text="中选结果的逐行结果：new（本省）、other_province（其他省份）、error")


class FollowOnSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    demand_start = serializers.DateTimeField()
    demand_end = serializers.DateTimeField()
    bid_deadline = serializers.DateTimeField()
    opening_at = serializers.DateTimeField()
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    cap = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="highest_awarded（默认）| lowest_awarded | max_price"
    )
    cap_factor = serializers.CharField(required=False, allow_blank=True, default="", help_text="限价系数，默认 1")
    own_cap = serializers.BooleanField(
        required=False, default=True, help_text="原中选企业的报价另以其原中选价（× 限价系数）为上限"
    )


def report_body(report: batch_results.ResultsReport) -> dict:
    return report.result()


class BatchResultsActions:
    """Mixed into TenderViewSet (which grants them to `tender.manage` through MANAGE_ACTIONS)."""

    @extend_schema(
        request=ResultsImportSerializer, responses={201: ResultsReportSerializer, 200: ResultsReportSerializer}
    )
    @action(detail=False, methods=["post"], url_path="import-results", parser_classes=[MultiPartParser, FormParser])
    def import_results(self, request):
        data = ResultsImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lots, results = values["lots_file"], values["file"]
        report = batch_results.batch_results_import(
            by=request.user,
            code=values["code"],
            name=values["name"],
            level=values["level"],
            cycle_start=values["cycle_start"],
            cycle_end=values["cycle_end"],
            lots_content=lots.read(),
            lots_filename=lots.name,
            results_content=results.read(),
            results_filename=results.name,
            dry_run=values["dry_run"],
        )
        if not report.ok:
            body = {
                "code": TenderError.RESULTS_FILE_INVALID,
                "detail": _("文件中有错误行，未写入任何数据"),
                "field": "file",
                **report_body(report),
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(report_body(report), status=status.HTTP_201_CREATED if report.tender else status.HTTP_200_OK)
