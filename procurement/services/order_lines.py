"""The lines of an order: the listings they name, read once with their products (and, for a new order, whether the
distributor may deliver each and whether the substitution rule can apply), checked, and built into order lines at
the listing's price; and the share lock that holds the listings while an order's prices are frozen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.utils.translation import gettext, gettext_lazy

from catalog.identity import product_identity
from common import rules
from common.errors import Refusals
from common.money import quantize_amount
from common.numbers import parse_id
from common.text import check_text

from ..errors import OrderError, ValidationFailed
from ..models import Commitment, Listing, PurchaseOrder, PurchaseOrderLine
from .order_steps import LINE_REMARKS_MAX, line_ref, parse_count, require_lines
from .orderability import check_buyer_may_order, check_distributor, check_listing_orderable, orderability

# What an order reads of its listings and of their products: what ordering checks and the lines freeze (names and
# code, pack size, state, dosage form for the substitution rule); the product's registration, insurance and search
# columns are most of its row and are not read. The manufacturer's names are read for error messages and for the
# product's identity on the answer.
_LISTING_FIELDS = (
    "product",
    "manufacturer",
    "award",
    "unit_price",
    "pack_price",
    "status",
    "status_reason",
    "valid_from",
    "valid_to",
)
# with what names the product on the order's answer (catalog.identity): no query per line to render it
_PRODUCT_FIELDS = (
    "generic_name",
    "nhsa_code",
    "specification",
    "pack_size",
    "is_active",
    "dosage_form",
    "trade_name",
    "min_unit",
    "pack_unit",
    "name_mn",
    # what a pharmacy may order (check_buyer_may_order)
    "negotiated",
    "negotiated_from",
    "negotiated_to",
)
_MAKER_FIELDS = ("manufacturer__name", "manufacturer__short_name")


# --- the listings of an order ----------------------------------------------------------------------------------------


def share_lock_listings(listing_ids) -> None:
    """Hold the listings still while prices are frozen: a concurrent suspension or price change (which locks the
    listing FOR UPDATE) waits for this submission, then sees and flags the submitted order. Many submissions of the
    same popular listings share the lock instead of queueing behind each other.

    One statement of its own: the ORM's select_for_update has no FOR SHARE. Taken before the listings are read, so
    the read (a later statement, a later snapshot) sees them as they are once held; ids in order, as every lock."""
    ids = sorted(set(listing_ids))
    if not ids:
        return
    table, pk = Listing._meta.db_table, Listing._meta.pk.column
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(pk)} FROM {qn(table)} WHERE {qn(pk)} = ANY(%s) ORDER BY {qn(pk)} FOR SHARE", [ids])


@dataclass
class LineInput:
    listing: Listing
    packs: int
    remarks: str = ""


def _line_listing_ids(items) -> list[int]:
    return [
        line_ref(
            item,
            "listing",
            Listing,
            message=gettext("订单明细格式错误"),
            field=f"lines[{i}]",
            label=gettext_lazy("挂网编号"),
        )
        for i, item in enumerate(items)
    ]


def _read_listings(ids: list[int], parties: tuple | None, *, on: date) -> dict[int, Listing]:
    """The listings by id with their products (what ordering uses); with `parties` (hospital, distributor) each
    annotated with `authorised` and `committed` (orderability())."""
    fields = (*_LISTING_FIELDS, *(f"product__{name}" for name in _PRODUCT_FIELDS), *_MAKER_FIELDS)
    # no ORDER BY (the listings' default orders by product name, a join and a sort): they are returned by id
    listings = Listing.objects.select_related("product", "manufacturer").only(*fields).order_by()
    if parties is not None:
        listings = listings.annotate(**orderability(*parties, on=on))
    return listings.in_bulk(ids)


def parse_lines(items, *, on: date, parties: tuple | None = None, buyer=None) -> list[LineInput]:
    """[{"listing": id or Listing, "packs": n, "remarks": ""}] → checked LineInputs (listings read in one query).
    The buyer (the hospital or pharmacy, `parties[0]` when parties are given) decides what it may order."""
    buyer = parties[0] if parties is not None else buyer
    require_lines(items, gettext("订单至少需要一个品规"))
    max_lines = rules.orders().max_lines
    if len(items) > max_lines:
        raise ValidationFailed(
            gettext("一张订单最多 %(max_lines)s 个品规") % {"max_lines": max_lines},
            field="lines",
            code=OrderError.TOO_MANY_LINES,
        )
    ids = _line_listing_ids(items)
    listings = _read_listings(ids, parties, on=on)
    seen: dict[int, int] = {}
    result = []
    found = Refusals()  # every line's wrong inputs, reported together, each on its own input
    for i, (item, listing_id) in enumerate(zip(items, ids, strict=True)):
        with found.check():
            line = _parse_line(item, i, listings.get(listing_id), listing_id, seen, on=on, buyer=buyer, found=found)
            if line is not None:
                result.append(line)
    found.raise_any()
    return result


def _parse_line(item, i: int, listing, listing_id: int, seen: dict, *, on: date, buyer, found) -> LineInput | None:
    """One line of an order; None when one of its inputs was refused (in `found`, with every other one)."""
    field = f"lines[{i}]"
    if listing is None:
        raise ValidationFailed(
            gettext("挂网产品 %(listing_id)s 不存在") % {"listing_id": listing_id},
            field=f"{field}.listing",
            code=OrderError.LISTING_NOT_FOUND,
        )
    if listing_id in seen:
        raise ValidationFailed(
            gettext("%(generic_name)s 在第 %(value)s 行已出现，请合并数量")
            % {"generic_name": product_identity(listing.product, maker=False), "value": seen[listing_id] + 1},
            field=f"{field}.listing",
            code=OrderError.DUPLICATE_LINE,
        )
    seen[listing_id] = i
    refused = len(found.errors)
    packs, remarks = None, ""
    with found.check():
        packs = parse_count(item.get("packs"), field=f"{field}.packs", label=gettext_lazy("采购数量"))
    with found.check():
        check_listing_orderable(listing, on=on, field=f"{field}.listing")
        check_buyer_may_order(buyer, listing, on=on, field=f"{field}.listing")
    with found.check():
        remarks = check_text(
            str(item.get("remarks") or ""),
            field=f"{field}.remarks",
            label=gettext_lazy("备注"),
            max_length=LINE_REMARKS_MAX,
        )
    if len(found.errors) > refused:
        return None
    return LineInput(listing=listing, packs=packs, remarks=remarks)


def renumber_line_field(field: str | None, positions: list[int]) -> str | None:
    """`lines[i].packs` of a list from which some lines were left out → the same line's place in the whole list
    (`positions[i]`), so that an error lands on the input the user filled."""
    match = re.fullmatch(r"lines\[(\d+)\](.*)", field or "")
    if not match or int(match.group(1)) >= len(positions):
        return field
    return f"lines[{positions[int(match.group(1))]}]{match.group(2)}"


def raw_listing_ids(lines) -> list[int]:
    """Listing ids named in raw order lines (ignoring malformed entries, which parse_lines reports)."""
    ids = set()
    for item in lines if isinstance(lines, (list, tuple)) else []:
        raw = item.get("listing") if isinstance(item, dict) else None
        if isinstance(raw, Listing):
            ids.add(raw.pk)
        elif raw is not None:
            try:
                ids.add(parse_id(raw, field=None))
            except ValidationFailed:
                continue
    return sorted(ids)


def build_line(
    order: PurchaseOrder,
    line_no: int,
    item: LineInput,
    substitution: Commitment | None,
    frozen_at: datetime | None = None,
) -> PurchaseOrderLine:
    listing = item.listing
    pack_size = listing.product.pack_size
    min_units = item.packs * pack_size
    line = PurchaseOrderLine(
        order=order,
        line_no=line_no,
        listing=listing,
        product=listing.product,
        manufacturer_id=listing.manufacturer_id,
        award_id=listing.award_id,
        packs=item.packs,
        pack_size=pack_size,
        min_units=min_units,
        unit_price=listing.unit_price,
        pack_price=listing.pack_price,
        amount=quantize_amount(listing.unit_price * min_units),
        substitution_for=substitution,
        remarks=item.remarks,
        price_frozen_at=frozen_at,
        # given rather than left to the column's default: a row with a DEFAULT cannot be inserted through UNNEST,
        # and bulk_create then writes one placeholder per value (a statement text per line count, never reused)
        packs_short=0,
        short_reason="",
    )
    if Listing.manufacturer.is_cached(listing):  # the new line names its maker without reading it again
        line.manufacturer = listing.manufacturer
    return line


def check_distributor_for(hospital, distributor, items: list[LineInput], *, on: date) -> None:
    check_distributor(
        hospital,
        distributor,
        [i.listing for i in items],
        on=on,
        fields=[f"lines[{n}].listing" for n in range(len(items))],
    )
