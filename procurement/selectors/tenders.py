"""Reads of tenders shared by their pages, API and exports: which tenders and lots a user sees (refreshed on read, so
a status is never stale), demand coverage, the evaluation review, the results.

Prices: results and the evaluation exist only after opening, and results are shown to everyone but officials only
once the awards are published (`results_visible`). Nothing here reads a bid's price before its tender is opened.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Organization
from accounts.permissions import is_official
from catalog.models import Product
from common.models import AuditEvent

from ..models import Award, Bid, DemandReport, Lot, Tender, TenderEvaluation
from ..services.tenders import tenders_refresh_due

S = Tender.Status
PUBLISHED = (S.AWARDED, S.EXECUTING, S.CLOSED)
OPENED_BID_STATUSES = (Bid.Status.VALID, Bid.Status.INVALID, Bid.Status.SELECTED, Bid.Status.NOT_SELECTED)


# --- who sees which tender


def tenders_announced() -> QuerySet[Tender]:
    """The tenders the public may know of: announced ones. A draft (its lots, 最高有效申报价 included) is the
    officials' alone, and so is a tender cancelled while still a draft, which was never announced. The one place
    that decides it: pages, API, OCDS publication and every lookup of a lot go through here."""
    never_announced = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Tender),
        object_id=OuterRef("pk"),
        action="status",
        from_state=Tender.Status.DRAFT,
        to_state=Tender.Status.CANCELLED,
    )
    return Tender.objects.exclude(status=Tender.Status.DRAFT).exclude(
        Q(status=Tender.Status.CANCELLED) & Exists(never_announced)
    )


def tenders_visible_to(user, *, refresh: bool = True) -> QuerySet[Tender]:
    """Officials see every tender; every other signed-in user the announced ones (`tenders_announced`; their bids
    and demand are scoped separately). Due time-driven steps are made first, so a page never shows a tender as open
    for bids after its opening time."""
    if refresh:
        tenders_refresh_due(now=timezone.now())
    if is_official(user):
        return Tender.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Tender.objects.none()
    return tenders_announced()


def lots_visible_to(user) -> QuerySet[Lot]:
    """The lots of the tenders the user sees: a lot of a draft is not found for a hospital or a manufacturer."""
    return Lot.objects.filter(tender__in=tenders_visible_to(user, refresh=False)).select_related("tender")


# --- demand coverage ----------------------------------------------------------------------------------------


def reporting_hospitals():
    """The hospitals expected to report demand: every active hospital on the platform."""
    return Organization.objects.filter(kind=Organization.Kind.HOSPITAL, is_active=True)


@dataclass
class LotCoverage:
    lot: Lot
    reported_volume: int
    hospitals: int
    missing: int
    named: int


def demand_coverage(tender: Tender) -> dict:
    """Per lot: total reported volume, hospitals reporting, hospitals not reporting; and the hospitals that have
    reported nothing at all for the tender. Two aggregate queries, whatever the number of hospitals."""
    expected = reporting_hospitals().count()
    totals = {
        row["lot_id"]: row
        for row in DemandReport.objects.filter(tender=tender)
        .values("lot_id")
        .annotate(
            volume=Sum("annual_volume"),
            hospitals=Count("hospital_id", distinct=True),
            named=Count("id", filter=Q(named_product__isnull=False)),
        )
    }
    lots = []
    for lot in tender.lots.order_by("number"):
        row = totals.get(lot.pk, {})
        hospitals = row.get("hospitals", 0)
        lots.append(
            LotCoverage(
                lot=lot,
                reported_volume=row.get("volume") or 0,
                hospitals=hospitals,
                missing=max(expected - hospitals, 0),
                named=row.get("named", 0),
            )
        )
    missing = (
        reporting_hospitals()
        .exclude(demand_reports__tender=tender)
        .select_related("region")
        .order_by("region__code", "name")
    )
    return {
        "lots": lots,
        "expected": expected,
        "missing": missing,
        "reporting": DemandReport.objects.filter(tender=tender).values("hospital_id").distinct().count(),
    }


# --- evaluation review ------------------------------------------------------------------------------------


def current_evaluation(tender: Tender) -> TenderEvaluation | None:
    return tender.evaluations.filter(is_current=True).select_related("run_by").first()


def evaluation_review(run: TenderEvaluation) -> list[dict]:
    """The stored result of a run, per lot, with names for the ids: thresholds, notes, and for every bid its
    price, the criteria it met, its rank and the reasons it was or was not selected."""
    outputs = run.outputs
    lots = {str(lot.pk): lot for lot in run.tender.lots.all()}
    maker_ids, product_ids = set(), set()
    for output in outputs.values():
        for outcome in output["outcomes"]:
            maker_ids.add(outcome["manufacturer_id"])
            product_ids.add(outcome["product_id"])
    makers = dict(Organization.objects.filter(pk__in=maker_ids).values_list("pk", "name"))
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids)}
    review = []
    for lot_id, output in sorted(
        outputs.items(), key=lambda item: lots[item[0]].number if item[0] in lots else item[0]
    ):
        outcomes = [
            {
                **o,
                "manufacturer": makers.get(o["manufacturer_id"], o["manufacturer_id"]),
                "product": products.get(o["product_id"]),
            }
            for o in output["outcomes"]
        ]
        review.append({"lot": lots.get(lot_id), "output": output, "outcomes": outcomes})
    return review


# --- results ----------------------------------------------------------------------------------------------


def results_visible(tender: Tender, user) -> bool:
    """Officials see the results once the bids are opened; every other signed-in user once awards are published."""
    if is_official(user):
        return tender.bids_open
    return bool(getattr(user, "is_authenticated", False)) and tender.status in PUBLISHED


@dataclass
class LotResult:
    lot: Lot
    valid_bidders: int
    winners: list[dict] = field(default_factory=list)
    digests: list[dict] = field(default_factory=list)
    provisional: bool = False


def tender_results(tender: Tender) -> list[LotResult]:
    """Per lot: winners in rank order with the awarded price, the number of valid bidders, and the digest of every
    bid opened. Before the awards are published (officials only) the winners are the current evaluation's."""
    if not tender.bids_open:
        return []
    lots = list(tender.lots.order_by("number"))
    bids = list(
        Bid.objects.filter(tender=tender, status__in=OPENED_BID_STATUSES)
        .select_related("manufacturer", "product")
        .order_by("lot_id", "manufacturer__name", "pk")
    )
    by_lot: dict[int, list[Bid]] = defaultdict(list)
    for bid in bids:
        by_lot[bid.lot_id].append(bid)
    winners: dict[int, list[dict]] = defaultdict(list)
    awards = list(
        Award.objects.filter(tender=tender).select_related("manufacturer", "product").order_by("lot_id", "rank")
    )
    provisional = not awards
    if awards:
        for award in awards:
            winners[award.lot_id].append(
                {
                    "rank": award.rank,
                    "manufacturer": award.manufacturer,
                    "product": award.product,
                    "price": award.awarded_price,
                    "comparison_price": award.comparison_price,
                }
            )
    else:
        run = current_evaluation(tender)
        bid_by_id = {b.pk: b for b in bids}
        for lot_id, output in run.outputs.items() if run else ():
            for rank, bid_id in enumerate(output["winner_ids"], start=1):
                bid = bid_by_id[bid_id]
                winners[int(lot_id)].append(
                    {
                        "rank": rank,
                        "manufacturer": bid.manufacturer,
                        "product": bid.product,
                        "price": bid.price,
                        "comparison_price": bid.comparison_price,
                    }
                )
    results = []
    for lot in lots:
        lot_bids = by_lot.get(lot.pk, [])
        valid = {b.manufacturer_id for b in lot_bids if b.status != Bid.Status.INVALID}
        results.append(
            LotResult(
                lot=lot,
                valid_bidders=len(valid),
                winners=winners.get(lot.pk, []),
                provisional=provisional,
                digests=[
                    {
                        "manufacturer": b.manufacturer,
                        "product": b.product,
                        "seal_hash": b.seal_hash,
                        "status": b.get_status_display(),
                        "invalid_reason": b.invalid_reason,
                    }
                    for b in lot_bids
                ],
            )
        )
    return results


RESULT_HEADERS = [
    gettext_lazy("批次编号"),
    gettext_lazy("品种编号"),
    gettext_lazy("通用名"),
    gettext_lazy("剂型组"),
    gettext_lazy("有效申报企业数"),
    gettext_lazy("中选顺位"),
    gettext_lazy("中选企业"),
    gettext_lazy("中选产品医保代码"),
    gettext_lazy("规格"),
    gettext_lazy("中选价（每最小制剂单位）"),
    gettext_lazy("单位可比价"),
]


def result_rows(tender: Tender) -> list[list]:
    """The results as rows for the xlsx export (one row per winner; a lot without winners gets one row)."""
    rows = []
    for result in tender_results(tender):
        lot = result.lot
        head = [tender.code, lot.number, lot.generic_name, lot.dosage_form_group, result.valid_bidders]
        if not result.winners:
            rows.append(head + ["", gettext("无中选企业"), "", "", None, None])
        for w in result.winners:
            rows.append(
                head
                + [
                    w["rank"],
                    w["manufacturer"].name,
                    w["product"].nhsa_code,
                    w["product"].specification,
                    Decimal(w["price"]),
                    Decimal(w["comparison_price"]),
                ]
            )
    return rows
