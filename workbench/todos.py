"""What waits for each role on its workbench: counts with the page where the work is done.

One function per role (hospital purchaser, distributor, pricing official, fund officer, supervisor; the manufacturer's
are `workbench.selectors.todos`). Each reads through the selectors of the apps that own the rows — so a count is
exactly what the linked page lists for the user — and counts with a few cheap queries whatever the number of rows:
conditional counts in one aggregate per table, never a query per row.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.permissions import can
from contracts import selectors as contract_selectors
from pricing import selectors as pricing_selectors
from pricing.models import PriceAlert
from procurement.models import ListingApplication, PurchaseOrder, Tender
from procurement.selectors import applications as application_selectors
from procurement.selectors import orders as order_selectors
from procurement.selectors import tenders as tender_selectors
from qualifications import selectors as qualification_selectors
from settlement import selectors as settlement_selectors
from settlement.models import SettlementStatement
from transparency.selectors import objections as objection_selectors

from .selectors import Todo, todo_item

OS = PurchaseOrder.Status
ST = SettlementStatement.Status


def _counts(qs, **conditions: Q) -> dict[str, int]:
    """Several conditional counts of one queryset in one query."""
    return qs.order_by().aggregate(**{name: Count("pk", filter=cond) for name, cond in conditions.items()})


def _inquiries_open(user) -> int:
    return pricing_selectors.inquiries_visible_to(user).filter(replied_at__isnull=True).count()


def hospital_todos(user) -> list[Todo]:
    """A hospital purchaser: deliveries to receive, statements to confirm, contracts to sign, inquiries to answer,
    drafts in the cart, tenders collecting demand it has not reported on."""
    org_id = user.organization_id
    orders = _counts(order_selectors.orders_visible_to(user), drafts=Q(status=OS.DRAFT))
    to_receive = order_selectors.deliveries_visible_to(user).filter(hospital_id=org_id, received=False).count()
    to_confirm = settlement_selectors.statements_visible_to(user).filter(hospital_id=org_id, status=ST.CLAIMED).count()
    demand_open = (
        # the tenders its list shows (the home page does not run the tenders' due steps: the list page does)
        tender_selectors.tenders_visible_to(user, refresh=False)
        .filter(status=Tender.Status.DEMAND_COLLECTION)
        .exclude(demands__hospital_id=org_id)
        .order_by()
        .count()
    )
    return [
        todo_item("deliveries_to_receive", _("待验收的配送单"), to_receive, "orders:deliveries", "?received=0"),
        todo_item("statements_to_confirm", _("待确认的结算单"), to_confirm, "settlement:list", "?status=claimed"),
        todo_item(
            "contracts_to_confirm",
            _("待确认的购销合同"),
            contract_selectors.awaiting_action(user).count(),
            "contracts:list",
        ),
        todo_item("inquiries_to_answer", _("待回复的价格函询"), _inquiries_open(user), "pricing:inquiry-list"),
        todo_item("cart_drafts", _("购物车中的草稿订单"), orders["drafts"], "orders:cart"),
        todo_item("demand_to_report", _("待报量的批次"), demand_open, "tenders:list", "?status=demand_collection"),
    ]


def distributor_todos(user) -> list[Todo]:
    """A distributor: orders to answer (and those already late), orders to ship, contracts, inquiries, licences."""
    org_id = user.organization_id
    now = timezone.now()
    orders = _counts(
        order_selectors.orders_visible_to(user).filter(distributor_id=org_id),
        to_answer=Q(status=OS.SUBMITTED),
        late=Q(status=OS.SUBMITTED) & (Q(response_overdue=True) | Q(response_due_at__lt=now)),
        to_ship=Q(status__in=(OS.ACCEPTED, OS.PARTIALLY_SHIPPED)),
    )
    expiring = qualification_selectors.expiring().filter(organization_id=org_id).count()
    return [
        todo_item("orders_to_answer", _("待响应的订单"), orders["to_answer"], "orders:incoming", "?status=submitted"),
        todo_item(
            "orders_answer_late",
            _("响应已超时的订单"),
            orders["late"],
            "orders:incoming",
            "?status=submitted&overdue=1",
        ),
        todo_item(
            "orders_to_ship",
            _("待配送的订单"),
            orders["to_ship"],
            "orders:incoming",
            "?status=accepted,partially_shipped",
        ),
        todo_item(
            "contracts_to_confirm",
            _("待确认的购销合同"),
            contract_selectors.awaiting_action(user).count(),
            "contracts:list",
        ),
        todo_item("inquiries_to_answer", _("待回复的价格函询"), _inquiries_open(user), "pricing:inquiry-list"),
        todo_item("licences_expiring", _("即将到期的资质证照"), expiring, "qualifications:list"),
    ]


def official_todos(user) -> list[Todo]:
    """A pricing official: listing applications to review, open alerts assigned to them and unassigned ones,
    objections to answer, alerts whose inquiry is past its reply date."""
    to_review = (
        application_selectors.applications_visible_to(user).filter(status=ListingApplication.Status.SUBMITTED).count()
    )
    open_alert = Q(status__in=PriceAlert.OPEN_STATUSES)
    alerts = _counts(
        pricing_selectors.alerts_visible_to(user),
        mine=open_alert & Q(assignee=user),
        unassigned=open_alert & Q(assignee__isnull=True),
        late_replies=Q(has_overdue=True),
    )
    objections = objection_selectors.answer_queue(user).count() if can(user, "transparency.answer") else 0
    return [
        todo_item("applications_to_review", _("待审核的挂网申请"), to_review, "listings:list", "?status=submitted"),
        todo_item(
            "alerts_mine", _("指派给我的未结预警"), alerts["mine"], "pricing:alert-list", "?assignee=me&status=active"
        ),
        todo_item(
            "alerts_unassigned",
            _("未指派的预警"),
            alerts["unassigned"],
            "pricing:alert-list",
            "?assignee=none&status=active",
        ),
        todo_item("objections_to_answer", _("待答复的异议"), objections, "transparency:answer-queue"),
        todo_item(
            "alerts_reply_late", _("函询逾期未回复的预警"), alerts["late_replies"], "pricing:alert-list", "?overdue=1"
        ),
    ]


def fund_todos(user) -> list[Todo]:
    """A fund officer: statements to approve, statements to pay, and those unpaid past their payment deadline."""
    today = timezone.localdate()
    statements = _counts(
        settlement_selectors.statements_visible_to(user),
        to_approve=Q(status=ST.HOSPITAL_CONFIRMED),
        to_pay=Q(status=ST.APPROVED),
        overdue=~Q(status=ST.PAID) & Q(payment_due_on__lt=today),
    )
    return [
        todo_item(
            "statements_to_approve",
            _("待审核的结算单"),
            statements["to_approve"],
            "settlement:list",
            "?status=hospital_confirmed",
        ),
        todo_item(
            "statements_to_pay", _("待支付的结算单"), statements["to_pay"], "settlement:list", "?status=approved"
        ),
        todo_item("payments_overdue", _("逾期未付的结算单"), statements["overdue"], "settlement:overdue"),
    ]


def supervisor_todos(user) -> list[Todo]:
    """A supervisor: appeals to decide."""
    return [
        todo_item(
            "appeals_to_decide",
            _("待裁决的申诉"),
            objection_selectors.appeal_queue(user).count(),
            "transparency:appeal-queue",
        )
    ]


# (capability that identifies the role's portal, organisation kind or None, heading, to-dos)
ROLE_TODOS = (
    ("portal.purchaser", Organization.Kind.HOSPITAL, _("医疗机构待办"), hospital_todos),
    ("portal.distributor", Organization.Kind.DISTRIBUTOR, _("配送企业待办"), distributor_todos),
    ("portal.official", None, _("价格招采待办"), official_todos),
    ("portal.fund", None, _("医保基金待办"), fund_todos),
    ("portal.supervisor", None, _("监督待办"), supervisor_todos),
)


def role_todos(user) -> list[dict]:
    """Each of the user's roles with its to-dos: [{"key", "title", "todos"}]."""
    org = getattr(user, "organization", None)
    panels = []
    for capability, kind, title, todos in ROLE_TODOS:
        if not can(user, capability) or (kind is not None and (org is None or org.kind != kind)):
            continue
        panels.append({"key": capability.removeprefix("portal."), "title": str(title), "todos": todos(user)})
    return panels
