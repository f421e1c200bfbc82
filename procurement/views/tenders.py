"""Tender pages shared by the portals. Thin: every action calls one tender service, and a refused action shows the
service's message on its form with nothing changed.

- everyone: the list, a tender's page (lots, dates with a countdown); its results, coverage, evaluation review and the
  demand import are in `tender_pages`;
- officials: create a tender with its lots and rules, start demand collection, demand coverage, cancel, open bids,
  run / re-run and review the evaluation, publish awards;
- manufacturers: submit / replace / withdraw their own bids before the deadline (prices sealed until opening);
- hospitals: report / change / withdraw their demand during the window, or import it from a file.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.permissions import can, capability_required
from common.errors import CommonError, DomainError
from common.numbers import param_id
from common.tables import Column, Listing

from ..errors import TenderError
from ..forms_tenders import (
    BidForm,
    DemandForm,
    EvaluateForm,
    LotForm,
    LotFormSet,
    ReasonForm,
    RulesForm,
    TenderForm,
    WithdrawForm,
)
from ..models import Bid, DemandReport, Tender
from ..selectors import tenders as tender_selectors
from ..selectors.tender_actions import (
    TenderRole,
    tender_allowed_actions,
    tender_bids_for,
    tender_commitments_for,
    tender_role,
)
from ..services import tenders as svc

MANAGE = "tender.manage"


def visible_tender(request, pk: int) -> Tender:
    return get_object_or_404(tender_selectors.tenders_visible_to(request.user), pk=pk)


def show_error(form, exc: DomainError) -> None:
    field = (exc.field or "").split(".")[-1]
    field = field if field in form.fields else None
    if exc.message not in form.errors.get(field or "__all__", []):  # the form's own error, already on the field
        form.add_error(field, exc.message)


def form_refusal(form, *, code) -> DomainError:
    """The form's own first error as the refusal, on the field it concerns (the other fields keep theirs), instead of
    a message that blames a field the user did not get wrong."""
    for name, errors in form.errors.items():
        if errors:
            return DomainError(errors[0], field=None if name == "__all__" else name, code=code)
    return DomainError(_("请检查填写的内容"), code=code)


# --- list and create ------------------------------------------------------------------------------------------


TENDER_COLUMNS = [
    Column("code", _l("批次编号"), sort="code"),
    Column("name", _l("批次名称"), sort="name"),
    Column("status", _l("状态"), value="get_status_display", sort="status"),
    Column("demand_start", _l("报量开始"), sort="demand_start"),
    Column("bid_deadline", _l("申报截止"), sort="bid_deadline"),
    Column("opening_at", _l("开标时间"), sort="opening_at"),
    Column("cycle_start", _l("采购周期开始"), sort="cycle_start"),
    Column("cycle_end", _l("采购周期结束"), sort="cycle_end"),
]


def tender_list(request):
    tenders = tender_selectors.tenders_visible_to(request.user)
    status = request.GET.get("status", "")
    if status:
        tenders = tenders.filter(status=status)
    listing = Listing(
        request, tenders, TENDER_COLUMNS, default_sort="-demand_start", per_page=20, export_name=str(_("带量采购批次"))
    )
    if listing.wants_export:
        return listing.export()
    return render(
        request,
        "procurement/tenders/list.html",
        {
            "page": listing.page,
            "listing": listing,
            "status": status,
            "statuses": Tender.Status.choices,
            "now": timezone.now(),
            "can_manage": can(request.user, MANAGE),
        },
    )


@capability_required(MANAGE)
def tender_new(request):
    form = TenderForm(request.POST or None, prefix="t")
    rules = RulesForm(request.POST or None, prefix="r")
    lots = LotFormSet(request.POST or None, prefix="lots")
    # every part is validated (not `and`-chained), so all their errors show at once
    if request.method == "POST" and all([form.is_valid(), rules.is_valid(), lots.is_valid()]):
        specs = [f.service_kwargs() for f in lots if f.cleaned_data and f.cleaned_data.get("number")]
        try:
            tender = svc.tender_create_with_lots(by=request.user, rules=rules.rules(), lots=specs, **form.cleaned_data)
        except DomainError as exc:
            target = form
            if exc.field == "rules":
                target = rules
            elif (exc.field or "").startswith("lots["):
                index = int(exc.field[5 : exc.field.index("]")])
                filled = [f for f in lots if f.cleaned_data and f.cleaned_data.get("number")]
                target = filled[index] if index < len(filled) else form
            show_error(target, exc)
        else:
            messages.success(request, _("已创建带量采购批次 %(code)s") % {"code": tender.code})
            return redirect("tenders:detail", pk=tender.pk)
    return render(
        request,
        "procurement/tenders/new.html",
        {"form": form, "rules_form": rules, "lots": lots},
        status=400 if request.method == "POST" else 200,
    )


# --- a tender's page --------------------------------------------------------------------------------------------


def _detail_context(request, tender: Tender, *, failed: dict | None = None) -> dict:
    """Everything the tender page shows, with fresh forms — except the one that just failed (`failed`: form name,
    target id, bound form), which is shown with its errors. What the user may do is `tender_allowed_actions`."""
    failed = failed or {}
    user = request.user
    now = timezone.now()
    lots = list(tender.lots.order_by("number"))
    evaluation = tender_selectors.current_evaluation(tender) if can(user, MANAGE) else None
    actions = tender_allowed_actions(user, tender, now=now, evaluated=evaluation is not None)

    def pick(name, target, factory):
        if failed.get("name") == name and failed.get("target") == target:
            return failed["form"]
        return factory()

    ctx = {
        "tender": tender,
        "lots": lots,
        "now": now,
        "actions": actions,
        "rows": [],
        "action_error": failed.get("message") if failed.get("name") in ("action", "withdraw") else "",
    }
    if actions.manage:
        ctx["lot_form"] = pick("lot", None, lambda: LotForm(prefix="lot"))
        ctx["rules_form"] = pick("rules", None, lambda: RulesForm(prefix="rules", initial=tender.rules))
        ctx["cancel_form"] = pick("cancel", None, lambda: ReasonForm(prefix="cancel"))
        ctx["evaluate_form"] = pick("evaluate", None, lambda: EvaluateForm(prefix="evaluate"))
        ctx["evaluation"] = evaluation
        if actions.view_coverage:
            ctx["coverage"] = tender_selectors.demand_coverage(tender)
    bids = tender_bids_for(user, tender)
    if actions.bid:
        ctx["rows"] = _bid_rows(user, lots, bids, pick)
    elif tender_role(user) == TenderRole.HOSPITAL:
        ctx["rows"] = _demand_rows(user, tender, lots, pick, editable=actions.report_demand)
    commitments = tender_commitments_for(user, tender)
    ctx["bids"] = bids.select_related("lot", "manufacturer", "product").order_by("lot__number", "pk")
    ctx["commitments"] = commitments.select_related("lot", "hospital", "product").order_by(
        "lot__number", "hospital__name"
    )[:200]
    ctx["commitment_totals"] = commitments.aggregate(
        volume=Sum("agreed_volume"), amount=Sum("agreed_amount"), hospitals=Count("pk")
    )
    return ctx


def _bid_rows(user, lots, bids, pick) -> list[dict]:
    """A manufacturer's lots while bids are accepted: its live bid on each, and the form to bid or replace."""
    live = {b.lot_id: b for b in bids.filter(status=Bid.Status.SUBMITTED)}
    rows = []
    for lot in lots:
        products = list(svc.lot_products(lot, manufacturer_id=user.organization_id))
        bid = live.get(lot.pk)
        if bid is None:
            form = pick("bid", lot.pk, lambda p=products, n=lot.pk: BidForm(products=p, prefix=f"bid{n}"))
        else:
            form = pick(
                "replace",
                bid.pk,
                lambda p=products, b=bid: BidForm(
                    products=p,
                    prefix=f"replace{b.pk}",
                    initial={"product": b.product_id, "supply_capacity": b.supply_capacity},
                ),
            )
        withdraw = None
        if bid is not None:
            withdraw = pick("withdraw", bid.pk, lambda b=bid: WithdrawForm(prefix=f"withdraw{b.pk}"))
        rows.append({"lot": lot, "bid": bid, "form": form, "products": products, "withdraw_form": withdraw})
    return rows


