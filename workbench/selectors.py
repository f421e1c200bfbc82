"""The manufacturer's workbench: its to-dos and the summaries of its work, one cheap query each.

Reads only, through the selectors of the apps that own the rows (each applies its own visibility rule), so a user
sees on the workbench exactly what the linked pages would show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.permissions import can
from contracts import selectors as contract_selectors
from contracts.models import PurchaseContract
from pricing import selectors as pricing_selectors
from procurement.models import Award, Bid, Listing, ListingApplication, Tender
from procurement.selectors import applications as application_selectors
from procurement.selectors import progress as progress_selectors
from qualifications import selectors as qualification_selectors
from settlement import selectors as settlement_selectors
from settlement.models import Payment, SettlementStatement

ZERO = Decimal("0.00")
MANUFACTURER_PORTAL = "portal.manufacturer"


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: int
    url: str


def is_manufacturer_user(user) -> bool:
    org = getattr(user, "organization", None)
    return bool(org is not None and org.kind == Organization.Kind.MANUFACTURER and can(user, MANUFACTURER_PORTAL))


def todo_item(key: str, label, count: int, url_name: str, query: str = "") -> Todo:
    return Todo(key=key, label=str(label), count=count, url=reverse(url_name) + query)


def todos(user) -> list[Todo]:
    """Each to-do with its count and the page where it is done (one COUNT query each)."""
    org_id = user.organization_id
    returned = (
        application_selectors.applications_visible_to(user).filter(status=ListingApplication.Status.RETURNED).count()
    )
    to_confirm = contract_selectors.awaiting_action(user).count()
    to_answer = pricing_selectors.inquiries_visible_to(user).filter(replied_at__isnull=True).count()
    to_claim = (
        settlement_selectors.statements_visible_to(user)
        .filter(manufacturer_id=org_id, status=SettlementStatement.Status.DRAFT)
        .count()
    )
    expiring = qualification_selectors.expiring().filter(organization_id=org_id).count()
    sealed = Bid.objects.filter(
        manufacturer_id=org_id, status__in=Bid.LIVE_STATUSES, tender__status=Tender.Status.BIDDING
    ).count()
    return [
        todo_item("applications_returned", _("挂网申请被退回"), returned, "listings:list", "?status=returned"),
        todo_item("contracts_to_confirm", _("待确认的购销合同"), to_confirm, "contracts:list"),
        todo_item("inquiries_to_answer", _("待回复的价格函询"), to_answer, "pricing:inquiry-list"),
        todo_item("statements_to_claim", _("待申报的结算单"), to_claim, "settlement:list", "?status=draft"),
        todo_item("licences_expiring", _("即将到期的资质证照"), expiring, "qualifications:list"),
        todo_item("bids_awaiting_opening", _("待开标的申报"), sealed, "tenders:list"),
    ]


def listing_summary(user) -> dict:
    """Its listings by status, and how many came through applications (one grouped query)."""
    rows = (
        Listing.objects.filter(manufacturer_id=user.organization_id)
        .values("status")
        .annotate(n=Count("pk"), applied=Count("pk", filter=Q(source=Listing.Source.APPLICATION)))
        .order_by()
    )
    by_status = {r["status"]: r["n"] for r in rows}
    return {
        "active": by_status.get(Listing.Status.ACTIVE, 0),
        "suspended": by_status.get(Listing.Status.SUSPENDED, 0),
        "withdrawn": by_status.get(Listing.Status.WITHDRAWN, 0),
        "through_applications": sum(r["applied"] for r in rows),
    }


def awards(user, *, limit: int = 10) -> list[Award]:
    return list(
        Award.objects.filter(manufacturer_id=user.organization_id)
        .select_related("tender", "lot", "product")
        .order_by("-tender__code", "lot__number")[:limit]
    )


def contract_counts(user) -> dict[str, int]:
    rows = contract_selectors.contracts_visible_to(user).values("status").annotate(n=Count("pk")).order_by()
    counts = {value: 0 for value in PurchaseContract.Status.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def progress_by_hospital(user, *, limit: int = 10) -> list[dict]:
    """Its awarded volumes per hospital over the current cycles: agreed, received, completion (one grouped query)."""
    rows = (
        progress_selectors.cycle_rows(user)
        .filter(manufacturer_id=user.organization_id)
        .values("hospital_id", "hospital__name")
        .annotate(agreed=Sum("agreed_volume"), received=Sum("cumulative_units"), amount=Sum("cumulative_amount"))
        .order_by("-received", "-agreed", "hospital__name")[:limit]
    )
    return [{**r, "rate": progress_selectors.ratio(r["received"] or 0, r["agreed"] or 0)} for r in rows]


def settlement_summary(user) -> dict:
    """Its statements by status with their amounts, and what has been paid (two queries)."""
    statements = settlement_selectors.statements_visible_to(user).filter(manufacturer_id=user.organization_id)
    rows = statements.values("status").annotate(n=Count("pk"), amount=Sum("amount")).order_by()
    labels = dict(SettlementStatement.Status.choices)
    by_status = {r["status"]: r for r in rows}
    paid = Payment.objects.filter(statement__in=statements).aggregate(total=Sum("amount"))["total"] or ZERO
    return {
        "statuses": [
            {
                "status": value,
                "label": labels[value],
                "count": by_status.get(value, {}).get("n", 0),
                "amount": by_status.get(value, {}).get("amount") or ZERO,
            }
            for value in SettlementStatement.Status.values
        ],
        "paid": paid,
    }


def manufacturer_workbench(user) -> dict:
    """Everything the manufacturer's workbench shows."""
    return {
        "todos": todos(user),
        "listings": listing_summary(user),
        "awards": awards(user),
        "contracts": contract_counts(user),
        "contract_labels": dict(PurchaseContract.Status.choices),
        "progress": progress_by_hospital(user),
        "settlement": settlement_summary(user),
    }
