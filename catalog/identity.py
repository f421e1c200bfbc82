"""How a product is named wherever people choose, order, ship or receive it: one identity for every page and the API.

Two products with the same generic name differ by strength, dosage form, pack or maker; a cart, a ship form or a
dropdown showing only the name lets people order or ship the wrong one. The identity names all of them:

    阿托伐他汀钙片（立普妥） 20mg 片剂 ×7片/盒 · 辉瑞制药有限公司

and the Mongolian name, where the product has one, beside it (`parts`, for the template tag that writes it in
traditional script). The maker is read from the product's `manufacturer` when it was loaded with it
(`select_related("product__manufacturer")`, which every list that shows products does); a product read without it
is named without the maker rather than with a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from common import serializers
from common.units import unit_label

from .models import Product


@dataclass(frozen=True)
class ProductIdentity:
    name: str  # generic name, with the trade name in brackets
    strength: str  # 规格
    form: str  # 剂型
    pack: str  # ×7片/盒
    maker: str  # the manufacturer's short name, else its name
    name_mn: str  # Mongolian name, traditional script

    def text(self, *, maker: bool = True) -> str:
        head = " ".join(part for part in (self.name, self.strength, self.form, self.pack) if part)
        return f"{head} · {self.maker}" if maker and self.maker else head

    def __str__(self) -> str:
        return self.text()


def _loaded_maker(obj):
    """The `manufacturer` of a product, order line or listing, when it was loaded with it (else None)."""
    descriptor = getattr(type(obj), "manufacturer", None)
    if descriptor is None or not hasattr(descriptor, "is_cached") or not descriptor.is_cached(obj):
        return None
    return obj.manufacturer


def maker_name(org) -> str:
    return (org.short_name or org.name) if org is not None else ""


def pack_text(product: Product) -> str:
    """×7片/盒: how many minimum units one pack holds, the units in the reader's language (common.units: ×7
    tablets/box in English), so pages show it unmarked, unlike the name, strength, form and maker (data)."""
    if not product.pack_size:
        return ""
    return gettext("×%(n)s%(unit)s/%(pack)s") % {
        "n": product.pack_size,
        "unit": unit_label(product.min_unit, product.pack_size),
        "pack": unit_label(product.pack_unit, 1),
    }


def identity(product: Product | None, *, maker=None) -> ProductIdentity | None:
    """The parts of the product's identity; `maker` (an organisation) when the caller holds it already (an order
    line's or a listing's manufacturer)."""
    if product is None:
        return None
    name = product.generic_name if not product.trade_name else f"{product.generic_name}（{product.trade_name}）"
    strength = (product.specification or "").strip()
    form = (product.dosage_form or "").strip()
    # a form the name already ends with (阿托伐他汀钙片 · 片剂) adds nothing; a different one (…胶囊 · 硬胶囊) does
    if form and product.generic_name.endswith(form.removesuffix("剂")):
        form = ""
    return ProductIdentity(
        name=name,
        strength=strength,
        form=form,
        pack=pack_text(product),
        maker=maker_name(maker if maker is not None else _loaded_maker(product)),
        name_mn=product.name_mn or "",
    )


def product_identity(product: Product | None, *, maker: bool = True) -> str:
    """The product's identity as one line of text (dropdown options, messages, exports, the API)."""
    found = identity(product)
    return found.text(maker=maker) if found is not None else ""


def identity_of_row(obj) -> ProductIdentity | None:
    """The identity of a product, or of the product of a row that has one (an order line, a listing, a bid), with
    the row's own maker where it was loaded."""
    if obj is None or isinstance(obj, Product):
        return identity(obj)
    return identity(getattr(obj, "product", None), maker=_loaded_maker(obj))


@extend_schema_field(OpenApiTypes.STR)
class ProductIdentityField(serializers.Field):
    """`product_identity`: the product as pages show it (name, strength, form, pack, maker), read-only.

    Its source is the row itself (an order line, a listing: their own maker is used) or a product. Unlike the pages,
    which leave out a maker that was not loaded, an answer of the API is the same however its rows were read. A row
    without a product (an organisation's licence) answers null."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs["allow_null"] = True
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, value) -> str | None:
        # the API always names the maker (read here if the queryset did not load it; the API's querysets do)
        product = value if isinstance(value, Product) else getattr(value, "product", None)
        if product is None:
            return None
        maker = product.manufacturer if isinstance(value, Product) else getattr(value, "manufacturer", None)
        return identity(product, maker=maker).text()


def product_choices(products, *, maker: bool = True, code: bool = False) -> list[tuple[int, str]]:
    """(id, identity) for a dropdown; where two options would read the same (or with `code`, always), each gets its
    national code, so no option repeats another."""
    products = list(products)
    labels = [product_identity(p, maker=maker) for p in products]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    return [
        (p.pk, f"{label}（{p.nhsa_code}）" if code or seen[label] > 1 else label)
        for p, label in zip(products, labels, strict=True)
    ]
