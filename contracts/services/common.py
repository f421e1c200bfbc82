"""What the contract services share: locking, fixing the content, telling the parties."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import NotFoundError
from common.models import record_event
from common.notifications import notify

from .. import content
from ..errors import ContractError
from ..models import PARTIES, PurchaseContract


def lock_contract(pk: int) -> PurchaseContract:
    contract = (
        PurchaseContract.objects.select_for_update(of=("self",))
        .select_related("hospital", "manufacturer", "distributor", "product", "commitment__tender", "commitment__lot")
        .filter(pk=pk)
        .first()
    )
    if contract is None:
        raise NotFoundError(_("合同不存在"), code=ContractError.CONTRACT_NOT_PENDING)
    return contract


def fix_content(contract: PurchaseContract, *, by, amendment_reason: str | None = None) -> None:
    """Leave the draft: the content is computed once, its digest kept, and nothing in it changes again."""
    body = content.contract_content(contract, amendment_reason=amendment_reason)
    before = contract.status
    contract.fix(content=body, digest=content.digest_of(body), at=timezone.now())
    contract.save()
    record_event(
        contract, "fixed", by=by, from_state=before, to_state=contract.status, data={"digest": contract.digest}
    )


def notify_parties(contract: PurchaseContract, title: str, *, body: str = "", topic: str = "", skip: int | None = None):
    """One notification to each party's organisation (but `skip`'s), linking to the contract."""
    link = reverse("contracts:detail", args=[contract.pk])
    for party in PARTIES:
        org_id = contract.party_org_id(party)
        if org_id and org_id != skip:
            notify(org_id, "contract", title, body=body, link=link, topic=f"{topic}:{contract.pk}" if topic else "")