def _demand_rows(user, tender, lots, pick, *, editable: bool) -> list[dict]:
    """A hospital's lots: its demand report on each, and while the window is open the form to report or change it."""
    demand = {
        d.lot_id: d
        for d in DemandReport.objects.filter(tender=tender, hospital_id=user.organization_id).select_related(
            "named_product"
        )
    }
    rows = []
    for lot in lots:
        report = demand.get(lot.pk)
        form = None
        if editable:
            products = list(svc.lot_products(lot))
            form = pick(
                "demand",
                lot.pk,
                lambda p=products, r=report, n=lot.pk: DemandForm(
                    products=p,
                    prefix=f"demand{n}",
                    initial={"annual_volume": r.annual_volume, "named_product": r.named_product_id} if r else None,
                ),
            )
        rows.append({"lot": lot, "report": report, "form": form})
    return rows


def tender_detail(request, pk: int):
    tender = visible_tender(request, pk)
    return render(request, "procurement/tenders/detail.html", _detail_context(request, tender))


def _refused(request, tender, *, name, target=None, form=None, exc: DomainError):
    if form is not None:
        show_error(form, exc)
    failed = {"name": name, "target": target, "form": form, "message": exc.message}
    return render(
        request,
        "procurement/tenders/detail.html",
        _detail_context(request, tender, failed=failed),
        status=exc.status_code,
    )


