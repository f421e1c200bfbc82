"""Opening, evaluation, awards and agreed volumes of a province-size tender, next to a hand-written floor, same run.

Default: 500 lots × 40 bidders (20,000 sealed bids) and 1,000 hospitals each reporting demand on every lot
(500,000 demand reports, a tenth naming a product); the suite's scale S takes 500 × S lots (`--scale`, or `--lots`,
`--bidders`, `--hospitals` set the sizes here). "ours" runs the platform's services — `tender_open_bids` (decrypt, digest check,
差比价, validity), `tender_evaluate` (the rules with reasons, inputs and outputs stored) and `tender_award` with
everything its transaction does: awards, listings, one commitment per hospital and lot with its reason, the draft
purchase contract of every commitment (the contracts app's hook, `contracts_generate`), the first year's draft
payment standards derived from the awards (the payment-standards app's hook, `payment_standards_derive`), history
rows, events and the outbox row of the OCDS publication. The floor does the same computation by hand on a plain
psycopg connection: one SELECT of the bids, the same decryption and digests, COPY + UPDATE … FROM, winners only
(no reasons, nothing stored), awards by COPY, region volumes by one GROUP BY, a round-robin pick, and commitments
(with the same reasons), listings, draft contracts (same numbers, amounts, terms, empty content and digest) and draft
payment standards (selected and linked, by the same rules) by INSERT … SELECT, and the same history rows as ours
(awards, listings, contracts, payment standards: the writes of the same feature done by hand, each listing's,
contract's and standard's in the statement that inserts it) — no events or outbox (three rows). Both produce the
same result (checked: awards, listings, selected bids, commitments with their total volume and amount, and product,
agreed volume, amount and reason for every hospital and lot; contracts with their total amount and every contract's
columns per hospital and lot; payment standards with their total and every product's standard, source, basis and
prices; the history rows, how many per table, kind, reason and user), on the same data, reset in between; a floor
with another outcome marks the line DIFFERENT.

The paths take turns, ours then the floor, three times by default (`--repeat`; the suite: `suite_turns`), and each
side's fastest turn is reported: on a shared machine a turn slowed by the others' work then costs that turn, not the
ratio.

Timed: each service call, including what it runs after its commit in the calling process — the outbox's hand-over
of its message to the broker (`common.outbox.publish`). Not timed: the follow-up task itself (the OCDS
publication, `ocds.publish_tender`), which production runs on a worker. Celery's eager mode (the default without
REDIS_URL) would run it in-process right after the commit; the benchmark turns eager mode off, so the message goes
to the in-memory broker, which no worker reads, and the reset deletes the outbox rows. In a database of its own
(it removes what it creates):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yaoxie_bench .venv/bin/python -m bench.tender_awards
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from bench.common import (
    bench_database_name,
    digest,
    peak_rss_mb,
    pg_connect,
    print_table,
    purge_where,
    setup_django,
    timer,
)

GOAL = 1.5
PREFIX = "BENCHTA"
OCDS_TASK = "ocds.publish_tender"


# --- data ---------------------------------------------------------------------------------------------------


def build(lots: int, bidders: int, hospitals: int, seed: int = 11):
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organization, Region, Role, User
    from accounts.uscc import make_uscc
    from catalog.models import Product
    from procurement import sealing
    from procurement.models import Bid, Lot, Tender
    from procurement.services import tenders as svc

    rng = random.Random(seed)
    ids = random.Random(
        f"{PREFIX}-uscc"
    )  # credit codes of their own: the other benchmarks' worlds draw from seed 11 too
    leagues = list(Region.objects.filter(level="league_city").order_by("code"))
    counties = list(Region.objects.filter(level="banner_county").order_by("code"))
    with transaction.atomic():
        agency = Organization.objects.create(
            kind="agency", name=f"{PREFIX}医保局", uscc=make_uscc(ids, division_code=leagues[0].code), region=leagues[0]
        )
        official = User.objects.create(username=f"{PREFIX.lower()}_official", organization=agency)
        official.roles.set([Role.objects.get(code="pricing_official")])
        makers = Organization.objects.bulk_create(
            [
                Organization(
                    kind="manufacturer",
                    name=f"{PREFIX}制药{i:02d}有限公司",
                    uscc=make_uscc(ids, division_code=leagues[0].code),
                    region=leagues[0],
                )
                for i in range(bidders)
            ]
        )
        places = leagues + counties
        hosp = Organization.objects.bulk_create(
            [
                Organization(
                    kind="hospital",
                    name=f"{PREFIX}医院{i:04d}",
                    uscc=make_uscc(ids, division_code=places[i % len(places)].code),
                    region=places[i % len(places)],
                    hospital_level="2",
                    hospital_type="general",
                    ownership="public",
                )
                for i in range(hospitals)
            ],
            batch_size=1000,
        )
        products = Product.objects.bulk_create(
            [
                Product(
                    category="chemical",
                    nhsa_code=f"{PREFIX}{lot:04d}{m:03d}",
                    generic_name=f"{PREFIX}品种{lot:04d}片",
                    dosage_form="片剂",
                    specification="10mg",
                    pack_size=24,
                    min_unit="片",
                    pack_unit="盒",
                    manufacturer=makers[m],
                )
                for lot in range(lots)
                for m in range(bidders)
            ],
            batch_size=2000,
        )
        now = timezone.now()
        tender = svc.tender_create(
            by=official,
            code=f"{PREFIX}-{now:%H%M%S}",
            name="基准批次",
            demand_start=now - timedelta(days=20),
            demand_end=now - timedelta(days=10),
            bid_deadline=now + timedelta(hours=1),
            opening_at=now + timedelta(hours=2),
            cycle_start=date(2030, 1, 1),
            cycle_end=date(2031, 12, 31),
        )
        lot_rows = Lot.objects.bulk_create(
            [
                Lot(
                    tender=tender,
                    number=f"{i:04d}",
                    generic_name=f"{PREFIX}品种{i:04d}片",
                    dosage_form_group="片剂",
                    dosage_forms=["片剂"],
                    reference_specification="10mg",
                    reference_strength=Decimal(10),
                    strength_unit="mg",
                    max_price=Decimal(rng.randint(500, 50000)) / Decimal(10000),
                )
                for i in range(lots)
            ]
        )
        Tender.objects.filter(pk=tender.pk).update(status="bidding")
        tender.refresh_from_db()
        bids = []
        start = now - timedelta(days=5)
        for i, lot in enumerate(lot_rows):
            for m in range(bidders):
                product = products[i * bidders + m]
                price = (lot.max_price * Decimal(rng.randint(150, 1050)) / Decimal(1000)).quantize(Decimal("0.0001"))
                submitted = start + timedelta(seconds=rng.randint(0, 10**6))
                capacity = 10**12  # capacity never binds, so the floor's plain round-robin is the same rule
                token, nonce = sealing.seal_price(tender, price)
                digest = sealing.bid_digest(
                    tender_code=tender.code,
                    lot_number=lot.number,
                    manufacturer_uscc=makers[m].uscc,
                    product_code=product.nhsa_code,
                    price=price,
                    supply_capacity=capacity,
                    submitted_at_iso=submitted.isoformat(),
                    nonce=nonce,
                )
                bids.append(
                    Bid(
                        tender=tender,
                        lot=lot,
                        manufacturer=makers[m],
                        product=product,
                        sealed_price=token,
                        seal_hash=digest,
                        supply_capacity=capacity,
                        submitted_at=submitted,
                        submitted_by=official,
                    )
                )
        Bid.objects.bulk_create(bids, batch_size=2000)
        buffer = io.StringIO()
        for h in hosp:
            for i, lot in enumerate(lot_rows):
                named = products[i * bidders + rng.randrange(bidders)].pk if rng.random() < 0.1 else r"\N"
                buffer.write(
                    f"{tender.pk}\t{lot.pk}\t{h.pk}\t{rng.randint(0, 200000)}\t{named}\t{official.pk}\t{now.isoformat()}\n"
                )
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY procurement_demandreport (tender_id, lot_id, hospital_id, annual_volume, named_product_id, reported_by_id,"
                " reported_at) FROM STDIN"
            ) as copy,
        ):
            copy.write(buffer.getvalue())
    return tender, official


def make_due(tender) -> None:
    from django.utils import timezone

    from procurement.models import Tender

    now = timezone.now()
    Tender.objects.filter(pk=tender.pk).update(
        bid_deadline=now - timedelta(seconds=2), opening_at=now - timedelta(seconds=1)
    )
    tender.refresh_from_db()


def reset(tender) -> None:
    """Back to the moment before opening: no awards, commitments, listings, evaluations; bids sealed again."""
    from django.db import connection

    t = tender.pk
    awards = "SELECT id FROM procurement_award WHERE tender_id = %(t)s"
    with connection.cursor() as c:
        # The draft contracts' history (no foreign key; found by the contract's id, the history's index).
        c.execute(
            "DELETE FROM contracts_historicalpurchasecontract WHERE id IN (SELECT id FROM contracts_purchasecontract"
            " WHERE commitment_id IN (SELECT id FROM procurement_commitment WHERE tender_id = %s))",
            [t],
        )
        # With whatever the platform attached to them (contracts, progress rows, notifications, payment standards).
        purge_where(c, "procurement_commitment", "tender_id = %(t)s", {"t": t})
        c.execute(f"DELETE FROM procurement_historicallisting WHERE award_id IN ({awards})", {"t": t})
        purge_where(c, "procurement_listing", f"award_id IN ({awards})", {"t": t})
        c.execute(
            "DELETE FROM payment_standards_historicalpaymentstandard WHERE lot_id IN"
            " (SELECT id FROM procurement_lot WHERE tender_id = %(t)s)",
            {"t": t},
        )
        c.execute("DELETE FROM procurement_historicalaward WHERE tender_id = %s", [t])
        purge_where(c, "procurement_award", "tender_id = %(t)s", {"t": t})
        purge_where(c, "procurement_tenderevaluation", "tender_id = %(t)s", {"t": t})
        c.execute(
            "UPDATE procurement_bid SET status = 'submitted', price = NULL, comparison_price = NULL, invalid_reason = ''"
            " WHERE tender_id = %s",
            [t],
        )
        c.execute(
            "UPDATE procurement_tender SET status = 'bidding', opened_at = NULL, awarded_at = NULL WHERE id = %s", [t]
        )
        # The outbox's messages for the tender (its OCDS publication, handed to the broker, never run: see run_ours)
        # and any release an earlier, eager run published.
        c.execute(
            "DELETE FROM common_outboxmessage WHERE task = %s AND kwargs @> %s::jsonb",
            [OCDS_TASK, f'{{"tender_id": {int(t)}}}'],
        )
        c.execute("DELETE FROM ocds_ocdsrelease WHERE tender_id = %s", [t])
    tender.refresh_from_db()
    # Each path starts from the same tables: the rows the last run wrote and reset deleted are vacuumed away (left to
    # autovacuum on a loaded machine, hundreds of thousands of dead rows piled up and slowed whichever path came next).
    with connection.cursor() as c:
        c.execute(
            "VACUUM (ANALYZE) procurement_commitment, procurement_award, procurement_listing, procurement_bid,"
            " contracts_purchasecontract, contracts_historicalpurchasecontract, payment_standards_paymentstandard,"
            " common_outboxmessage"
        )


def cleanup(tender, official) -> None:
    from django.db import connection

    reset(tender)
    t = tender.pk
    with connection.cursor() as c:
        # (by the object's id, the index of these histories)
        c.execute(
            "DELETE FROM procurement_historicaldemandreport WHERE id IN"
            " (SELECT id FROM procurement_demandreport WHERE tender_id = %s)",
            [t],
        )
        c.execute(
            "DELETE FROM procurement_historicalbid WHERE id IN (SELECT id FROM procurement_bid WHERE tender_id = %s)",
            [t],
        )
        c.execute("DELETE FROM procurement_historicallot WHERE tender_id = %s", [t])
        c.execute("DELETE FROM procurement_historicaltender WHERE id = %s", [t])
        # Demand reports, bids, lots and whatever else refers to the tender (releases, notices, objections).
        purge_where(c, "procurement_tender", "id = %(t)s", {"t": t})
    remove_people(official)


def remove_people(official) -> None:
    """The benchmark's products, official and organisations, and whatever the platform attached to them."""
    from django.db import connection

    from bench.common import purge

    with connection.cursor() as c:
        c.execute("SELECT id FROM catalog_product WHERE nhsa_code LIKE %s", [f"{PREFIX}%"])
        purge(c, "catalog_product", [r[0] for r in c.fetchall()])
        purge(c, "accounts_user", [official.pk] if official is not None else [])
        c.execute("SELECT id FROM accounts_organization WHERE name LIKE %s", [f"{PREFIX}%"])
        purge(c, "accounts_organization", [r[0] for r in c.fetchall()])


