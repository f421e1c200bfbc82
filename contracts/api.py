"""Purchase contracts over the API (/api/v1/contracts/…): the scoped list and detail (with the canonical content, its
digest and every confirmation re-verified), the steps — distributor, confirm (signed), amend — the PDF, annual
contracts, and the user's signing keys. A contract is never edited: PUT and PATCH answer 409."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import HasCapability
from catalog.identity import ProductIdentityField
from common import serializers
from common.errors import ConflictError
from common.numbers import param_id
from procurement.selectors import orders as order_selectors

from . import content, policies, selectors
from .errors import ContractError
from .models import ContractConfirmation, PurchaseContract, SigningKey
from .pdf import contract_pdf
from .services import amendments, confirmations, keys, parties


class ContractSerializer(serializers.ModelSerializer):
    # A plain string in the schema (draft, pending, in_force, superseded): an enum would collide with other "status"
    status = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="commitment（带量采购）或 annual（挂网产品年度）")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)
    distributor_name = serializers.CharField(source="distributor.name", read_only=True, default=None, allow_null=True)
    product_name = serializers.CharField(source="product.generic_name", read_only=True)
    product_identity = ProductIdentityField()
    awaiting = serializers.SerializerMethodField(help_text="尚未确认的签约方：hospital, manufacturer, distributor")
    allowed_actions = serializers.SerializerMethodField(
        help_text="当前用户可执行的操作：choose_distributor, confirm, amend（contracts.policies）"
    )

    class Meta:
        model = PurchaseContract
        fields = [
            "id",
            "number",
            "version",
            "kind",
            "status",
            "status_label",
            "commitment",
            "listing",
            "year",
            "previous",
            "hospital",
            "hospital_name",
            "manufacturer",
            "manufacturer_name",
            "distributor",
            "distributor_name",
            "product",
            "product_name",
            "product_identity",
            "period_start",
            "period_end",
            "quantity",
            "unit_price",
            "amount",
            "digest",
            "created_at",
            "fixed_at",
            "signed_at",
            "superseded_at",
            "awaiting",
            "allowed_actions",
        ]

    def get_awaiting(self, obj) -> list[str]:
        return [str(p) for p in policies.awaiting_parties(obj)]

    def get_allowed_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return sorted(policies.contract_allowed_actions(request.user, obj)) if request else []


class ConfirmationSerializer(serializers.ModelSerializer):
    party = serializers.CharField(read_only=True, help_text="hospital, manufacturer, distributor")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    key_fingerprint = serializers.CharField(source="key.fingerprint", read_only=True)
    public_key = serializers.CharField(source="key.public_key", read_only=True, help_text="SPKI（DER）Base64")
    valid = serializers.SerializerMethodField(help_text="服务器现在重新验证签名的结果")
    verification = serializers.SerializerMethodField()

    class Meta:
        model = ContractConfirmation
        fields = [
            "party",
            "organization",
            "organization_name",
            "user",
            "algorithm",
            "key_fingerprint",
            "public_key",
            "digest",
            "signed_at",
            "message",
            "signature",
            "confirmed_at",
            "valid",
            "verification",
        ]

    def _result(self, obj):
        return self.context["verifications"][obj.pk]

    def get_valid(self, obj) -> bool:
        return self._result(obj).valid

    def get_verification(self, obj) -> str:
        return str(self._result(obj).reason)


class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    digest = serializers.CharField()


class ContractDetailSerializer(ContractSerializer):
    content = serializers.JSONField(
        read_only=True, help_text="合同内容；其规范化 JSON（键排序、无空白、UTF-8）的 SHA-256 即 digest"
    )
    canonical_content = serializers.SerializerMethodField(help_text="规范化 JSON 文本（计算摘要所用的字节）")
    confirmations = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "content", "canonical_content", "confirmations", "versions"]

    def get_canonical_content(self, obj) -> str:
        return content.canonical(obj.content).decode("utf-8") if obj.digest else ""

    @extend_schema_field(ConfirmationSerializer(many=True))
    def get_confirmations(self, obj) -> list[dict]:
        results = selectors.verify_all(obj)
        context = {**self.context, "verifications": {v.confirmation.pk: v for v in results}}
        return ConfirmationSerializer([v.confirmation for v in results], many=True, context=context).data

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, obj) -> list[dict]:
        return [
            {"id": v.pk, "version": v.version, "status": v.status, "digest": v.digest}
            for v in selectors.versions_of(obj)
        ]


class DistributorSerializer(serializers.Serializer):
    distributor = serializers.IntegerField(help_text="授权配送企业的机构 id")


class ConfirmSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=64, help_text="签名公钥指纹（SPKI 的 SHA-256，十六进制）")
    signed_at = serializers.CharField(max_length=40, help_text="签署时间，ISO 8601（UTC），即签名原文中的 signed_at")
    signature = serializers.CharField(max_length=1024, help_text="对签名原文的签名，Base64（ECDSA 为 r‖s 64 字节）")


class AmendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    quantity = serializers.CharField(required=False, allow_blank=True, help_text="新的约定数量（最小制剂单位）")
    unit_price = serializers.CharField(
        required=False, allow_blank=True, help_text="新的单价（元/最小制剂单位，4 位小数）"
    )


class AnnualSerializer(serializers.Serializer):
    listing = serializers.IntegerField()
    year = serializers.IntegerField()
    quantity = serializers.IntegerField()
    distributor = serializers.IntegerField()


class SigningKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = SigningKey
        fields = [
            "id",
            "algorithm",
            "public_key",
            "public_key_jwk",
            "fingerprint",
            "label",
            "organization",
            "registered_at",
            "registered_by",
            "revoked_at",
        ]
        read_only_fields = [
            "public_key_jwk",
            "fingerprint",
            "organization",
            "registered_at",
            "registered_by",
            "revoked_at",
        ]


class KeyRegisterSerializer(serializers.Serializer):
    algorithm = serializers.CharField(max_length=40, help_text="ECDSA-P256-SHA256 或 Ed25519")
    public_key = serializers.CharField(max_length=6000, help_text="SPKI（DER）Base64，如 WebCrypto exportKey('spki')")
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


LIST_PARAMETERS = [
    OpenApiParameter("status", str, description="draft, pending, in_force, superseded"),
    OpenApiParameter("order", int, description="该订单所依据的约定采购量的合同"),
    OpenApiParameter("commitment", int),
    OpenApiParameter("awaiting_me", bool, description="只列待本机构处理的合同（待选配送企业、待本方确认）"),
]


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
    CAPABILITY = {
        "confirm": "contract.sign",
        "amend": "contract.sign",
        "distributor": "contract.sign",
        "annual": "contract.sign",
    }

    def get_permissions(self):
        return [HasCapability(self.CAPABILITY.get(self.action, "contract.view"))()]

    def get_serializer_class(self):
        return ContractDetailSerializer if self.action == "retrieve" else ContractSerializer

    def get_queryset(self):
        qs = selectors.contracts_visible_to(self.request.user).prefetch_related("confirmations")
        params = self.request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        commitment = param_id(params, "commitment")
        if commitment is not None:
            qs = qs.filter(commitment_id=commitment)
        order = param_id(params, "order")
        if order is not None:
            qs = qs.filter(pk__in=[c.pk for c in self._order_contracts(order)])
        if params.get("awaiting_me") in ("1", "true"):
            qs = qs.filter(pk__in=selectors.awaiting_action(self.request.user).values("pk"))
        return qs.order_by("-created_at", "number", "version")

    def _order_contracts(self, order_id: int):
        order = order_selectors.orders_visible_to(self.request.user).filter(pk=order_id).first()
        return selectors.contracts_for_order(self.request.user, order) if order else []

    def _contract(self, pk) -> PurchaseContract:
        return selectors.contract_for(self.request.user, pk)

    def _render(self, contract, code=status.HTTP_200_OK):
        contract = self._contract(contract.pk)
        return Response(ContractDetailSerializer(contract, context=self.get_serializer_context()).data, status=code)

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    # Not an operation of the API (left out of the schema): a client that tries to edit a contract learns why not.
    @extend_schema(exclude=True)
    def partial_update(self, request, pk=None):
        self._contract(pk)  # another organisation's contract stays a 404
        raise ConflictError(
            "已确认或已定稿的合同不能修改：数量或价格的变更请通过补充协议（amend）生成新版本",
            code=ContractError.CONTRACT_IMMUTABLE,
        )

    @extend_schema(exclude=True)
    def update(self, request, pk=None):
        return self.partial_update(request, pk)

    @extend_schema(request=DistributorSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def distributor(self, request, pk=None):
        contract = self._contract(pk)
        data = DistributorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = parties.contract_choose_distributor(
            contract=contract, by=request.user, distributor_id=data.validated_data["distributor"]
        )
        return self._render(contract)

    @extend_schema(request=ConfirmSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        contract = self._contract(pk)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmations.contract_confirm(contract=contract, by=request.user, **data.validated_data)
        return self._render(contract)

    @extend_schema(request=AmendSerializer, responses={201: ContractDetailSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        contract = self._contract(pk)
        data = AmendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = amendments.contract_amend(contract=contract, by=request.user, **data.validated_data)
        return self._render(new, status.HTTP_201_CREATED)

    # The PDF's bytes as application/octet-stream (a download for programs; generated clients read it as bytes); the
    # contract page's /contracts/<id>/pdf/ serves the same file as application/pdf for browsers.
    @extend_schema(request=None, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        contract = self._contract(pk)
        response = HttpResponse(
            contract_pdf(contract, selectors.verify_all(contract)), content_type="application/octet-stream"
        )
        response["Content-Disposition"] = f'attachment; filename="{contract.number}-v{contract.version}.pdf"'
        return response

    @extend_schema(request=AnnualSerializer, responses={201: ContractDetailSerializer})
    @action(detail=False, methods=["post"])
    def annual(self, request):
        data = AnnualSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        contract = parties.annual_contract_create(
            by=request.user,
            listing_id=v["listing"],
            year=v["year"],
            quantity=v["quantity"],
            distributor_id=v["distributor"],
        )
        return self._render(contract, status.HTTP_201_CREATED)


class SigningKeyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The user's own public keys (the private halves stay in their browsers)."""

    serializer_class = SigningKeySerializer
    pagination_class = None

    def get_permissions(self):
        return [HasCapability("contract.sign")()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return SigningKey.objects.none()
        return selectors.keys_of(self.request.user)

    @extend_schema(request=KeyRegisterSerializer, responses={201: SigningKeySerializer})
    def create(self, request):
        data = KeyRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = keys.signing_key_register(by=request.user, **data.validated_data)
        return Response(SigningKeySerializer(key).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SigningKeySerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        key_id = param_id({"id": pk}, "id")
        return Response(SigningKeySerializer(keys.signing_key_revoke(key_id=key_id, by=request.user)).data)


routes: list[tuple] = [
    ("contracts/keys", SigningKeyViewSet, "contract-key"),
    ("contracts", ContractViewSet, "contract"),
]
urlpatterns: list = []
