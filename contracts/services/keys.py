"""Signing keys: a user registers the public half of a key pair their browser generated, and may revoke it.

The private key stays in the browser (a non-extractable WebCrypto key kept in IndexedDB): the platform cannot sign
for anyone. A revoked key signs nothing new; the confirmations it made before its revocation still verify."""

from __future__ import annotations

import base64

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from common.errors import ConflictError, NotFoundError, ValidationFailed
from common.models import record_event
from common.text import check_text

from .. import signing
from ..errors import ContractError
from ..models import SigningKey


def _spki(public_key: str) -> bytes:
    raw = signing.b64decode(str(public_key or "").strip(), max_bytes=4096)
    if not raw:
        raise ValidationFailed(
            _("公钥须为 SPKI（DER）的 Base64 编码"), field="public_key", code=ContractError.KEY_INVALID
        )
    return raw


@transaction.atomic
def signing_key_register(*, by, algorithm: str, public_key: str, label: str = "") -> SigningKey:
    require(by, "contract.sign")
    verifier = signing.verifier_for(str(algorithm or ""))
    if verifier is None:
        raise ValidationFailed(
            _("不支持的签名算法，可用：%(names)s") % {"names": "、".join(sorted(signing.VERIFIERS))},
            field="algorithm",
            code=ContractError.ALGORITHM_UNKNOWN,
        )
    spki = _spki(public_key)
    try:
        key = verifier.load(spki)
    except signing.KeyRejected as exc:
        raise ValidationFailed(
            _("公钥不是 %(alg)s 算法的公钥") % {"alg": verifier.label},
            field="public_key",
            code=ContractError.KEY_INVALID,
        ) from exc
    fingerprint = signing.fingerprint(spki)
    if SigningKey.objects.filter(fingerprint=fingerprint).exists():
        raise ConflictError(_("该公钥已登记"), field="public_key", code=ContractError.KEY_EXISTS)
    label = check_text(str(label or "").strip(), field="label", label=_("名称"), max_length=100)
    signing_key = SigningKey.objects.create(
        user=by,
        organization_id=by.organization_id,
        algorithm=verifier.algorithm,
        public_key=base64.b64encode(spki).decode("ascii"),
        public_key_jwk=verifier.jwk(key),
        fingerprint=fingerprint,
        label=label,
        registered_by=by,
    )
    record_event(signing_key, "registered", by=by, data={"fingerprint": fingerprint, "algorithm": verifier.algorithm})
    return signing_key


@transaction.atomic
def signing_key_revoke(*, key_id: int, by) -> SigningKey:
    key = SigningKey.objects.select_for_update().filter(pk=key_id, user=by).first()
    if key is None:
        raise NotFoundError(_("签名公钥不存在"))
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = by
        key.save(update_fields=["revoked_at", "revoked_by"])
        record_event(key, "revoked", by=by)
    return key