def cleanup_leftovers() -> None:
    """Remove what an interrupted earlier run left behind (its tender, official, products and organisations)."""
    from accounts.models import User
    from procurement.models import Tender

    official = User.objects.filter(username=f"{PREFIX.lower()}_official").first()
    for tender in Tender.objects.filter(code__startswith=f"{PREFIX}-"):
        cleanup(tender, official)
    remove_people(official)


# --- ours ---------------------------------------------------------------------------------------------------


def run_ours(tender, official) -> dict:
    times = {}
    with _worker_follow_ups():
        _run_ours_steps(tender, official, times)
    return times


@contextmanager
def _worker_follow_ups():
    """The outbox's follow-up work (the OCDS publication each status change queues) goes to the broker for a worker,
    as in production, instead of running in this process after the commit (Celery's eager mode, the default
    without REDIS_URL). What stays timed is the platform's part: the outbox row written in the transaction and its
    hand-over after the commit (`common.outbox.publish`: row locked, marked sent, message sent). Without REDIS_URL
    the broker is Celery's in-memory transport, which no worker reads: the task never runs, and reset deletes the
    rows."""
    from django.conf import settings
    from django.test import override_settings

    if getattr(settings, "REDIS_URL", ""):
        print(
            "note: REDIS_URL is set; a worker on that broker publishes the tender while the floor runs", file=sys.stderr
        )
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        yield


