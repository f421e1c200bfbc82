"""After the opening: the opening record (every opened bid's digest and bidder, published at the opening), a bidder's
own bids with their outcome, and the check of a bid's digest from the receipt its bidder kept.

Nothing here writes, and nothing reads a price before the tender is opened: every function refuses first
(`NOT_YET_OPENED`) and only then touches bids. A verification that does not match says so and changes nothing.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from common.errors import ConflictError, NotFoundError, ValidationFailed
from common.numbers import parse_decimal, parse_id, parse_int

from .. import sealing
from ..errors import TenderError
from ..evaluation import describe_rules
from ..models import Bid, Tender
from .tenders import OPENED_BID_STATUSES, current_evaluation, results_visible

NONCE = re.compile(r"[0-9a-f]{32}")
DIGEST = re.compile(r"[0-9a-f]{64}")
#: A receipt file is small; anything longer is not one.
MAX_RECEIPT_CHARS = 4000


def ensure_opened(tender: Tender) -> None:
    """Refuse before the opening: the opening record, the outcomes and the check exist only once bids are open."""
    if not tender.bids_open:
        raise ConflictError(
            gettext("开标后才公布申报摘要并可核对申报（开标时间 %(at)s）")
            % {"at": tender.opening_at.strftime("%Y-%m-%d %H:%M")},
            code=TenderError.NOT_YET_OPENED,
        )


# --- the opening record --------------------------------------------------------------------------------------------


@dataclass
class OpeningLot:
    lot: object
    bids: list[Bid] = field(default_factory=list)


def opening_record(tender: Tender) -> list[OpeningLot]:
    """Per lot, every bid opened (valid or invalid) with its bidder, product, submission time and digest — what the
    opening published. Prices are not part of it (the published results carry the winners' prices)."""
    ensure_opened(tender)
    by_lot: dict[int, list[Bid]] = defaultdict(list)
    bids = (
        Bid.objects.filter(tender=tender, status__in=OPENED_BID_STATUSES)
        .select_related("manufacturer", "product")
        .order_by("lot_id", "submitted_at", "pk")
    )
    for bid in bids:
        by_lot[bid.lot_id].append(bid)
    return [OpeningLot(lot=lot, bids=by_lot.get(lot.pk, [])) for lot in tender.lots.order_by("number")]


# --- the bidder's own outcome ----------------------------------------------------------------------------------------


@dataclass
class OwnBid:
    bid: Bid
    factor: Decimal | None  # comparison price / price: the 差比价 conversion to the lot's reference
    published: bool  # the evaluation's outcome is public (awards published)
    # The stored BidOutcome (criteria met, rank, winner rank, reasons — in terms of its own price, the lot's
    # thresholds and 最高有效申报价), once published. The lot's notes are not given: they name other bidders' prices.
    outcome: dict | None
    award: object | None = None


def own_bids_after_opening(tender: Tender, user) -> dict:
    """The user's organisation's opened bids of the tender: price, comparison price and its factor, and — once the
    results are published — the criteria met, the rank and the reasons, with the rule set the tender used."""
    ensure_opened(tender)
    bids = list(
        Bid.objects.filter(tender=tender, manufacturer_id=user.organization_id, status__in=OPENED_BID_STATUSES)
        .select_related("lot", "product", "award")
        .order_by("lot__number", "pk")
    )
    published = results_visible(tender, user)
    run = current_evaluation(tender) if published else None
    outputs = run.outputs if run else {}
    rows = []
    for bid in bids:
        output = outputs.get(str(bid.lot_id), {})
        outcome = next((o for o in output.get("outcomes", ()) if o["bid_id"] == bid.pk), None)
        factor = None
        if bid.price and bid.comparison_price is not None:
            factor = (bid.comparison_price / bid.price).quantize(Decimal("0.0001"))
        rows.append(
            OwnBid(
                bid=bid,
                factor=factor,
                published=published,
                outcome=outcome,
                award=getattr(bid, "award", None),
            )
        )
    return {"bids": rows, "published": published, "rules": describe_rules(run.rules if run else tender.rules)}


# --- verify a bid from its receipt -----------------------------------------------------------------------------------


@dataclass
class Verification:
    bid: Bid
    digest: str  # recomputed from what the bidder kept
    published_digest: str  # recorded at submission, published at the opening
    opened_price_matches: bool  # the price decrypted at the opening equals the kept price

    @property
    def matches(self) -> bool:
        return self.digest == self.published_digest


def parse_receipt(text) -> dict:
    """A receipt as kept: the JSON object `sealing.bid_receipt` gave (a file or pasted text). Refuses what is not one,
    naming the field `receipt`."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if isinstance(text, str):
        if len(text) > MAX_RECEIPT_CHARS:
            raise ValidationFailed(
                gettext("回执内容过长，不是申报回执"), field="receipt", code=TenderError.RECEIPT_MALFORMED
            )
        try:
            text = json.loads(text)
        except ValueError:
            raise ValidationFailed(
                gettext("回执不是有效的 JSON 文件"), field="receipt", code=TenderError.RECEIPT_MALFORMED
            ) from None
    if not isinstance(text, dict) or text.get("format") != sealing.RECEIPT_FORMAT:
        raise ValidationFailed(
            gettext("不是本平台的申报回执（缺少 format: %(format)s）") % {"format": sealing.RECEIPT_FORMAT},
            field="receipt",
            code=TenderError.RECEIPT_MALFORMED,
        )
    missing = [name for name in ("bid", *sealing.RECEIPT_FIELDS) if text.get(name) in (None, "")]
    if missing and missing != ["manufacturer_uscc"]:
        raise ValidationFailed(
            gettext("回执缺少字段：%(fields)s") % {"fields": ", ".join(missing)},
            field="receipt",
            code=TenderError.RECEIPT_MALFORMED,
        )
    if not all(isinstance(text[name], str) for name in ("tender", "lot", "product_code", "submitted_at")):
        raise ValidationFailed(gettext("回执字段格式有误"), field="receipt", code=TenderError.RECEIPT_MALFORMED)
    return text


def _own_bid(user, bid_id) -> Bid:
    """The bid, if it is the user's organisation's; another maker's bid is not found (404), whatever the input."""
    pk = parse_id(bid_id, field="bid")
    bid = (
        Bid.objects.filter(pk=pk, manufacturer_id=getattr(user, "organization_id", None) or 0)
        .select_related("tender", "lot", "manufacturer", "product")
        .first()
    )
    if bid is None:
        raise NotFoundError(gettext("未找到本企业的该申报"), field="bid")
    return bid


def _price_spellings(text: str, price: Decimal) -> list[str]:
    """The ways one price may have been written at submission (the digest covers the text as typed: 0.45 ≠ 0.4500)."""
    spellings = [text, format(price.normalize(), "f")]
    spellings += [format(price.quantize(Decimal(1).scaleb(-places)), "f") for places in (2, 3, 4)]
    return list(dict.fromkeys(spellings))


def verify_bid(user, *, bid=None, price=None, nonce=None, receipt=None) -> Verification:
    """Recompute a bid's digest from what its bidder kept — a receipt, or the bid with its price and nonce — and
    compare it with the digest published at the opening. Only the user's own bids (another maker's: 404); only
    after the opening (409); a mismatch is refused naming the field (400). Writes nothing."""
    kept = parse_receipt(receipt) if receipt not in (None, "") else None
    bid = _own_bid(user, kept["bid"] if kept else bid)
    ensure_opened(bid.tender)
    if bid.status not in OPENED_BID_STATUSES:
        raise ConflictError(
            gettext("该申报状态为“%(status)s”，未参加开标，没有公布的申报摘要") % {"status": bid.get_status_display()},
            code=TenderError.BID_NOT_OPENED,
        )
    if kept:
        _check_receipt_is_of(kept, bid)
        price, nonce = kept["price"], kept["nonce"]
    text = str(price if price is not None else "").strip()
    value = parse_decimal(text, field="price", label=gettext("报价"), column=Bid._meta.get_field("price"))
    nonce = str(nonce or "").strip().lower()
    if not NONCE.fullmatch(nonce):
        raise ValidationFailed(
            gettext("随机数应为 32 位十六进制字符（见申报回执）"), field="nonce", code=TenderError.RECEIPT_MALFORMED
        )
    fields = {
        "tender": bid.tender.code,
        "lot": bid.lot.number,
        "manufacturer_uscc": bid.manufacturer.uscc or "",
        "product_code": bid.product.nhsa_code,
        "supply_capacity": bid.supply_capacity,
        "submitted_at": bid.submitted_at.isoformat(),
        "nonce": nonce,
    }
    digest = ""
    for spelling in _price_spellings(text, value) if not kept else [text]:
        digest = sealing.receipt_digest({**fields, "price": spelling})
        if digest == bid.seal_hash:
            break
    result = Verification(
        bid=bid, digest=digest, published_digest=bid.seal_hash, opened_price_matches=bid.price == value
    )
    if not result.matches:
        raise ValidationFailed(
            gettext(
                "核对不一致：按所填报价与随机数重新计算的摘要 %(digest)s 与开标公布的申报摘要 %(published)s 不同。"
                "请检查报价（须与申报时的写法一致）和随机数；核对不改变任何数据。"
            )
            % {"digest": digest, "published": bid.seal_hash},
            field="receipt" if kept else "nonce",
            code=TenderError.DIGEST_MISMATCH,
        )
    return result


def _check_receipt_is_of(kept: dict, bid: Bid) -> None:
    """The receipt's own fields must be the bid's as recorded: a receipt edited or of another bid says which field."""
    recorded = {
        "tender": bid.tender.code,
        "lot": bid.lot.number,
        "manufacturer_uscc": bid.manufacturer.uscc or "",
        "product_code": bid.product.nhsa_code,
        "supply_capacity": bid.supply_capacity,
        "submitted_at": bid.submitted_at.isoformat(),
    }
    try:
        kept_capacity = parse_int(kept["supply_capacity"], field="receipt")
    except ValidationFailed:
        kept_capacity = None
    differing = [
        name
        for name, value in recorded.items()
        if (kept_capacity if name == "supply_capacity" else (kept.get(name) or "")) != value
    ]
    if kept.get("digest") and kept["digest"] != bid.seal_hash:
        differing.append("digest")
    if differing:
        raise ValidationFailed(
            gettext("回执与该申报的记录不一致（%(fields)s）：回执可能被修改，或不是这份申报的回执；核对不改变任何数据")
            % {"fields": ", ".join(differing)},
            field="receipt",
            code=TenderError.RECEIPT_MISMATCH,
        )


def check_receipt(user, text) -> dict:
    """A receipt of one of the user's own bids whose fields recompute to the digest recorded at submission (any time,
    before the opening too: it reveals nothing the bidder does not hold). Used to hand the receipt back as a file."""
    kept = parse_receipt(text)
    bid = _own_bid(user, kept["bid"])
    _check_receipt_is_of(kept, bid)
    price = str(kept["price"])
    parse_decimal(price, field="receipt", label=gettext("报价"), column=Bid._meta.get_field("price"))
    fields = {**kept, "supply_capacity": bid.supply_capacity, "price": price, "nonce": str(kept["nonce"])}
    if sealing.receipt_digest(fields) != bid.seal_hash:
        raise ValidationFailed(
            gettext("回执的报价或随机数与申报摘要不一致"), field="receipt", code=TenderError.DIGEST_MISMATCH
        )
    return {key: kept[key] for key in ("format", "bid", *sealing.RECEIPT_FIELDS, "digest")}