def _done(request, tender, message):
    messages.success(request, message)
    return redirect("tenders:detail", pk=tender.pk)


@require_POST
def tender_action(request, pk: int, action: str):
    """One POST endpoint per tender action; each calls one service."""
    tender = visible_tender(request, pk)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    capability, func = handler
    if not can(request.user, capability):
        raise PermissionDenied
    return func(request, tender)


def _simple(name, call, message):
    def run(request, tender):
        try:
            call(request, tender)
        except DomainError as exc:
            return _refused(request, tender, name="action", exc=exc)
        return _done(request, tender, message())

    return run


def _add_lot(request, tender):
    form = LotForm(request.POST, prefix="lot")
    if not form.is_valid():
        return _refused(request, tender, name="lot", form=form, exc=DomainError(_("请检查品种信息")))
    try:
        lot = svc.lot_add(tender=tender, by=request.user, **form.service_kwargs())
    except DomainError as exc:
        return _refused(request, tender, name="lot", form=form, exc=exc)
    return _done(request, tender, _("已增加品种 %(number)s") % {"number": lot.number})


def _set_rules(request, tender):
    form = RulesForm(request.POST, prefix="rules")
    try:
        if not form.is_valid():
            raise DomainError(_("请检查中选规则"), code=TenderError.INVALID_RULES)
        svc.tender_set_rules(tender=tender, rules=form.rules(tender.rules), by=request.user)
    except DomainError as exc:
        return _refused(request, tender, name="rules", form=form, exc=exc)
    return _done(request, tender, _("中选规则已保存"))


def _cancel(request, tender):
    form = ReasonForm(request.POST, prefix="cancel")
    form.is_valid()
    try:
        svc.tender_cancel(tender=tender, reason=form.cleaned_data.get("reason", ""), by=request.user)
    except DomainError as exc:
        return _refused(request, tender, name="cancel", form=form, exc=exc)
    return _done(request, tender, _("批次已终止"))


def _evaluate(request, tender):
    form = EvaluateForm(request.POST, prefix="evaluate")
    form.is_valid()
    reason = form.cleaned_data.get("rerun_reason", "")
    before = tender_selectors.current_evaluation(tender)
    try:
        run = svc.tender_evaluate(tender=tender, by=request.user, rerun_reason=reason)
    except DomainError as exc:
        return _refused(request, tender, name="evaluate", form=form, exc=exc)
    if before is not None and run.pk == before.pk:
        messages.info(request, _("已有评审结果（第 %(n)s 轮），未重复评审；如需重新评审请填写原因") % {"n": run.run_no})
    else:
        messages.success(request, _("已完成第 %(n)s 轮评审") % {"n": run.run_no})
    return redirect("tenders:evaluation", pk=tender.pk)


def _own_live_bid(request, tender) -> Bid:
    return get_object_or_404(
        Bid.objects.select_related("lot"),
        pk=param_id(request.POST, "bid", form=True) or 0,
        tender=tender,
        manufacturer_id=request.user.organization_id,
    )


def _bid_form_action(request, tender, *, replacing: Bid | None):
    """Submit a bid on a lot, or replace a live one: the form offers only the maker's own products of the lot."""
    lot = (
        replacing.lot if replacing else get_object_or_404(tender.lots, pk=param_id(request.POST, "lot", form=True) or 0)
    )
    products = list(svc.lot_products(lot, manufacturer_id=request.user.organization_id))
    name, target = ("replace", replacing.pk) if replacing else ("bid", lot.pk)
    form = BidForm(request.POST, products=products, prefix=f"{name}{target}")
    try:
        if not form.is_valid():
            if set(form.errors) == {"confirm"}:
                raise DomainError(_("请勾选确认后再提交申报"), field="confirm", code=TenderError.CONFIRMATION_REQUIRED)
            raise DomainError(_("请选择本企业属于该品种的产品并填写报价"), field="product", code=CommonError.INVALID)
        fields = {
            "product": next(p for p in products if p.pk == form.cleaned_data["product"]),
            "price": form.cleaned_data["price"],
            "supply_capacity": form.cleaned_data["supply_capacity"],
            "by": request.user,
        }
        bid = svc.bid_replace(bid=replacing, **fields) if replacing else svc.bid_submit(lot=lot, **fields)
    except DomainError as exc:
        return _refused(request, tender, name=name, target=target, form=form, exc=exc)
    # The receipt (price and nonce) is shown once, in this answer, for the bidder to keep: never stored in clear.
    message = (
        _("已替换品种 %(lot)s 的申报，新申报摘要 %(hash)s") if replacing else _("已申报品种 %(lot)s，申报摘要 %(hash)s")
    )
    return render(
        request,
        "procurement/tenders/bid_receipt.html",
        {
            "tender": tender,
            "bid": bid,
            "receipt": bid.receipt,
            "receipt_json": json.dumps(bid.receipt, ensure_ascii=False, indent=2),
            "message": message % {"lot": lot.number, "hash": bid.seal_hash},
        },
    )