def _run_ours_steps(tender, official, times: dict) -> None:
    from procurement.models import TenderEvaluation
    from procurement.services import tenders as svc

    with timer() as t:
        svc.tender_open_bids(tender=tender, by=official)
    times["open"] = t["seconds"]
    with timer() as t:
        svc.tender_evaluate(tender=tender, by=official)
    times["evaluate"] = t["seconds"]
    # The candidate results' public notice (transparency) is not what is timed: the run is dated back past it.
    TenderEvaluation.objects.filter(tender=tender).update(run_at=tender.opening_at - timedelta(days=30))
    with timer() as t:
        svc.tender_award(tender=tender, by=official)
    times["award"] = t["seconds"]


# --- floor --------------------------------------------------------------------------------------------------


SPEC = "lower(regexp_replace(COALESCE({p}.specification, ''), '\\s', '', 'g'))"
FLOOR_STANDARDS = f"""
WITH w AS (
    SELECT a.id AS award_id, a.lot_id, a.product_id, a.awarded_price AS price, {SPEC.format(p="p")} AS spec
    FROM procurement_award a JOIN catalog_product p ON p.id = a.product_id WHERE a.tender_id = %(t)s
),
g AS (SELECT lot_id, spec, MIN(price) AS low, MAX(price) AS high FROM w GROUP BY lot_id, spec),
picked AS (
    SELECT DISTINCT ON (w.product_id) w.product_id, w.lot_id, w.award_id, 'award' AS source,
           %(selected_basis)s AS basis,
           CASE %(mode)s WHEN 'lowest' THEN g.low WHEN 'highest' THEN g.high ELSE w.price END AS standard,
           NULL::numeric AS original
    FROM w JOIN g USING (lot_id, spec) ORDER BY w.product_id, w.lot_id, w.award_id
),
others AS (
    SELECT DISTINCT ON (p.id) p.id AS product_id, g.lot_id, p.consistency_evaluated AS evaluated,
           CASE %(mode)s WHEN 'lowest' THEN g.low ELSE g.high END AS selected
    FROM g JOIN procurement_lot l ON l.id = g.lot_id
    JOIN catalog_product p ON p.generic_name = l.generic_name AND {SPEC.format(p="p")} = g.spec
         AND (jsonb_array_length(l.dosage_forms) = 0 OR l.dosage_forms ? p.dosage_form)
    LEFT JOIN w ON w.product_id = p.id
    WHERE p.is_active AND w.product_id IS NULL ORDER BY p.id, l.id
),
priced AS (
    SELECT o.*, COALESCE(ps.standard, lp.low) AS original FROM others o
    LEFT JOIN LATERAL (SELECT s.standard FROM payment_standards_paymentstandard s WHERE s.product_id = o.product_id
                       AND s.status = 'published' AND s.year < %(base_year)s ORDER BY s.year DESC LIMIT 1) ps ON true
    LEFT JOIN LATERAL (SELECT MIN(li.unit_price) AS low FROM procurement_listing li
                       WHERE li.product_id = o.product_id AND li.status = 'active') lp ON true
),
linked AS (
    SELECT product_id, lot_id, NULL::bigint AS award_id, 'linkage' AS source,
           CASE WHEN NOT evaluated THEN %(not_evaluated)s WHEN original < selected THEN %(below)s
                WHEN original > selected * %(ratio)s THEN %(above)s ELSE %(within)s END AS basis,
           CASE WHEN NOT evaluated THEN LEAST(original, selected) WHEN original < selected THEN original
                WHEN original > selected * %(ratio)s THEN
                  round((GREATEST(round(original * %(rate)s, 4), selected) * (%(steps)s - 0) + selected * 0)
                        / %(steps)s, 4)
                ELSE selected END AS standard,
           selected, original
    FROM priced WHERE original IS NOT NULL
),
rows AS (
    SELECT product_id, lot_id, award_id, source, basis, standard, standard AS selected, original FROM picked
    UNION ALL SELECT * FROM linked
),
written AS (
    INSERT INTO payment_standards_paymentstandard (product_id, year, standard, source, basis, status, award_id, lot_id,
        selected_price, original_standard, note, created_by_id, created_at)
    SELECT r.product_id, %(year)s, r.standard, r.source, r.basis, 'draft', r.award_id, r.lot_id, r.selected,
           r.original, %(note)s, NULL, now()
    FROM rows r
    WHERE NOT EXISTS (SELECT 1 FROM payment_standards_paymentstandard s WHERE s.product_id = r.product_id
                      AND s.year = %(year)s AND s.status = 'published' AND s.standard = r.standard)
    RETURNING {{columns}}
)
INSERT INTO payment_standards_historicalpaymentstandard ({{columns}}, history_date, history_change_reason, history_type,
    history_user_id)
SELECT {{columns}}, now(), %(note)s, '+', NULL FROM written
"""


