"""Pages of objections (异议) and appeals (申诉): a company's own (file, see the answer, appeal), the officials'
answer queue with its deadlines, the supervisors' appeals. Each POST calls one service; a refusal shows its
message and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import can
from common.errors import DomainError
from common.models import events_for
from common.numbers import param_id
from pricing.models import CreditRecord
from procurement.models import Tender

from ..models import Appeal
from ..selectors import objections as sel
from ..services import appeals as appeal_svc
from ..services import objections as objection_svc

USERS = ("transparency.object", "transparency.answer", "transparency.decide_appeal")


def _require_user(request) -> None:
    if not any(can(request.user, c) for c in USERS):
        raise PermissionDenied


def _require(request, capability: str) -> None:
    if not can(request.user, capability):
        raise PermissionDenied


def objection_list(request):
    _require_user(request)
    user = request.user
    return render(
        request,
        "transparency/objection_list.html",
        {
            "objections": sel.objections_visible_to(user)[:200],
            "tenders": sel.objectable_tenders(user),
            "credit_records": sel.objectable_credit_records(user),
            "can_object": can(user, "transparency.object"),
            "now": timezone.now(),
        },
    )


@require_POST
def objection_create(request):
    if not can(request.user, "transparency.object"):
        raise PermissionDenied
    post = request.POST
    try:
        tender_id = param_id(post, "tender", form=True)
        record_id = param_id(post, "credit_record", form=True)
        tender = Tender.objects.exclude(status=Tender.Status.DRAFT).filter(pk=tender_id).first() if tender_id else None
        record = (
            CreditRecord.objects.filter(pk=record_id, organization_id=request.user.organization_id).first()
            if record_id
            else None
        )
        objection = objection_svc.objection_file(
            by=request.user,
            tender=tender,
            credit_record=record,
            grounds=post.get("grounds", ""),
            document=request.FILES.get("document"),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("transparency:objection-list")
    messages.success(
        request,
        _("异议已提交，答复期限 %(due)s") % {"due": f"{timezone.localtime(objection.answer_due):%Y-%m-%d %H:%M}"},
    )
    return redirect("transparency:objection-detail", pk=objection.pk)


def objection_detail(request, pk: int):
    _require_user(request)
    objection = get_object_or_404(sel.objections_visible_to(request.user), pk=pk)
    appeal = Appeal.objects.filter(objection=objection).first()
    return render(
        request,
        "transparency/objection_detail.html",
        {
            "o": objection,
            "appeal": appeal,
            "actions": sel.allowed_actions(request.user, objection),
            "events": events_for(objection),
            "now": timezone.now(),
        },
    )


def objection_document(request, pk: int):
    _require_user(request)
    objection = get_object_or_404(sel.objections_visible_to(request.user), pk=pk)
    if not objection.document:
        raise Http404
    return FileResponse(
        objection.document.open("rb"), as_attachment=True, filename=objection.document.name.rsplit("/", 1)[-1]
    )


def _step(request, pk: int, run, success: str):
    objection = get_object_or_404(sel.objections_visible_to(request.user), pk=pk)
    try:
        run(objection)
        messages.success(request, success)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("transparency:objection-detail", pk=pk)


@require_POST
def objection_answer(request, pk: int):
    _require(request, "transparency.answer")
    post = request.POST
    return _step(
        request,
        pk,
        lambda o: objection_svc.objection_answer(
            objection=o, by=request.user, outcome=post.get("outcome", ""), answer=post.get("answer", "")
        ),
        _("已答复"),
    )


@require_POST
def objection_appeal(request, pk: int):
    _require(request, "transparency.object")
    return _step(
        request,
        pk,
        lambda o: appeal_svc.appeal_file(objection=o, by=request.user, grounds=request.POST.get("grounds", "")),
        _("申诉已提交"),
    )


@require_POST
def appeal_decide(request, pk: int):
    _require(request, "transparency.decide_appeal")
    post = request.POST

    def run(objection):
        appeal = Appeal.objects.filter(objection=objection).first()
        if appeal is None:
            raise Http404
        appeal_svc.appeal_decide(
            appeal=appeal, by=request.user, outcome=post.get("outcome", ""), decision=post.get("decision", "")
        )

    return _step(request, pk, run, _("已裁决"))


def answer_queue(request):
    if not can(request.user, "transparency.answer"):
        raise PermissionDenied
    return render(
        request,
        "transparency/answer_queue.html",
        {"objections": sel.answer_queue(request.user), "now": timezone.now()},
    )


def appeal_queue(request):
    if not can(request.user, "transparency.decide_appeal"):
        raise PermissionDenied
    return render(request, "transparency/appeal_queue.html", {"appeals": sel.appeal_queue(request.user)})
