"""What an organisation's deactivation (accounts.services.organization_deactivate) leaves behind in procurement,
registered with accounts.hooks so accounts never imports procurement:

- a manufacturer: every active listing is suspended with the reason (listing_suspend: history, audit event, its open
  orders flagged); its bids in a tender still bidding stay sealed and are marked invalid at the opening
  (services.tenders.opening), so nothing is decided about them before the opening;
- a distributor: its orders with goods still to come are flagged for their hospitals to redirect
  (`PurchaseOrder.distributor_inactive`, read live), with an order event each and a notification to each hospital;
  a draft addressed to it cannot be submitted.

A reactivation reinstates nothing by itself: officials reinstate each suspended listing after review.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import hooks as account_hooks
from accounts.models import Organization
from common.messages import Message
from common.notifications import notify

from ..models import OrderEvent, PurchaseOrder
from .listings import listings_suspend_for_manufacturer


def _suspend_listings(organization: Organization, *, by, reason: str) -> dict:
    note = _("生产企业已停用：%(reason)s") % {"reason": reason}
    return {
        "listings_suspended": listings_suspend_for_manufacturer(manufacturer_id=organization.pk, by=by, reason=note)
    }


def _flag_orders(organization: Organization, *, by, reason: str) -> dict:
    orders = list(
        PurchaseOrder.objects.filter(
            distributor=organization,
            status__in=PurchaseOrder.AWAITING_DISTRIBUTOR_STATUSES,
        )
        .order_by("pk")
        .values_list("pk", "hospital_id", "number")
    )
    note = _("配送企业“%(name)s”已停用（%(reason)s），请撤销或结案后改由其他配送企业采购") % {
        "name": organization.name,
        "reason": reason,
    }
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order_id=pk,
                action="distributor_deactivated",
                actor=by if getattr(by, "pk", None) else None,
                organization_id=getattr(by, "organization_id", None),
                reason=note[:300],
                data={"distributor": organization.pk},
            )
            for pk, _hospital, _number in orders
        ],
        batch_size=1000,
    )
    for hospital_id in sorted({hospital for _pk, hospital, _number in orders}):
        numbers = [number or str(pk) for pk, hospital, number in orders if hospital == hospital_id]
        notify(
            hospital_id,
            "order_redirect",
            Message(gettext_noop("%(count)s 张订单需改派配送企业"), {"count": len(numbers)}),
            body=f"{note}\n{'、'.join(numbers[:50])}",
            link=f"{reverse('orders:list')}?flagged=1",
        )
    return {"orders_flagged": len(orders)}


def on_organization_deactivated(organization: Organization, *, by, reason: str) -> dict:
    if organization.kind == Organization.Kind.MANUFACTURER:
        return _suspend_listings(organization, by=by, reason=reason)
    if organization.kind == Organization.Kind.DISTRIBUTOR:
        return _flag_orders(organization, by=by, reason=reason)
    return {}


def register_hooks() -> None:
    account_hooks.register_deactivated(on_organization_deactivated)