def history_of(model) -> str:
    """The columns a history row copies from its object (names only: an input of the floor, as the tables' names)."""
    from common.history import history_columns

    return ", ".join(history_columns(model))


def standards_params(tender) -> dict:
    """The linkage rules of the tender's first year (inputs, read as ours reads them)."""
    from common import rules
    from payment_standards.models import Basis

    year = tender.cycle_start.year
    linkage = rules.payment_standard_linkage(year)
    if linkage.step_years <= 0:
        raise SystemExit("the floor's first-year formula assumes at least one transition step")
    return {
        "t": tender.pk,
        "year": year,
        "base_year": year,
        "mode": linkage.selected_price,
        "ratio": linkage.ratio_threshold,
        "rate": linkage.first_year_rate,
        "steps": linkage.step_years,
        "note": tender.code[:300],
        "selected_basis": Basis.SELECTED.value,
        "not_evaluated": Basis.NOT_EVALUATED.value,
        "below": Basis.BELOW_SELECTED.value,
        "above": Basis.ABOVE_DOUBLE.value,
        "within": Basis.WITHIN_DOUBLE.value,
    }


def run_floor(tender, official) -> dict:
    """The same computation by hand: plain SQL, COPY, the rules, and the same history rows (no events or outbox)."""
    from bench.tender_selection import floor_winners
    from contracts.content import terms_from_rules
    from contracts.models import PurchaseContract
    from payment_standards.models import PaymentStandard
    from procurement import evaluation, sealing
    from procurement.models import Award, Commitment, Listing
    from procurement.strength import comparison_unit_price, parse_strength, strength_factor

    terms = terms_from_rules()  # the rules' delivery and payment terms, read as ours reads them (inputs, not work)
    # The words of the commitments' reasons and the history tables' columns (inputs, read as ours reads them).
    words = {
        "won": evaluation.REASON_NAMED_WON,
        "lost": evaluation.REASON_NAMED_LOST,
        "unnamed": evaluation.REASON_UNNAMED,
        "zero": evaluation.REASON_ZERO,
        "reason_length": Commitment._meta.get_field("reason").max_length,
    }
    award_columns, listing_columns = history_of(Award), history_of(Listing)
    contract_columns, standard_columns = history_of(PurchaseContract), history_of(PaymentStandard)
    by = official.pk  # the official who awards: the awards' and listings' history names them, as ours' does
    times = {}
    conn = pg_connect()
    cur = conn.cursor()
    with timer() as t:
        unseal = sealing.tender_unsealer(tender)
        cur.execute(
            "SELECT b.id, b.lot_id, l.number, l.generic_name, l.max_price, l.reference_strength, l.price_ratio_per_doubling,"
            " m.uscc, p.nhsa_code, p.generic_name, p.specification, b.sealed_price, b.seal_hash, b.supply_capacity,"
            " b.submitted_at, b.manufacturer_id, b.product_id FROM procurement_bid b JOIN procurement_lot l ON l.id = b.lot_id"
            " JOIN accounts_organization m ON m.id = b.manufacturer_id JOIN catalog_product p ON p.id = b.product_id"
            " WHERE b.tender_id = %s AND b.status = 'submitted' FOR UPDATE OF b",
            [tender.pk],
        )
        rows = cur.fetchall()
        out = io.StringIO()
        opened = []
        factor_cache = {}
        for (
            pk,
            lot_id,
            number,
            lot_generic,
            max_price,
            ref,
            ratio,
            uscc,
            code,
            generic,
            spec,
            token,
            seal_hash,
            capacity,
            submitted,
            maker_id,
            product_id,
        ) in rows:
            price, nonce = unseal(token)
            digest = sealing.bid_digest(
                tender_code=tender.code,
                lot_number=number,
                manufacturer_uscc=uscc or "",
                product_code=code,
                price=price,
                supply_capacity=capacity,
                submitted_at_iso=submitted.isoformat(),
                nonce=nonce,
            )
            key = (spec, ref, ratio)
            if key not in factor_cache:
                factor_cache[key] = strength_factor(
                    product_strength=parse_strength(spec)[0], reference_strength=ref, ratio=ratio
                )
            cp = comparison_unit_price(price, factor_cache[key])
            bad = digest != seal_hash or generic != lot_generic or price > max_price
            out.write(f"{pk}\t{price}\t{cp}\t{'invalid' if bad else 'valid'}\n")
            opened.append((pk, lot_id, maker_id, product_id, cp, capacity, submitted, price, bad))
        cur.execute("CREATE TEMP TABLE fo (id bigint, price numeric, cp numeric, status text) ON COMMIT DROP")
        with cur.copy("COPY fo FROM STDIN") as copy:
            copy.write(out.getvalue())
        cur.execute(
            "UPDATE procurement_bid b SET price = fo.price, comparison_price = fo.cp, status = fo.status"
            " FROM fo WHERE b.id = fo.id"
        )
        cur.execute("UPDATE procurement_tender SET status = 'opened', opened_at = now() WHERE id = %s", [tender.pk])
        conn.commit()
    times["open"] = t["seconds"]

    class B:  # what floor_winners reads
        __slots__ = ("bid_id", "comparison_price", "supply_capacity", "submitted_at", "row")

    with timer() as t:
        cur.execute("SELECT id, max_price FROM procurement_lot WHERE tender_id = %s", [tender.pk])
        lots = [type("L", (), {"lot_id": i, "max_price": m}) for i, m in cur.fetchall()]
        by_lot = defaultdict(list)
        for row in opened:
            if row[8]:
                continue
            b = B()
            b.bid_id, b.comparison_price, b.supply_capacity, b.submitted_at, b.row = row[0], row[4], row[5], row[6], row
            by_lot[row[1]].append(b)
        winners = floor_winners(lots, by_lot)
        selected = [i for ids in winners.values() for i in ids]
        cur.execute(
            "UPDATE procurement_bid SET status = 'not_selected' WHERE tender_id = %s AND status = 'valid'", [tender.pk]
        )
        cur.execute("UPDATE procurement_bid SET status = 'selected' WHERE id = ANY(%s)", [selected])
        conn.commit()
    times["evaluate"] = t["seconds"]

    with timer() as t:
        row_by_id = {r[0]: r for r in opened}
        award_rows = io.StringIO()
        for lot_id, ids in winners.items():
            for rank, bid_id in enumerate(ids, start=1):
                r = row_by_id[bid_id]
                award_rows.write(f"{tender.pk}\t{lot_id}\t{bid_id}\t{r[2]}\t{r[3]}\t{rank}\t{r[7]}\t{r[4]}\n")
        with cur.copy(
            "COPY procurement_award (tender_id, lot_id, bid_id, manufacturer_id, product_id, rank, awarded_price,"
            " comparison_price) FROM STDIN"
        ) as copy:
            copy.write(award_rows.getvalue())
        cur.execute(
            f"INSERT INTO procurement_historicalaward ({award_columns}, history_date, history_change_reason,"
            f" history_type, history_user_id) SELECT {award_columns}, now(), '公布中选结果', '+', %s"
            " FROM procurement_award WHERE tender_id = %s",
            [by, tender.pk],
        )
        cur.execute(
            "SELECT id, lot_id, rank, product_id FROM procurement_award WHERE tender_id = %s ORDER BY lot_id, rank",
            [tender.pk],
        )
        awards = defaultdict(list)
        for award_id, lot_id, _rank, product_id in cur.fetchall():
            awards[lot_id].append((award_id, product_id))
        shares = {1: 5000, 2: 6000, 3: 7000}
        cur.execute("CREATE TEMP TABLE fs (lot_id bigint, num bigint, pct text) ON COMMIT DROP")
        with cur.copy("COPY fs FROM STDIN") as copy:
            for lot_id, a in awards.items():
                num = shares.get(len(a), 8000)
                copy.write(f"{lot_id}\t{num}\t{evaluation.share_percent_text(Decimal(num) / 10000)}\n")
        agreed = "((d.annual_volume * fs.num * 2 + 10000) / 20000)"
        region = "COALESCE(r.parent_id, r.id, 0)"
        joins = (
            "FROM procurement_demandreport d JOIN fs ON fs.lot_id = d.lot_id"
            " JOIN accounts_organization h ON h.id = d.hospital_id LEFT JOIN accounts_region r ON r.id = h.region_id"
            " LEFT JOIN procurement_award na ON na.lot_id = d.lot_id AND na.product_id = d.named_product_id"
        )
        cur.execute(
            f"SELECT d.lot_id, {region}, SUM({agreed}) {joins} WHERE d.tender_id = %s AND na.id IS NULL"
            f" GROUP BY d.lot_id, {region}",
            [tender.pk],
        )
        volumes = defaultdict(dict)
        for lot_id, region_id, volume in cur.fetchall():
            volumes[lot_id][region_id] = volume
        picks = io.StringIO()
        for lot_id, regions in volumes.items():
            order = sorted(regions, key=lambda k, v=regions: (-v[k], k))
            winners_here = awards[lot_id]
            for i, region_id in enumerate(order):
                rank, turn = i % len(winners_here) + 1, i // len(winners_here) + 1
                how = f"第 {turn} 轮由中选顺位第 {rank} 的企业选定本统筹区"
                picks.write(f"{lot_id}\t{region_id}\t{winners_here[rank - 1][0]}\t{how}\n")
        cur.execute("CREATE TEMP TABLE fp (lot_id bigint, region_id bigint, award_id bigint, how text) ON COMMIT DROP")
        with cur.copy("COPY fp FROM STDIN") as copy:
            copy.write(picks.getvalue())
        cur.execute(
            "INSERT INTO procurement_commitment (tender_id, lot_id, hospital_id, award_id, product_id, manufacturer_id,"
            " reported_volume, agreed_volume, agreed_amount, cycle_start, cycle_end, reason)"
            " SELECT d.tender_id, d.lot_id, d.hospital_id, COALESCE(na.id, pa.id), COALESCE(na.product_id, pa.product_id),"
            f" COALESCE(na.manufacturer_id, pa.manufacturer_id), d.annual_volume, {agreed},"
            f" ROUND({agreed} * COALESCE(na.awarded_price, pa.awarded_price), 2), %(start)s, %(end)s,"
            " left(CASE WHEN na.id IS NOT NULL THEN %(won)s WHEN d.named_product_id IS NOT NULL"
            " THEN %(lost)s || '（' || fp.how || '）' ELSE %(unnamed)s || '（' || fp.how || '）' END"
            f" || '；约定采购量 = 报量 ' || d.annual_volume || ' × ' || fs.pct || '，四舍五入取整 = ' || {agreed}"
            f" || CASE WHEN d.annual_volume = 0 THEN %(zero)s ELSE '' END, %(reason_length)s) {joins}"
            f" LEFT JOIN fp ON fp.lot_id = d.lot_id AND fp.region_id = {region}"
            " LEFT JOIN procurement_award pa ON pa.id = fp.award_id"
            " WHERE d.tender_id = %(t)s AND (na.id IS NOT NULL OR pa.id IS NOT NULL)",
            {"start": tender.cycle_start, "end": tender.cycle_end, "t": tender.pk, **words},
        )
        # Listings and contracts, each with its history row written from the rows the same statement inserted.
        cur.execute(
            "WITH written AS (INSERT INTO procurement_listing (product_id, manufacturer_id, unit_price, pack_price,"
            " valid_from, valid_to, source, award_id, status, status_reason, qualification_lapsed, approved_by_id,"
            " created_at, updated_at)"
            " SELECT a.product_id, a.manufacturer_id, a.awarded_price, ROUND(a.awarded_price * p.pack_size, 2),"
            " %(start)s, %(end)s, 'tender_award', a.id, 'active', '', false, %(by)s, now(), now()"
            " FROM procurement_award a JOIN catalog_product p ON p.id = a.product_id WHERE a.tender_id = %(t)s"
            f" RETURNING {listing_columns})"
            f" INSERT INTO procurement_historicallisting ({listing_columns}, history_date, history_change_reason,"
            f" history_type, history_user_id) SELECT {listing_columns}, now(), '中选产品挂网', '+', %(by)s FROM written",
            {"start": tender.cycle_start, "end": tender.cycle_end, "t": tender.pk, "by": by},
        )
        # One draft contract per commitment with an agreed volume (what contracts_generate writes).
        cur.execute(
            "WITH written AS (INSERT INTO contracts_purchasecontract (number, version, kind, commitment_id, hospital_id,"
            " manufacturer_id, product_id, period_start, period_end, quantity, unit_price, amount, response_hours,"
            " delivery_hours, payment_term_days, status, content, digest, created_at)"
            " SELECT 'HT-' || %(code)s || '-' || lpad(c.id::text, GREATEST(length(c.id::text), 6), '0'), 1,"
            " 'commitment', c.id, c.hospital_id, c.manufacturer_id, c.product_id, c.cycle_start, c.cycle_end,"
            " c.agreed_volume, a.awarded_price, c.agreed_amount, %(response_hours)s, %(delivery_hours)s,"
            " %(payment_term_days)s, 'draft', '{}'::jsonb, '', now()"
            " FROM procurement_commitment c JOIN procurement_award a ON a.id = c.award_id"
            f" WHERE c.tender_id = %(t)s AND c.agreed_volume > 0 RETURNING {contract_columns})"
            f" INSERT INTO contracts_historicalpurchasecontract ({contract_columns}, history_date, history_change_reason,"
            f" history_type, history_user_id) SELECT {contract_columns}, now(), '生成购销合同', '+', NULL FROM written",
            {"code": tender.code, "t": tender.pk, **terms},
        )
        # The first year's draft payment standards (what payment_standards_derive writes): each winning product at
        # its group's selected price, and the other active products of the groups linked to it from their original
        # standard (latest published of an earlier year, else lowest active listing price).
        cur.execute(FLOOR_STANDARDS.format(columns=standard_columns), standards_params(tender))
        cur.execute("UPDATE procurement_tender SET status = 'awarded', awarded_at = now() WHERE id = %s", [tender.pk])
        conn.commit()
    times["award"] = t["seconds"]
    conn.close()
    return times


