"""API of the 函询 letters for their recipients: list (scoped to the addressed organisation) and reply."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.permissions import HasCapability
from common import serializers
from common.parsers import JSONParser

from .. import selectors
from ..models import (
    Inquiry,
)
from ..services import alerts as alert_svc
from .alerts import InquirySerializer
from .common import _valid


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
