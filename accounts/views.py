from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from common.discovery import app_modules
from common.errors import DomainError
from common.health import health_report
from common.tables import Column, Listing

from . import selectors, services
from .permissions import can, capability_required, is_official, portals_for


@login_not_required
@never_cache
@require_GET
def health(request):
    ok, report = health_report()
    return JsonResponse(report, status=200 if ok else 503)


def home(request):
    user = request.user
    # apps later in the chain add their panels (a manufacturer's to-dos…) through their `home` module
    panels = [panel for _app, module in app_modules("home") for panel in module.panels(request)]
    return render(
        request,
        "accounts/home.html",
        {
            "portals": portals_for(user),
            "organization": user.organization,
            "is_official": is_official(user),
            "panels": panels,
        },
    )


ORGANIZATION_COLUMNS = [
    Column("name", _l("机构名称"), sort="name"),
    Column("kind", _l("类型"), value="get_kind_display", sort="kind"),
    Column("uscc", _l("统一社会信用代码"), sort="uscc"),
    Column("region", _l("地区"), value="region.name", sort="region__sort_order"),
    Column("hospital_level", _l("医院等级"), value="get_hospital_level_display"),
    Column("hospital_type", _l("医院类型"), value="get_hospital_type_display"),
    Column("is_active", _l("有效"), sort="is_active"),
]


def organization_list(request):
    qs = selectors.organizations_visible_to(request.user)
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(name__icontains=query) | qs.filter(uscc__iexact=query)
    listing = Listing(
        request,
        qs,
        ORGANIZATION_COLUMNS,
        default_sort="name",
        per_page=50,
        default_order=("kind", "region__sort_order", "name"),
        export_name=str(_("机构")),
    )
    if listing.wants_export:
        return listing.export()
    return render(
        request,
        "accounts/organization_list.html",
        {
            "page": listing.page,
            "listing": listing,
            "kind": kind,
            "q": query,
            "can_view_all": can(request.user, "organization.view_all"),
        },
    )


def _organization_page(request, org, *, error: str = "", status: int = 200):
    users = selectors.users_visible_to(request.user).filter(organization=org)
    can_manage = can(request.user, "organization.manage")
    return render(
        request,
        "accounts/organization_detail.html",
        {
            "org": org,
            "users": users,
            "can_manage": can_manage,
            "error": error,
            "status_events": selectors.organization_status_events(org) if can_manage else [],
        },
        status=status,
    )


def organization_detail(request, pk: int):
    return _organization_page(request, get_object_or_404(selectors.organizations_visible_to(request.user), pk=pk))


def _change_status(request, pk: int, service):
    org = get_object_or_404(selectors.organizations_visible_to(request.user), pk=pk)
    try:
        service(organization=org, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _organization_page(request, org, error=exc.message, status=exc.status_code)
    return redirect("accounts:organization-detail", pk=org.pk)


@require_POST
@capability_required("organization.manage")
def organization_deactivate(request, pk: int):
    return _change_status(request, pk, services.organization_deactivate)


@require_POST
@capability_required("organization.manage")
def organization_reactivate(request, pk: int):
    return _change_status(request, pk, services.organization_reactivate)


def lockout_message(request=None) -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if getattr(request, "axes_address_locked_out", False):  # accounts.lockout: failures across usernames
        return _("当前网络地址登录失败次数过多，已被锁定 %(minutes)s 分钟，请稍后再试或联系平台管理员。") % {
            "minutes": minutes
        }
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
        {"form": form, "locked_out": lockout_message(request), "next": request.POST.get("next", "")},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