def outcome(tender) -> dict:
    """What a path left: awards, listings, selected bids, commitments and their totals, and every commitment's
    product, agreed volume and amount (fingerprinted)."""
    from django.db import connection

    from contracts.models import PurchaseContract
    from payment_standards.models import PaymentStandard
    from procurement.models import Award, Bid, Commitment, Listing

    with connection.cursor() as c:  # tables just filled: without statistics the joins below are nested loops
        c.execute("ANALYZE procurement_commitment, contracts_purchasecontract, payment_standards_paymentstandard")

    contracts = {
        (lot, h): (number == f"HT-{tender.code}-{c:06d}", *rest)
        for lot, h, c, number, *rest in PurchaseContract.objects.filter(commitment__tender=tender)
        .values_list(
            "commitment__lot_id",
            "commitment__hospital_id",
            "commitment_id",
            "number",
            "version",
            "kind",
            "status",
            "hospital_id",
            "manufacturer_id",
            "product_id",
            "period_start",
            "period_end",
            "quantity",
            "unit_price",
            "amount",
            "response_hours",
            "delivery_hours",
            "payment_term_days",
            "content",
            "digest",
        )
        .iterator(chunk_size=20000)
    }
    standards = {
        product: rest
        for product, *rest in PaymentStandard.objects.filter(
            note=tender.code[:300], year=tender.cycle_start.year
        ).values_list(
            "product_id",
            "standard",
            "source",
            "basis",
            "status",
            "award__lot_id",
            "award__rank",
            "lot_id",
            "selected_price",
            "original_standard",
            "created_by_id",
        )
    }
    commitments = {
        (lot, h): (p, v, a, reason)
        for lot, h, p, v, a, reason in Commitment.objects.filter(tender=tender)
        .values_list("lot_id", "hospital_id", "product_id", "agreed_volume", "agreed_amount", "reason")
        .iterator(chunk_size=20000)
    }
    return {
        "awards": Award.objects.filter(tender=tender).count(),
        "listings": Listing.objects.filter(award__tender=tender).count(),
        "selected bids": Bid.objects.filter(tender=tender, status="selected").count(),
        "commitments": len(commitments),
        "agreed volume": sum(c[1] for c in commitments.values()),
        "agreed amount": sum((c[2] for c in commitments.values()), Decimal("0")),
        "per commitment": digest(commitments),
        "contracts": len(contracts),
        "contract amount": sum((c[11] for c in contracts.values()), Decimal("0")),
        "per contract": digest(contracts),
        "payment standards": len(standards),
        "standards total": sum((s[0] for s in standards.values()), Decimal("0")),
        "per product": digest(standards),
        **history_rows(tender),
    }


