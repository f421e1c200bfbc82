from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.health import health_report

from . import selectors
from .permissions import can, is_official, portals_for


@login_not_required
@never_cache
@require_GET
def health(request):
    ok, report = health_report()
    return JsonResponse(report, status=200 if ok else 503)


def home(request):
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {"portals": portals_for(user), "organization": user.organization, "is_official": is_official(user)},
    )


def organization_list(request):
    qs = selectors.organizations_visible_to(request.user)
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(name__icontains=query) | qs.filter(uscc__iexact=query)
    page = Paginator(qs.order_by("kind", "region__sort_order", "name"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/organization_list.html",
        {"page": page, "kind": kind, "q": query, "can_view_all": can(request.user, "organization.view_all")},
    )


def organization_detail(request, pk: int):
    org = get_object_or_404(selectors.organizations_visible_to(request.user), pk=pk)
    users = selectors.users_visible_to(request.user).filter(organization=org)
    return render(request, "accounts/organization_detail.html", {"org": org, "users": users})


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("登录失败次数过多，此账号在当前网络地址已被锁定 %(minutes)s 分钟，请稍后再试或联系平台管理员。") % {
        "minutes": minutes
    }


def login_locked_out(request, original_response=None, credentials=None):
    """The login page again, saying the username is locked out here (django-axes lockout response)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_out": lockout_message(), "next": request.POST.get("next", "")},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