def _bid(request, tender):
    return _bid_form_action(request, tender, replacing=None)


def _replace(request, tender):
    return _bid_form_action(request, tender, replacing=_own_live_bid(request, tender))


def _withdraw(request, tender):
    bid = _own_live_bid(request, tender)
    form = WithdrawForm(request.POST, prefix=f"withdraw{bid.pk}")
    try:
        if not form.is_valid():
            raise DomainError(_("请勾选确认后再撤回申报"), field="confirm", code=TenderError.CONFIRMATION_REQUIRED)
        svc.bid_withdraw(bid=bid, by=request.user)
    except DomainError as exc:
        return _refused(request, tender, name="withdraw", target=bid.pk, form=form, exc=exc)
    return _done(request, tender, _("已撤回品种 %(lot)s 的申报") % {"lot": bid.lot.number})


def _demand(request, tender):
    lot = get_object_or_404(tender.lots, pk=param_id(request.POST, "lot", form=True) or 0)
    products = list(svc.lot_products(lot))
    form = DemandForm(request.POST, products=products, prefix=f"demand{lot.pk}")
    try:
        if not form.is_valid():
            if set(form.errors) == {"named_product"}:
                raise DomainError(
                    _("指定产品须为本品种的产品"), field="named_product", code=TenderError.NAMED_PRODUCT_NOT_IN_LOT
                )
            raise form_refusal(form, code=CommonError.INVALID)
        named = next((p for p in products if p.pk == form.cleaned_data["named_product"]), None)
        svc.demand_report(
            lot=lot, by=request.user, annual_volume=form.cleaned_data["annual_volume"], named_product=named
        )
    except DomainError as exc:
        return _refused(request, tender, name="demand", target=lot.pk, form=form, exc=exc)
    return _done(request, tender, _("已保存品种 %(lot)s 的报量") % {"lot": lot.number})


def _demand_withdraw(request, tender):
    report = get_object_or_404(
        DemandReport,
        pk=param_id(request.POST, "report", form=True) or 0,
        tender=tender,
        hospital_id=request.user.organization_id,
    )
    try:
        svc.demand_withdraw(report=report, by=request.user)
    except DomainError as exc:
        return _refused(request, tender, name="action", exc=exc)
    return _done(request, tender, _("已撤回品种 %(lot)s 的报量") % {"lot": report.lot.number})


ACTIONS = {
    "lot": (MANAGE, _add_lot),
    "rules": (MANAGE, _set_rules),
    "start-demand": (
        MANAGE,
        _simple(
            "start-demand",
            lambda r, t: svc.tender_start_demand_collection(tender=t, by=r.user),
            lambda: _("已开始报量"),
        ),
    ),
    "cancel": (MANAGE, _cancel),
    "open": (MANAGE, _simple("open", lambda r, t: svc.tender_open_bids(tender=t, by=r.user), lambda: _("已开标"))),
    "evaluate": (MANAGE, _evaluate),
    "award": (
        MANAGE,
        _simple("award", lambda r, t: svc.tender_award(tender=t, by=r.user), lambda: _("已公布中选结果")),
    ),
    "confirm-results": (
        MANAGE,
        _simple(
            "confirm-results",
            lambda r, t: svc.imported_results_confirm(tender=t, by=r.user),
            lambda: _("已按导入的中选结果确定约定采购量"),
        ),
    ),
    "bid": ("tender.bid", _bid),
    "replace": ("tender.bid", _replace),
    "withdraw": ("tender.bid", _withdraw),
    "demand": ("tender.report_demand", _demand),
    "demand-withdraw": ("tender.report_demand", _demand_withdraw),
}