def history_rows(tender) -> dict:
    """The history rows of the awards, listings, contracts and payment standards a path wrote: how many, and how
    many of each table, kind, reason and user (fingerprinted)."""
    from django.db import connection

    objects = {
        "procurement_historicalaward": "SELECT id FROM procurement_award WHERE tender_id = %(t)s",
        "procurement_historicallisting": "SELECT l.id FROM procurement_listing l JOIN procurement_award a"
        " ON a.id = l.award_id WHERE a.tender_id = %(t)s",
        "contracts_historicalpurchasecontract": "SELECT k.id FROM contracts_purchasecontract k"
        " JOIN procurement_commitment c ON c.id = k.commitment_id WHERE c.tender_id = %(t)s",
        "payment_standards_historicalpaymentstandard": "SELECT id FROM payment_standards_paymentstandard"
        " WHERE note = %(note)s AND year = %(year)s",
    }
    out = {}
    with connection.cursor() as c:
        for table, ids in objects.items():
            c.execute(
                f"SELECT history_type, history_change_reason, history_user_id, count(*) FROM {table}"
                f" WHERE id IN ({ids}) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                {"t": tender.pk, "note": tender.code[:300], "year": tender.cycle_start.year},
            )
            out[table.split("_historical")[1]] = [tuple(r) for r in c.fetchall()]
    return {"history rows": sum(r[-1] for rows in out.values() for r in rows), "per history kind": digest(out)}


