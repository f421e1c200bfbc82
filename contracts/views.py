"""Contract pages for the three parties (and officials, read-only): my contracts with their states, a contract's
page (content, digest, parties, each signature verified, the steps the user may take), its PDF, annual contracts,
and the user's signing keys. Signing happens in the browser (static/js/contract-sign.js); the page posts the
signature, the service verifies it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Organization
from accounts.permissions import can, capability_required
from common.errors import DomainError
from common.formmemory import remember
from common.models import events_for
from common.numbers import parse_id
from procurement.models import Listing

from . import content, policies, selectors, signing, terms
from .models import Party, PurchaseContract
from .pdf import contract_pdf
from .services import amendments, confirmations, keys, parties

app_name = "contracts"
S = PurchaseContract.Status


@capability_required("contract.view")
def contract_list(request):
    awaiting = request.GET.get("awaiting") == "me"
    qs = selectors.awaiting_action(request.user) if awaiting else selectors.contracts_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in S.values:
        qs = qs.filter(status=status)
    contracts = list(qs.prefetch_related("confirmations").order_by("-created_at", "number", "-version")[:300])
    for c in contracts:
        c.awaiting = policies.awaiting_parties(c)
        c.actions = policies.contract_allowed_actions(request.user, c)
    return render(
        request,
        "contracts/list.html",
        {
            "contracts": contracts,
            "status": status,
            "statuses": S.choices,
            "awaiting": awaiting,
            "can_sign": can(request.user, "contract.sign"),
            "is_hospital": getattr(request.user.organization, "kind", "") == "hospital"
            and can(request.user, "contract.sign"),
        },
    )


def _do(request, contract, action: str) -> str:
    post = request.POST
    if action == policies.CHOOSE_DISTRIBUTOR:
        parties.contract_choose_distributor(contract=contract, by=request.user, distributor_id=post.get("distributor"))
        return _("已选定配送企业，合同已定稿，等待三方签署确认")
    if action == policies.CONFIRM:
        confirmations.contract_confirm(
            contract=contract,
            by=request.user,
            key=post.get("key", ""),
            signed_at=post.get("signed_at", ""),
            signature=post.get("signature", ""),
        )
        return _("已签署确认")
    if action == policies.AMEND:
        new = amendments.contract_amend(
            contract=contract,
            by=request.user,
            reason=post.get("reason", ""),
            quantity=post.get("quantity", ""),
            unit_price=post.get("unit_price", ""),
        )
        request.session["contracts_redirect"] = new.pk
        return _("已提出补充协议（第 %(v)s 版），等待三方签署确认") % {"v": new.version}
    return _("未知操作")


@capability_required("contract.view")
@require_http_methods(["GET", "POST"])
def contract_detail(request, pk: int):
    contract = selectors.contract_for(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            messages.success(request, _do(request, contract, action))
        except DomainError as exc:
            messages.error(request, exc.message)
            remember(request, action, exc)
        return redirect("contracts:detail", pk=request.session.pop("contracts_redirect", contract.pk))
    party = policies.party_of(request.user, contract)
    return render(
        request,
        "contracts/detail.html",
        {
            "c": contract,
            "clauses": terms.clauses(contract, contract.content or None, html=True),
            "canonical": content.canonical(contract.content).decode("utf-8") if contract.digest else "",
            "verifications": selectors.verify_all(contract),
            "awaiting": policies.awaiting_parties(contract),
            "actions": policies.contract_allowed_actions(request.user, contract),
            "party": party,
            "party_label": Party(party).label if party else "",
            "uscc": (request.user.organization.uscc or "") if party else "",
            "distributors": selectors.authorised_distributors(contract) if contract.status == S.DRAFT else [],
            "versions": selectors.versions_of(contract),
            "amendment": getattr(contract, "amendment", None),
            "keys": selectors.keys_of(request.user).filter(revoked_at__isnull=True) if party else [],
            "events": _events(contract),
        },
    )


def _events(contract):
    return events_for(contract)


@capability_required("contract.view")
def contract_pdf_view(request, pk: int):
    contract = selectors.contract_for(request.user, pk)
    response = HttpResponse(contract_pdf(contract, selectors.verify_all(contract)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{contract.number}-v{contract.version}.pdf"'
    return response


@capability_required("contract.sign")
@require_http_methods(["GET", "POST"])
def key_list(request):
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "revoke":
                keys.signing_key_revoke(key_id=_int(request.POST.get("key_id")), by=request.user)
                messages.success(request, _("已撤销该公钥"))
            else:
                key = keys.signing_key_register(
                    by=request.user,
                    algorithm=request.POST.get("algorithm", ""),
                    public_key=request.POST.get("public_key", ""),
                    label=request.POST.get("label", ""),
                )
                messages.success(request, _("已登记公钥 %(f)s") % {"f": key.fingerprint[:16]})
        except DomainError as exc:
            messages.error(request, exc.message)
            remember(request, "register", exc)
        return redirect("contracts:keys")
    return render(
        request,
        "contracts/keys.html",
        {"keys": selectors.keys_of(request.user), "algorithms": sorted(signing.VERIFIERS)},
    )


def _int(value) -> int:
    return parse_id(value, field="key_id")


@capability_required("contract.sign")
@require_http_methods(["GET", "POST"])
def annual_new(request):
    if request.method == "POST":
        try:
            contract = parties.annual_contract_create(
                by=request.user,
                listing_id=request.POST.get("listing"),
                year=request.POST.get("year"),
                quantity=request.POST.get("quantity"),
                distributor_id=request.POST.get("distributor"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            remember(request, "annual", exc)
            return redirect("contracts:annual-new")
        messages.success(request, _("已生成年度购销合同 %(n)s") % {"n": contract.number})
        return redirect("contracts:detail", pk=contract.pk)
    listings = (
        Listing.objects.filter(status=Listing.Status.ACTIVE, award__isnull=True)
        .select_related("product", "manufacturer")
        .order_by("product__generic_name", "pk")[:300]
    )
    distributors = Organization.objects.filter(kind="distributor", is_active=True).order_by("name")[:200]
    return render(
        request,
        "contracts/annual_new.html",
        {"listings": listings, "distributors": distributors, "year": timezone.localdate().year},
    )


urlpatterns = [
    path("", contract_list, name="list"),
    path("<int:pk>/", contract_detail, name="detail"),
    path("<int:pk>/pdf/", contract_pdf_view, name="pdf"),
    path("keys/", key_list, name="keys"),
    path("annual/new/", annual_new, name="annual-new"),
]
