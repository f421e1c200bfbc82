"""REST endpoints of what follows the opening: the opening record (every opened bid's bidder and digest), the bidder's
own outcome, and the check of a bid's digest from its receipt. Mixed into the tender and bid viewsets; all reads,
nothing written. Before the opening every one of them answers 409 `not_yet_opened` and nothing else."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import HasCapability
from catalog.identity import ProductIdentityField
from common import serializers
from common.templatetags.display import message

from ..selectors import tender_opening


class BidReceiptSerializer(serializers.Serializer):
    """What the bidder keeps (given once, in the answer to a submission or replacement): every input of the digest."""

    format = serializers.CharField()
    bid = serializers.IntegerField()
    tender = serializers.CharField(help_text="批次编号")
    lot = serializers.CharField(help_text="品种编号")
    manufacturer_uscc = serializers.CharField()
    product_code = serializers.CharField()
    price = serializers.CharField(help_text="报价，与申报时的写法一致")
    supply_capacity = serializers.IntegerField()
    submitted_at = serializers.CharField(help_text="申报时间（ISO 8601，摘要按此文本计算）")
    nonce = serializers.CharField(help_text="随机数：32 位十六进制，平台不以明文保存")
    digest = serializers.CharField(help_text="申报摘要 SHA-256")


class OpeningBidSerializer(serializers.Serializer):
    bid = serializers.IntegerField(source="pk")
    manufacturer = serializers.CharField(source="manufacturer.name")
    manufacturer_uscc = serializers.CharField(source="manufacturer.uscc")
    product_code = serializers.CharField(source="product.nhsa_code")
    product_identity = ProductIdentityField()  # name, strength, form, pack, maker
    submitted_at = serializers.DateTimeField()
    status = serializers.CharField()
    invalid_reason = serializers.CharField()
    seal_hash = serializers.CharField(help_text="申报摘要 SHA-256，申报时生成，开标时公布")


class OpeningLotSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot.pk")
    number = serializers.CharField(source="lot.number")
    generic_name = serializers.CharField(source="lot.generic_name")
    bids = OpeningBidSerializer(many=True)


class RuleSetSerializer(serializers.Serializer):
    rule_set = serializers.CharField(help_text="chemical（化学药品）或 patent_medicine（中成药/蒙成药）")
    name = serializers.CharField()
    lines = serializers.ListField(child=serializers.CharField())
    rules = serializers.DictField(help_text="本批次存储的规则参数")


class OwnBidSerializer(serializers.Serializer):
    bid = serializers.IntegerField(source="bid.pk")
    lot = serializers.IntegerField(source="bid.lot_id")
    lot_number = serializers.CharField(source="bid.lot.number")
    product = serializers.IntegerField(source="bid.product_id")
    status = serializers.CharField(source="bid.status")
    invalid_reason = serializers.CharField(source="bid.invalid_reason")
    price = serializers.DecimalField(source="bid.price", max_digits=14, decimal_places=4)
    comparison_price = serializers.DecimalField(source="bid.comparison_price", max_digits=14, decimal_places=4)
    factor = serializers.DecimalField(
        max_digits=14, decimal_places=4, allow_null=True, help_text="单位可比价 / 申报单价（差比价换算系数）"
    )
    max_price = serializers.DecimalField(source="bid.lot.max_price", max_digits=14, decimal_places=4)
    criteria_met = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField()
    winner_rank = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()

    def _outcome(self, row, key):
        return (row.outcome or {}).get(key)

    def get_criteria_met(self, row) -> list[str]:
        return self._outcome(row, "criteria_met") or []

    def get_rank(self, row) -> int | None:
        return self._outcome(row, "rank")

    def get_winner_rank(self, row) -> int | None:
        return self._outcome(row, "winner_rank")

    def get_reasons(self, row) -> list[str]:
        """The reasons in the request's language (stored as messages: common.messages)."""
        return [message(r) for r in self._outcome(row, "reasons") or []]


class OwnBidsSerializer(serializers.Serializer):
    published = serializers.BooleanField(help_text="false：中选结果尚未公布，排名与理由暂不提供")
    rules = RuleSetSerializer()
    bids = OwnBidSerializer(many=True)


class VerifyRequestSerializer(serializers.Serializer):
    receipt = serializers.JSONField(required=False, help_text="申报回执（JSON 对象或其文本）；给出时忽略其余字段")
    bid = serializers.IntegerField(required=False)
    price = serializers.CharField(required=False, help_text="与申报时的写法一致")
    nonce = serializers.CharField(required=False)


class VerificationSerializer(serializers.Serializer):
    matches = serializers.BooleanField()
    bid = serializers.IntegerField(source="bid.pk")
    digest = serializers.CharField(help_text="按所保存的内容重新计算的摘要")
    published_digest = serializers.CharField(help_text="开标公布的摘要")
    opened_price_matches = serializers.BooleanField(help_text="开标解密的报价与所保存的报价数值相同")


class TenderOpeningActions:
    """The tender viewset's after-opening reads."""

    @extend_schema(request=None, responses={200: OpeningLotSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="opening-record", pagination_class=None)
    def opening_record(self, request, pk=None):
        record = tender_opening.opening_record(self.get_object())
        return Response(OpeningLotSerializer(record, many=True).data)

    @extend_schema(request=None, responses={200: OwnBidsSerializer})
    @action(detail=True, methods=["get"], url_path="my-bids", permission_classes=[HasCapability("tender.bid")])
    def my_bids(self, request, pk=None):
        return Response(OwnBidsSerializer(tender_opening.own_bids_after_opening(self.get_object(), request.user)).data)


class BidVerifyAction:
    """The bid viewset's check of a digest from a receipt (the user's own bids only; writes nothing)."""

    @extend_schema(request=VerifyRequestSerializer, responses={200: VerificationSerializer})
    @action(detail=False, methods=["post"], permission_classes=[HasCapability("tender.bid")])
    def verify(self, request):
        data = VerifyRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = tender_opening.verify_bid(request.user, **data.validated_data)
        return Response(VerificationSerializer(result).data)