def run_both(tender, official) -> tuple[dict, dict, dict, dict]:
    """Ours, then the floor, each from the moment before opening: (ours' times, outcome, floor's times, outcome)."""
    reset(tender)
    make_due(tender)
    ours = run_ours(tender, official)
    ours_result = outcome(tender)
    reset(tender)
    make_due(tender)
    floor = run_floor(tender, official)
    return ours, ours_result, floor, outcome(tender)


def run_turns(tender, official, turns: int) -> tuple[dict, dict, dict, dict]:
    """`turns` runs of both paths, taking turns (ours, floor, ours, floor, …): each side's fastest run in total (on a
    shared machine, the one least slowed by the others' work: a slow minute then costs a turn, not the ratio) and the
    outcomes. Every turn's outcomes are compared: the first turn where the floor's differs from ours is returned."""
    best_ours, best_floor, results = None, None, None
    for _ in range(max(1, turns)):
        ours, ours_result, floor, floor_result = run_both(tender, official)
        if best_ours is None or sum(ours.values()) < sum(best_ours.values()):
            best_ours = ours
        if best_floor is None or sum(floor.values()) < sum(best_floor.values()):
            best_floor = floor
        if results is None or (ours_result != floor_result and results[0] == results[1]):
            results = (ours_result, floor_result)
    return best_ours, results[0], best_floor, results[1]


