"""What the ordering endpoints share: the reason/version body of a step, the `version` a client read (field or
`If-Match`), validating a body with its serializer, and an order the user may see (another organisation's is 404)."""

from __future__ import annotations

from django.http import Http404

from common import serializers
from common.api import header_int

from ..models import PurchaseOrder
from ..selectors import orders as order_selectors


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    version = serializers.IntegerField(required=False, allow_null=True)


class ShortageSerializer(serializers.Serializer):
    packs = serializers.IntegerField(required=False, help_text="缺货数量（包装）；省略为该行全部")
    reason = serializers.CharField(help_text="缺货原因（必填）")


class AcceptSerializer(ReasonSerializer):
    shortages = serializers.DictField(
        child=ShortageSerializer(),
        required=False,
        help_text="缺货：订单明细 id → {packs, reason}；缺货部分不再配送。全部缺货请拒绝订单",
    )


def version_of(request, data) -> int | None:
    value = data.get("version")
    if value is None:
        value = header_int(request, "If-Match", column=PurchaseOrder._meta.get_field("version"))
    return value


def validated(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def order_for(user, pk) -> PurchaseOrder:
    order = order_selectors.orders_visible_to(user).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order
