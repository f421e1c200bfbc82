"""When releases are emitted: a tender changes status (procurement's `tender_moved` hook), a purchase contract of
one of its commitments changes (post_save of `contracts.PurchaseContract`), or the fund records a payment (post_save
of `settlement.Payment`: the call-offs it pays gain a transaction). Both queue the publishing of
the tender through the outbox, with the change's transaction. The nightly `ocds.publish_all` catches whatever came
another way (payments of a bank file, written in bulk)."""

from __future__ import annotations

from django.db.models.signals import post_save

from contracts.models import PurchaseContract
from procurement import hooks
from procurement.models import Commitment
from settlement.models import Payment

from .services import publication_enqueue


def tender_moved(tender_id: int) -> None:
    publication_enqueue(tender_id=tender_id)


def payment_recorded(sender, instance: Payment, created: bool, **kwargs) -> None:
    if not created:
        return
    statement = instance.statement
    tender_ids = (
        Commitment.objects.filter(hospital_id=statement.hospital_id, manufacturer_id=statement.manufacturer_id)
        .values_list("tender_id", flat=True)
        .distinct()
    )
    for tender_id in tender_ids:
        publication_enqueue(tender_id=tender_id)


def contract_changed(sender, instance: PurchaseContract, **kwargs) -> None:
    if instance.commitment_id is not None:
        publication_enqueue(tender_id=instance.commitment.tender_id)


def register_hooks() -> None:
    hooks.register_tender_moved(tender_moved)
    post_save.connect(payment_recorded, sender=Payment, dispatch_uid="ocds.payment_recorded")
    post_save.connect(contract_changed, sender=PurchaseContract, dispatch_uid="ocds.contract_changed")
