"""The award hook: the moment a tender's awards are published, its groups' standards of the first year are derived
as drafts (procurement.hooks.awards_published), for an official to review and publish."""

from __future__ import annotations

from procurement import hooks as procurement_hooks
from procurement.models import Tender

from .services import payment_standards_derive


@procurement_hooks.register_awards_published
def derive_on_award(tender_id: int) -> None:
    payment_standards_derive(tender=Tender.objects.get(pk=tender_id))