def suite_turns(scale: float) -> int:
    """Turns of the suite's run: 3 up to scale 0.25 (a turn takes under a minute there), else 1 (the suite's
    `--passes` take turns instead)."""
    return 3 if scale <= 0.25 else 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lots", type=int, default=500)
    parser.add_argument("--scale", type=float, help="the suite's scale: 500 × S lots (overrides --lots)")
    parser.add_argument("--bidders", type=int, default=40)
    parser.add_argument("--hospitals", type=int, default=1000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each path, taking turns; each side's fastest is reported"
    )
    args = parser.parse_args(argv)
    if args.scale is not None:
        args.lots = max(10, round(500 * args.scale))
    bench_database_name()
    setup_django()
    from django.db import connection

    with timer() as t:
        cleanup_leftovers()
        tender, official = build(args.lots, args.bidders, args.hospitals)
    print(
        f"data: {args.lots} lots × {args.bidders} bids, {args.hospitals} hospitals × {args.lots} demand reports "
        f"built in {t['seconds']:.1f} s"
    )
    try:
        with connection.cursor() as c:
            c.execute("ANALYZE")
        best_ours, ours_result, best_floor, floor_result = run_turns(tender, official, args.repeat)
        if ours_result != floor_result:
            raise SystemExit(f"the floor's outcome differs: ours {ours_result}, floor {floor_result}")
        rows = []
        for step, label in (
            ("open", "opening (decrypt, digests, 差比价, validity)"),
            ("evaluate", "evaluation (rules)"),
            ("award", "awards, listings, commitments"),
        ):
            rows.append(
                [
                    label,
                    round(best_ours[step], 2),
                    round(best_floor[step], 2),
                    round(best_ours[step] / best_floor[step], 2),
                    "",
                ]
            )
        total_ours, total_floor = sum(best_ours.values()), sum(best_floor.values())
        rows.append(
            ["total", round(total_ours, 2), round(total_floor, 2), round(total_ours / total_floor, 2), f"≤ {GOAL}×"]
        )
        print_table(
            ["step", "ours s", "floor s", "ratio", "goal"],
            rows,
            title=f"Tender opening → awards — {args.lots * args.bidders:,} bids, {ours_result['commitments']:,} commitments, "
            f"{ours_result['contracts']:,} contracts, {ours_result['payment standards']:,} payment standards "
            f"(identical to the floor's), peak RSS {peak_rss_mb()} MiB",
        )
    finally:
        cleanup(tender, official)


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    """The suite's lines (bench.suite): 500 lots × 40 bidders and 1,000 hospitals at scale 1 (lots scale); each side's
    fastest of `suite_turns(scale)` turns."""
    from django.db import connection

    from bench.common import suite_row

    setup_django()
    cleanup_leftovers()
    tender, official = build(max(10, round(500 * scale)), 40, 1000)
    try:
        with connection.cursor() as c:
            c.execute("ANALYZE")
        ours, ours_result, floor, floor_result = run_turns(tender, official, suite_turns(scale))
    finally:
        cleanup(tender, official)
    work = (ours_result, floor_result)  # the steps are parts of one run: their outcome is the run's
    label = f"tender opening → awards, {ours_result['commitments']:,} commitments"
    rows = [suite_row(f"  {step}", ours[step], floor[step], work=work) for step in ("open", "evaluate", "award")]
    return [suite_row(label, sum(ours.values()), sum(floor.values()), goal=GOAL, work=work), *rows]


if __name__ == "__main__":
    main()
