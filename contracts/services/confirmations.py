"""A party's signed confirmation of a contract version (签署确认).

The browser signs `content.confirmation_message` with the user's private key (which never reaches the server); this
service rebuilds the same message from the contract, checks the key is the user's and not revoked, the signing time
is near the server's clock, and verifies the signature with the key's registered verifier. Only then is anything
written; when the third party confirms, the version is in force and the version it amends is superseded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.permissions import require
from common.errors import ConflictError, NotFoundError, ValidationFailed
from common.messages import Message
from common.models import record_event

from .. import content, policies, signing
from ..errors import ContractError
from ..models import ContractConfirmation, PurchaseContract, SigningKey
from .common import lock_contract, notify_parties

S = PurchaseContract.Status


def max_skew() -> timedelta:
    """How far the signer's clock may be from the server's (CONTRACT_SIGNATURE_MAX_SKEW_SECONDS, 600 by default): a
    signature made for this moment, not replayed from long ago nor dated ahead."""
    return timedelta(seconds=getattr(settings, "CONTRACT_SIGNATURE_MAX_SKEW_SECONDS", 600))


def parse_signed_at(value: str) -> datetime:
    text = str(value or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or len(text) > 40:
        raise ValidationFailed(
            _("签署时间须为带时区的 ISO 8601 时间，如 2026-03-01T08:00:00.000Z"),
            field="signed_at",
            code=ContractError.SIGNED_AT_INVALID,
        )
    if abs(moment - timezone.now()) > max_skew():  # aware datetimes subtract as timedeltas: no overflow at the ends
        raise ValidationFailed(
            _("签署时间与服务器时间相差过大，请校准本机时间后重新签署"),
            field="signed_at",
            code=ContractError.SIGNED_AT_OUT_OF_RANGE,
        )
    return moment


def _key(by, fingerprint: str) -> SigningKey:
    key = SigningKey.objects.filter(user=by, fingerprint=str(fingerprint or "").strip().lower()).first()
    if key is None:
        raise ValidationFailed(_("未找到您登记的该签名公钥"), field="key", code=ContractError.KEY_UNKNOWN)
    if key.revoked_at is not None:
        raise ValidationFailed(_("该签名公钥已撤销，请使用有效的公钥"), field="key", code=ContractError.KEY_REVOKED)
    return key


def _signature(value: str) -> str:
    text = str(value or "").strip()
    if not signing.b64decode(text, max_bytes=512):
        raise ValidationFailed(_("签名须为 Base64 编码"), field="signature", code=ContractError.SIGNATURE_INVALID)
    return text


def _ensure_pending(contract: PurchaseContract, party: str) -> None:
    if contract.status == S.DRAFT:
        raise ConflictError(_("医疗机构尚未选择配送企业，合同未定稿"), code=ContractError.CONTRACT_NOT_READY)
    if contract.status != S.PENDING:
        raise ConflictError(
            _("合同%(status)s，不再接受确认") % {"status": contract.get_status_display()},
            code=ContractError.CONTRACT_NOT_PENDING,
        )
    if party in policies.confirmed_parties(contract):
        raise ConflictError(_("本方已确认过该合同版本"), code=ContractError.ALREADY_CONFIRMED)
    if not content.content_matches_fields(contract):
        raise ConflictError(_("合同内容与其摘要不符，不能确认"), code=ContractError.CONTENT_TAMPERED)


@transaction.atomic
def contract_confirm(
    *, contract: PurchaseContract, by, key: str, signed_at: str, signature: str
) -> ContractConfirmation:
    """Record the party's confirmation once its signature verifies; nothing is written otherwise."""
    require(by, "contract.sign")
    contract = lock_contract(contract.pk)
    party = policies.party_of(by, contract)
    if party is None:
        raise NotFoundError(_("合同不存在"))
    _ensure_pending(contract, party)
    signing_key = _key(by, key)
    moment = parse_signed_at(signed_at)
    signature = _signature(signature)
    uscc = by.organization.uscc or ""
    message = content.confirmation_message(contract=contract, party=party, uscc=uscc, signed_at=str(signed_at).strip())
    if not signing.verify(
        algorithm=signing_key.algorithm, public_key_b64=signing_key.public_key, signature_b64=signature, message=message
    ):
        raise ValidationFailed(
            _("签名验证失败：签名与合同摘要、签约方和签署时间不符，或不是该公钥所签"),
            field="signature",
            code=ContractError.SIGNATURE_INVALID,
        )
    confirmation = ContractConfirmation.objects.create(
        contract=contract,
        party=party,
        organization_id=by.organization_id,
        user=by,
        key=signing_key,
        algorithm=signing_key.algorithm,
        digest=contract.digest,
        signed_at=moment,
        message=message.decode("utf-8"),
        signature=signature,
    )
    record_event(contract, "confirmed", by=by, data={"party": party, "key": signing_key.fingerprint})
    if not policies.awaiting_parties(contract):
        _enter_into_force(contract, by=by)
    return confirmation


def _enter_into_force(contract: PurchaseContract, *, by) -> None:
    now = timezone.now()
    contract.enter_into_force(at=now)
    contract.save()
    record_event(contract, "in_force", by=by, from_state=S.PENDING, to_state=S.IN_FORCE)
    if contract.previous_id:
        previous = lock_contract(contract.previous_id)
        previous.supersede(at=now)
        previous.save()
        record_event(previous, "superseded", by=by, from_state=S.IN_FORCE, to_state=S.SUPERSEDED, note=contract.number)
    notify_parties(
        contract,
        Message(gettext_noop("购销合同 %(n)s（第 %(v)s 版）已生效"), {"n": contract.number, "v": contract.version}),
        topic="in_force",
    )
