"""The manufacturer's form of a listing application (挂网申报 / 调价 / 撤网); the rules are checked by the service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Region
from catalog.identity import product_identity
from catalog.models import Product
from common.forms import (
    CharField,
    ModelChoiceField,
    ModelMultipleChoiceField,
    NamedCheckboxSelectMultiple,
    NamedSelect,
    NumberTextField,
)

from .models import Listing, ListingApplication

K = ListingApplication.Kind


class ApplicationForm(forms.Form):
    product = ModelChoiceField(queryset=Product.objects.none(), label=_("产品"), required=False, widget=NamedSelect)
    listing = ModelChoiceField(queryset=Listing.objects.none(), label=_("挂网产品"), required=False, widget=NamedSelect)
    pack_price = NumberTextField(label=_("申报价（每包装，元）"), required=False, max_length=20)
    valid_from = forms.DateField(label=_("有效期起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("有效期止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    distributors = ModelMultipleChoiceField(
        queryset=Organization.objects.filter(kind="distributor", is_active=True).order_by("name"),
        label=_("授权配送企业"),
        required=False,
        widget=NamedCheckboxSelectMultiple,
    )
    regions = ModelMultipleChoiceField(
        queryset=Region.objects.filter(level=Region.Level.LEAGUE_CITY).order_by("sort_order", "code"),
        label=_("配送区域"),
        required=False,
        widget=NamedCheckboxSelectMultiple,
    )
    evidence = CharField(
        label=_("价格依据说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = CharField(label=_("申请理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    justification = CharField(
        label=_("超出联动上限的说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("申报价高于其他省份最低挂网价时必填，审核时会被标记"),
    )
    document = forms.FileField(label=_("附件（PDF、JPG、PNG）"), required=False)

    FIELDS_BY_KIND = {
        K.NEW: (
            "product",
            "pack_price",
            "valid_from",
            "valid_to",
            "distributors",
            "regions",
            "evidence",
            "justification",
            "document",
        ),
        K.PRICE_CHANGE: ("listing", "pack_price", "valid_from", "reason", "evidence", "justification", "document"),
        K.DELIST: ("listing", "reason", "document"),
    }

    def __init__(self, *args, kind: str, manufacturer_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["product"].queryset = Product.objects.filter(manufacturer_id=manufacturer_id, is_active=True)
        self.fields["listing"].queryset = Listing.objects.filter(
            manufacturer_id=manufacturer_id, status__in=[Listing.Status.ACTIVE, Listing.Status.SUSPENDED]
        ).select_related("product")
        # the manufacturer's own products: strength, form and pack tell two of one name apart, the code any others
        self.fields["product"].label_from_instance = lambda p: f"{product_identity(p, maker=False)}（{p.nhsa_code}）"
        self.fields["listing"].label_from_instance = lambda x: (
            f"{product_identity(x.product, maker=False)}（{x.product.nhsa_code}） @ {x.unit_price}"
        )
        for name in list(self.fields):
            if name not in self.FIELDS_BY_KIND[kind]:
                del self.fields[name]
