"""Pages of qualifications (资质证照): a company keeps its licences and its products' registration certificates (a
renewal is recorded as a new row); an official sees those expiring within 60 days (or `?days=`) and not renewed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.permissions import can
from catalog.identity import product_identity
from catalog.models import Product
from common.errors import DomainError
from common.forms import CharField, ModelChoiceField, NamedSelect
from common.numbers import parse_int

from . import selectors, services
from .models import Qualification


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=_l("证照类型"), choices=Qualification.Kind.choices)
    number = CharField(label=_l("证照编号"), max_length=100)
    product = ModelChoiceField(
        queryset=Product.objects.none(),
        label=_l("产品"),
        required=False,
        help_text=_l("注册证、批准文号填写对应产品"),
        widget=NamedSelect,
    )
    scope = CharField(label=_l("范围"), max_length=500, required=False)
    issuer = CharField(label=_l("发证机关"), max_length=200, required=False)
    valid_from = forms.DateField(label=_l("有效期起"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        label=_l("有效期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_l("长期有效留空"),
    )
    document = forms.FileField(label=_l("证照文件（PDF、JPG、PNG）"), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = selectors.KINDS_BY_ORGANIZATION.get(organization.kind, ())
        self.fields["kind"].choices = [(k, Qualification.Kind(k).label) for k in allowed]
        self.fields["product"].queryset = Product.objects.filter(manufacturer=organization).order_by("generic_name")
        # the organisation's own products: strength, form and pack tell two of one name apart, the code any others
        self.fields["product"].label_from_instance = lambda p: f"{product_identity(p, maker=False)}（{p.nhsa_code}）"


def _rows_with_state(rows, today):
    for row in rows:
        row.days_left = (row.valid_to - today).days if row.valid_to else None
        row.valid_today = row.is_valid_on(today)
    return rows


def my_qualifications(request):
    if can(request.user, "qualification.view_all"):
        return redirect("qualifications:expiring")
    if not can(request.user, "qualification.manage"):
        raise PermissionDenied
    organization = request.user.organization
    form = QualificationForm(organization=organization)
    if request.method == "POST":
        form = QualificationForm(request.POST, request.FILES, organization=organization)
        if form.is_valid():
            try:
                services.qualification_add(by=request.user, **form.cleaned_data)
                messages.success(request, _("证照已登记"))
                return redirect("qualifications:list")
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
    today = timezone.localdate()
    rows = _rows_with_state(
        list(selectors.qualifications_visible_to(request.user).order_by("kind", "-valid_to")), today
    )
    return render(request, "qualifications/list.html", {"rows": rows, "form": form})


def expiring(request):
    if not can(request.user, "qualification.view_all"):
        raise PermissionDenied
    days = parse_int(request.GET.get("days") or "60", field="days", label=_("天数"), form=True)
    days = max(0, min(days, 3650))
    today = timezone.localdate()
    rows = _rows_with_state(list(selectors.expiring(on=today, within_days=days)[:500]), today)
    return render(request, "qualifications/expiring.html", {"rows": rows, "days": days})


app_name = "qualifications"
urlpatterns = [
    path("", my_qualifications, name="list"),
    path("expiring/", expiring, name="expiring"),
]
