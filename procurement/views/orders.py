"""Online-ordering pages. Purchaser: listing search → cart → order → track → receive (whole delivery or line by
line) → return, order history with filters and xlsx export, own online share, off-platform purchase import.
The search and the cart are procurement.views.cart.
Distributor: incoming orders, accept / reject, deliveries with batch, expiry and invoice. Officials: every order
and the online share per hospital and region. Thin: the rules are in procurement.services (orders, deliveries, receipts, returns); the online share and the
off-platform import pages are procurement.views.online_share."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import capability_required
from catalog.imports.export import xlsx_file
from common import tables
from common.errors import DomainError
from common.formmemory import remember
from common.numbers import param_id

from ..models import PurchaseOrder, PurchaseOrderLine, ReceiptLine
from ..selectors import orders as order_selectors
from ..services import deliveries as delivery_svc
from ..services import orders as svc
from ..services import receipts as receipt_svc
from ..services import returns as return_svc
from . import cart as cart_views
from . import online_share as online_share_views

S = PurchaseOrder.Status


ORDER_ACTIONS = ("cancel", "receive", "return", "close", "answer", "ship", "remark")


def _order_or_404(user, pk: int) -> PurchaseOrder:
    try:
        return order_selectors.order_detail(user=user, pk=pk)
    except PurchaseOrder.DoesNotExist:
        raise Http404 from None


def _rows(post, prefix: str) -> dict[int, dict]:
    """Form fields named `<prefix>-<id>-<field>` → {id: {field: value}} (only rows with some value)."""
    result: dict[int, dict] = {}
    for key, value in post.items():
        parts = key.split("-", 2)
        if len(parts) == 3 and parts[0] == prefix and parts[1].isascii() and parts[1].isdigit():
            result.setdefault(int(parts[1]), {})[parts[2]] = value.strip()
    return result


# --- lists, detail, export -----------------------------------------------------------------------------------------


def _filtered(request):
    qs = order_selectors.orders_visible_to(request.user)
    try:
        return order_selectors.order_filter(qs, request.GET, form=True), None
    except DomainError as exc:
        return qs.none(), exc.message


# the list's sortable columns (the xlsx export has its own, line-level layout: `export` below)
ORDER_COLUMNS = [
    tables.Column("number", gettext_lazy("订单编号"), sort="number"),
    tables.Column("hospital", gettext_lazy("采购机构"), sort="hospital__name"),
    tables.Column("distributor", gettext_lazy("配送企业"), sort="distributor__name"),
    tables.Column("status", gettext_lazy("状态"), sort="status"),
    tables.Column("line_count", gettext_lazy("品规数")),
    tables.Column("total_amount", gettext_lazy("订单金额"), sort="total_amount"),
    tables.Column("submitted_at", gettext_lazy("提交时间"), sort="submitted_at"),
    tables.Column("response_due_at", gettext_lazy("响应期限"), sort="response_due_at"),
    tables.Column("delivery_due_at", gettext_lazy("配送期限"), sort="delivery_due_at"),
    tables.Column("created_at", gettext_lazy("创建时间"), sort="created_at"),
]


@capability_required("order.view")
def order_list(request):
    qs, error = _filtered(request)
    if error:
        messages.error(request, error)
    listing = tables.Listing(request, qs, ORDER_COLUMNS, default_sort="-created_at")
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    return render(
        request,
        "procurement/orders/list.html",
        {
            "page": listing.page,
            "listing": listing,
            "params": request.GET,
            "statuses": S.choices,
            "query_string": query.urlencode(),
            "title": _("订单"),
        },
        status=400 if error else 200,
    )


@capability_required("order.fulfil")
def incoming(request):
    """The distributor's work list: orders waiting for an answer or for (the rest of) their delivery, with the
    filters of the order list (a status among these, order number or product, hospital, dates, overdue, urgent)."""
    waiting = (S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_SHIPPED, S.PARTIALLY_RECEIVED)
    qs, error = _filtered(request)
    if error:
        messages.error(request, error)
    qs = qs.filter(status__in=waiting)
    listing = tables.Listing(
        request, qs, ORDER_COLUMNS, default_sort="delivery_due_at", default_order=("-urgent", "delivery_due_at", "pk")
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    return render(
        request,
        "procurement/orders/list.html",
        {
            "page": listing.page,
            "listing": listing,
            "params": request.GET,
            "statuses": [(value, label) for value, label in S.choices if value in waiting],
            "query_string": query.urlencode(),
            "title": _("待处理订单"),
            "incoming": True,
        },
        status=400 if error else 200,
    )


EXPORT_HEADERS = [
    gettext_lazy("订单编号"),
    gettext_lazy("创建时间"),
    gettext_lazy("提交时间"),
    gettext_lazy("状态"),
    gettext_lazy("紧急"),
    gettext_lazy("医疗机构"),
    gettext_lazy("配送企业"),
    gettext_lazy("行号"),
    gettext_lazy("医保代码"),
    gettext_lazy("通用名"),
    gettext_lazy("规格"),
    gettext_lazy("生产企业"),
    gettext_lazy("采购数量（包装）"),
    gettext_lazy("包装转换比"),
    gettext_lazy("单价（每最小单位）"),
    gettext_lazy("包装单价"),
    gettext_lazy("金额"),
    gettext_lazy("已配送"),
    gettext_lazy("已验收"),
    gettext_lazy("拒收"),
    gettext_lazy("已退货"),
    gettext_lazy("替代的约定采购量"),
]


@capability_required("order.view")
def order_export(request):
    """The filtered order history as xlsx, one row per order line."""
    qs, error = _filtered(request)
    if error:
        messages.error(request, error)
        return redirect("orders:list")
    lines = (
        PurchaseOrderLine.objects.filter(order__in=qs.values("pk"))
        .select_related("order__hospital", "order__distributor", "product", "manufacturer")
        .order_by("-order__created_at", "order_id", "line_no")
    )

    def rows():
        yield [str(h) for h in EXPORT_HEADERS]
        for line in lines.iterator(chunk_size=2000):
            o = line.order
            yield [
                o.number or "",
                timezone.localtime(o.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(o.submitted_at).strftime("%Y-%m-%d %H:%M") if o.submitted_at else "",
                str(o.get_status_display()),
                _("是") if o.urgent else "",
                o.hospital.name,
                o.distributor.name,
                line.line_no,
                line.product.nhsa_code,
                line.product.generic_name,
                line.product.specification,
                line.manufacturer.name,
                line.packs,
                line.pack_size,
                line.unit_price,
                line.pack_price,
                line.amount,
                line.packs_shipped,
                line.packs_accepted,
                line.packs_rejected,
                line.packs_returned,
                line.substitution_for_id or "",
            ]

    handle = xlsx_file(rows(), sheet_title=_("订单"))
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"订单-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@capability_required("order.view")
def order_detail(request, pk: int):
    order = _order_or_404(request.user, pk)
    if request.method == "POST":
        return _order_action(request, order)
    receipt_lines = list(
        ReceiptLine.objects.filter(receipt__order=order)
        .select_related("product__manufacturer", "receipt__delivery")
        .order_by("pk")
    )
    returned = {}
    for goods_return in order.returns.all():
        for line in goods_return.lines.all():
            returned[line.receipt_line_id] = returned.get(line.receipt_line_id, 0) + line.packs
    for rl in receipt_lines:
        rl.returnable = rl.accepted_packs - returned.get(rl.pk, 0)
    lines = list(order.lines.all())
    allowed = order_selectors.order_allowed_actions(
        request.user,
        order,
        returnable=any(rl.returnable > 0 for rl in receipt_lines),
        outstanding=any(line.packs_outstanding for line in lines),
    )
    return render(
        request,
        "procurement/orders/detail.html",
        {
            "order": order,
            "lines": lines,
            "deliveries": order.deliveries.all(),
            "events": order.events.all(),
            "returns": order.returns.all(),
            "receipt_lines": receipt_lines,
            "allowed": allowed,
            **{f"can_{action}": action in allowed for action in ORDER_ACTIONS},
            "today": timezone.localdate(),
        },
    )


def _order_action(request, order: PurchaseOrder):
    """One POST per step; every rule is checked by the service (a refused step changes nothing)."""
    post, user = request.POST, request.user
    action, version = post.get("action"), post.get("version")
    lines = None
    try:
        if action == "cancel":
            svc.order_cancel(order=order, by=user, reason=post.get("reason", ""), version=version)
        elif action == "accept":
            shortages = {
                pk: {"packs": row.get("packs", ""), "reason": row.get("reason", "")}
                for pk, row in _rows(post, "short").items()
                if row.get("on") or row.get("reason")
            }
            svc.order_accept(
                order=order, by=user, remarks=post.get("remarks", ""), shortages=shortages, version=version
            )
        elif action == "reject":
            svc.order_reject(order=order, by=user, reason=post.get("reason", ""), version=version)
        elif action == "remarks":
            svc.order_remark(order=order, by=user, remarks=post.get("remarks", ""), version=version)
        elif action == "close":
            svc.order_close(order=order, by=user, reason=post.get("reason", ""), version=version)
        elif action == "ship":
            lines = [
                {
                    "order_line": pk,
                    "packs": row.get("packs"),
                    "batch_number": row.get("batch", ""),
                    "expiry_date": row.get("expiry", ""),
                    "production_date": row.get("production") or None,
                }
                for pk, row in sorted(_rows(post, "ship").items())
                if row.get("packs") not in (None, "", "0")
            ]
            delivery_svc.delivery_create(
                order=order,
                by=user,
                invoice_number=post.get("invoice_number", ""),
                invoice_date=post.get("invoice_date") or None,
                lines=lines,
                version=version,
            )
        elif action == "receive":
            delivery = order.deliveries.filter(pk=param_id(post, "delivery", form=True) or 0).first()
            if delivery is None:
                raise Http404
            lines = None
            if post.get("mode") == "lines":
                lines = [
                    {
                        "delivery_line": pk,
                        "accepted_packs": row.get("accepted", ""),
                        "rejected_packs": row.get("rejected") or 0,
                        "reject_reason": row.get("reason", ""),
                    }
                    for pk, row in sorted(_rows(post, "recv").items())
                ]
            receipt_svc.receipt_create(delivery=delivery, by=user, lines=lines, version=version)
        elif action == "return":
            lines = [
                {"receipt_line": pk, "packs": row.get("packs")}
                for pk, row in sorted(_rows(post, "ret").items())
                if row.get("packs") not in (None, "", "0")
            ]
            return_svc.goods_return_create(
                order=order, by=user, reason=post.get("reason", ""), lines=lines, version=version
            )
        else:
            raise Http404
        messages.success(request, _("已完成：%(step)s") % {"step": STEP_LABELS.get(action, action)})
    except DomainError as exc:
        messages.error(request, exc.summary)  # with several refusals, all of them (each also beside its input)
        key, names = LINE_INPUTS.get(action, ("", {}))
        remember(request, FORM_PREFIXES.get(action, action), exc, lines=lines, key=key, names=names)
    return redirect("orders:detail", order.pk)


# which form of the page a step's error goes back to, and how a line's field maps to its input (`ship-<id>-packs`)
FORM_PREFIXES = {"ship": "ship", "receive": "recv", "return": "ret"}
LINE_INPUTS = {
    "ship": (
        "order_line",
        {"packs": "packs", "batch_number": "batch", "expiry_date": "expiry", "production_date": "production"},
    ),
    "receive": (
        "delivery_line",
        {"accepted_packs": "accepted", "rejected_packs": "rejected", "reject_reason": "reason"},
    ),
    "return": ("receipt_line", {"packs": "packs"}),
}


STEP_LABELS = {
    "cancel": gettext_lazy("撤销订单"),
    "accept": gettext_lazy("接单"),
    "reject": gettext_lazy("拒绝订单"),
    "remarks": gettext_lazy("备注"),
    "close": gettext_lazy("完结订单"),
    "ship": gettext_lazy("配送"),
    "receive": gettext_lazy("入库验收"),
    "return": gettext_lazy("退货"),
}


@capability_required("order.view")
def delivery_list(request):
    qs = order_selectors.deliveries_visible_to(request.user).prefetch_related(
        "lines__order_line__product", "lines__order_line__manufacturer"
    )
    if request.GET.get("received") in ("0", "1"):
        qs = qs.filter(received=request.GET["received"] == "1")
    page = Paginator(qs.order_by("-shipped_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(
        request, "procurement/orders/deliveries.html", {"page": page, "params": request.GET, "query_string": ""}
    )


# --- online share and off-platform purchases ---------------------------------------------------------------------


urlpatterns = [
    path("", order_list, name="list"),
    path("search/", cart_views.listing_search, name="search"),
    path("cart/", cart_views.cart, name="cart"),
    path("cart/add/", cart_views.cart_add, name="cart-add"),
    path("incoming/", incoming, name="incoming"),
    path("export/", order_export, name="export"),
    path("deliveries/", delivery_list, name="deliveries"),
    path("online-share/", online_share_views.share, name="share"),
    path("offplatform/", online_share_views.offplatform_upload, name="offplatform"),
    path("<int:pk>/", order_detail, name="detail"),
]
