"""API of shortage alerts: list and close."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import HasCapability
from common import serializers

from .. import selectors
from ..models import (
    ShortageAlert,
)
from ..services import shortage as shortage_svc
from .common import _valid


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
