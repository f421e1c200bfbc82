"""Purchase contracts (购销合同) between a hospital, a manufacturer and a distributor, their supplementary agreements
(补充协议), the parties' signed confirmations and the public keys they sign with.

A contract's content is fixed (`content`, `digest`) when it leaves the draft: from then on nothing in it changes —
an amendment is a new version (a new row, `previous` pointing at the old one) which supersedes the old one once all
three parties have confirmed it. `PurchaseContract.save` refuses to write a content field of a fixed contract.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import transition
from simple_history.models import HistoricalRecords

from common.errors import ConflictError
from common.fields import StatusField

from .errors import ContractError

UNIT_PRICE = {"max_digits": 14, "decimal_places": 4}
AMOUNT = {"max_digits": 16, "decimal_places": 2}


class Party(models.TextChoices):
    HOSPITAL = "hospital", _("医疗机构（甲方）")
    MANUFACTURER = "manufacturer", _("生产企业（乙方）")
    DISTRIBUTOR = "distributor", _("配送企业（丙方）")


PARTIES = (Party.HOSPITAL, Party.MANUFACTURER, Party.DISTRIBUTOR)


class PurchaseContract(models.Model):
    """One version of a purchase contract: per commitment (hospital × awarded product × cycle), or an annual contract
    of a hospital for a listed product (hospital × listing × year)."""

    # what the object's history calls each step (the audit events store the code; common.labels)
    EVENT_LABELS = {
        "fixed": pgettext_lazy("合同操作", "合同定稿"),
        "confirmed": pgettext_lazy("合同操作", "一方确认"),
        "in_force": pgettext_lazy("合同操作", "合同生效"),
        "superseded": pgettext_lazy("合同操作", "被补充协议替代"),
        "amendment_proposed": pgettext_lazy("合同操作", "提出补充协议"),
    }

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("带量采购购销合同")
        ANNUAL = "annual", _("挂网产品年度购销合同")

    class Status(models.TextChoices):
        DRAFT = "draft", _("待选择配送企业")
        PENDING = "pending", _("待各方确认")
        IN_FORCE = "in_force", _("已生效")
        SUPERSEDED = "superseded", _("已被补充协议替代")

    # Fields that make up the content: a fixed contract never changes them (see save()).
    CONTENT_FIELDS = (
        "number",
        "version",
        "kind",
        "hospital_id",
        "manufacturer_id",
        "distributor_id",
        "product_id",
        "period_start",
        "period_end",
        "quantity",
        "unit_price",
        "amount",
        "response_hours",
        "delivery_hours",
        "payment_term_days",
        "content",
        "digest",
    )

    number = models.CharField(_("合同编号"), max_length=60)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    kind = models.CharField(_("合同类型"), max_length=12, choices=Kind.choices, default=Kind.COMMITMENT)
    commitment = models.ForeignKey(
        "procurement.Commitment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("约定采购量"),
    )
    listing = models.ForeignKey(
        "procurement.Listing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("挂网产品"),
    )
    year = models.PositiveSmallIntegerField(_("合同年度"), null=True, blank=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("被补充的合同版本"),
    )
    # The three parties' lookups use the (party, status) indexes of Meta.indexes: no index of their own.
    hospital = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("医疗机构（甲方）"),
    )
    manufacturer = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("生产企业（乙方）"),
    )
    distributor = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("配送企业（丙方）"),
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    period_start = models.DateField(_("履行期起"))
    period_end = models.DateField(_("履行期止"))
    quantity = models.PositiveBigIntegerField(_("约定数量（最小制剂单位）"))
    unit_price = models.DecimalField(_("单价（每最小制剂单位）"), **UNIT_PRICE)
    amount = models.DecimalField(_("合同金额"), **AMOUNT)
    response_hours = models.PositiveSmallIntegerField(_("订单响应时限（小时）"))
    delivery_hours = models.PositiveSmallIntegerField(_("配送时限（小时）"))
    payment_term_days = models.PositiveSmallIntegerField(_("回款时限（天，自验收合格）"))
    status = StatusField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    content = models.JSONField(_("合同内容"), default=dict, blank=True)
    digest = models.CharField(_("内容摘要（SHA-256）"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    fixed_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("生效时间"), null=True, blank=True, help_text=_("三方均已确认的时间"))
    superseded_at = models.DateTimeField(_("被替代时间"), null=True, blank=True)
    # The history is read per contract (by id) and by date and user; indexes copied from the contract's foreign keys
    # would only slow down writing it (a tender's award writes one history row per generated contract).
    history = HistoricalRecords(
        no_db_index=["commitment", "listing", "previous", "hospital", "manufacturer", "distributor", "product"]
    )

    class Meta:
        verbose_name = _("购销合同")
        verbose_name_plural = _("购销合同")
        ordering = ["-created_at", "number", "version"]
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="contract_number_version_unique"),
            models.UniqueConstraint(fields=["commitment"], condition=Q(version=1), name="contract_one_per_commitment"),
            models.UniqueConstraint(
                fields=["hospital", "listing", "year"], condition=Q(version=1), name="contract_one_annual_per_year"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="contract_period_order"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="contract_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0) & Q(amount__gte=0), name="contract_money_not_negative"
            ),
            models.CheckConstraint(
                condition=(Q(kind="commitment") & Q(commitment__isnull=False))
                | (Q(kind="annual") & Q(listing__isnull=False) & Q(year__isnull=False)),
                name="contract_kind_subject",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (~Q(digest="") & Q(distributor__isnull=False)),
                name="contract_fixed_has_digest",
            ),
        ]
        indexes = [
            models.Index(fields=["hospital", "status"]),
            models.Index(fields=["manufacturer", "status"]),
            models.Index(fields=["distributor", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"

    def save(self, *args, **kwargs):
        # The invariant of the whole app: a fixed contract's content is never written again (an amendment is a new
        # version). Checked against the database row, so a stale or hand-edited instance cannot slip through.
        if self.pk is not None:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .exclude(status=self.Status.DRAFT)
                .values(*self.CONTENT_FIELDS)
                .first()
            )
            if stored and any(stored[f] != getattr(self, f) for f in self.CONTENT_FIELDS):
                raise ConflictError(
                    _("已定稿的合同不能修改，变更数量或价格请签订补充协议"), code=ContractError.CONTRACT_IMMUTABLE
                )
        super().save(*args, **kwargs)

    @property
    def is_fixed(self) -> bool:
        return self.status != self.Status.DRAFT

    def party_org_id(self, party: str) -> int | None:
        return getattr(self, f"{party}_id")

    def party_of(self, organization_id: int | None) -> str | None:
        """The party the organisation is in this contract (None when it is none of them)."""
        for party in PARTIES:
            if organization_id is not None and self.party_org_id(party) == organization_id:
                return party
        return None

    # transitions (called by contracts.services only)
    @transition(field=status, source=Status.DRAFT, target=Status.PENDING)
    def fix(self, *, content: dict, digest: str, at) -> None:
        self.content, self.digest, self.fixed_at = content, digest, at

    @transition(field=status, source=Status.PENDING, target=Status.IN_FORCE)
    def enter_into_force(self, *, at) -> None:
        self.signed_at = at

    @transition(field=status, source=Status.IN_FORCE, target=Status.SUPERSEDED)
    def supersede(self, *, at) -> None:
        self.superseded_at = at


class ContractAmendment(models.Model):
    """补充协议: what changed from one version of a contract to the next, and why. The new version is a contract of
    its own, confirmed by the three parties like the first."""

    contract = models.ForeignKey(
        PurchaseContract, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("原合同版本")
    )
    new_version = models.OneToOneField(
        PurchaseContract, on_delete=models.PROTECT, related_name="amendment", verbose_name=_("补充协议（新版本）")
    )
    reason = models.TextField(_("变更原因"), max_length=500)
    old_quantity = models.PositiveBigIntegerField(_("原数量"))
    new_quantity = models.PositiveBigIntegerField(_("新数量"))
    old_unit_price = models.DecimalField(_("原单价"), **UNIT_PRICE)
    new_unit_price = models.DecimalField(_("新单价"), **UNIT_PRICE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补充协议")
        verbose_name_plural = _("补充协议")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.contract} → v{self.new_version.version}"


class SigningKey(models.Model):
    """A user's public key, registered from the browser that generated the pair; the private key never leaves it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signing_keys", verbose_name=_("持有人")
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属机构")
    )
    algorithm = models.CharField(_("算法"), max_length=40)
    public_key = models.TextField(_("公钥（SPKI DER，Base64）"))
    public_key_jwk = models.JSONField(_("公钥（JWK）"), default=dict, blank=True)
    fingerprint = models.CharField(_("公钥指纹（SHA-256）"), max_length=64, unique=True)
    label = models.CharField(_("名称"), max_length=100, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("签名公钥")
        verbose_name_plural = _("签名公钥")
        ordering = ["-registered_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.algorithm} · {self.fingerprint[:16]}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ContractConfirmation(models.Model):
    """One party's online confirmation (签署) of one contract version: the exact message it signed and the signature.

    Append-only: a confirmation is never changed or removed (a contract's confirmations are its evidence)."""

    contract = models.ForeignKey(
        PurchaseContract, on_delete=models.PROTECT, related_name="confirmations", verbose_name=_("合同")
    )
    party = models.CharField(_("签约方"), max_length=12, choices=Party.choices)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("机构")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("签署人")
    )
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="confirmations", verbose_name=_("公钥"))
    algorithm = models.CharField(_("算法"), max_length=40)
    digest = models.CharField(_("所签合同摘要"), max_length=64)
    signed_at = models.DateTimeField(_("签署时间"))
    message = models.TextField(_("签名原文"))
    signature = models.TextField(_("签名（Base64）"))
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合同确认")
        verbose_name_plural = _("合同确认")
        ordering = ["confirmed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["contract", "party"], name="contract_confirmed_once_per_party")]

    def __str__(self) -> str:
        return f"{self.contract} · {self.get_party_display()}"
