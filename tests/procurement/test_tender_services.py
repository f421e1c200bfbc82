"""Tender lifecycle through the services: demand, sealed bids, deadline, opening, evaluation, awards."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from common.errors import ConflictError, PermissionDeniedError, ValidationFailed
from procurement.errors import TenderError
from procurement.models import Award, Bid, Commitment, DemandReport, Listing, Tender, TenderEvaluation
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding


@pytest.mark.django_db
def test_full_path_sealed_until_opening_then_selected_and_awarded(world):
    to_bidding(world)
    lot, reps, products = world["lot"], world["reps"], world["products"]
    bids = [
        svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=500000, by=reps[0]),
        svc.bid_submit(lot=lot, product=products[1], price="0.8000", supply_capacity=500000, by=reps[1]),
        svc.bid_submit(lot=lot, product=world["half"], price="0.3000", supply_capacity=500000, by=reps[2]),
    ]
    # Sealed: the price is nowhere in the clear before opening.
    for bid in Bid.objects.all():
        assert bid.price is None and bid.comparison_price is None
        assert "0.5000" not in bid.sealed_price and len(bid.seal_hash) == 64
    assert not Bid.history.filter(price__isnull=False).exists()
    with pytest.raises(ConflictError) as exc:
        svc.tender_open_bids(tender=world["tender"], by=world["official"])
    assert exc.value.code == TenderError.OPENING_NOT_DUE
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_refresh(tender=world["tender"])
    world["tender"].refresh_from_db()
    assert world["tender"].status == "opened"
    opened = {b.pk: b for b in Bid.objects.all()}
    assert opened[bids[0].pk].price == Decimal("0.5000") and opened[bids[0].pk].comparison_price == Decimal("0.5000")
    # 10 mg at 0.30 compares as 20 mg at 0.30 × 1.7 = 0.51 (差比价)
    assert opened[bids[2].pk].comparison_price == Decimal("0.5100")
    run = svc.tender_evaluate(tender=world["tender"], by=world["official"])
    assert svc.tender_evaluate(tender=world["tender"], by=world["official"]).pk == run.pk  # second run: no-op
    statuses = dict(Bid.objects.values_list("pk", "status"))
    # 0.80 ≤ 1.8 × 0.50 is eligible but it is the highest eligible price: not selected.
    assert statuses == {bids[0].pk: "selected", bids[2].pk: "selected", bids[1].pk: "not_selected"}
    awards = svc.tender_award(tender=world["tender"], by=world["official"])
    assert [a.rank for a in awards] == [1, 2] and awards[0].product == products[0]
    assert Listing.objects.filter(source="tender_award").count() == 2
    commitments = {c.hospital.name: c for c in Commitment.objects.select_related("hospital", "product")}
    assert len(commitments) == 4
    # Two winners: 60% of the reported volume; hospital 0 named a losing product → its region's primary winner.
    first = commitments["集采测试0医院"]
    assert first.agreed_volume == 6000 and first.product in (products[0], world["half"])
    assert "主供" in first.reason
    assert first.agreed_amount == (Decimal(6000) * first.award.awarded_price).quantize(Decimal("0.01"))
    world["tender"].refresh_from_db()
    assert world["tender"].status == "awarded"


@pytest.mark.django_db
def test_bad_bids_are_rejected_and_nothing_is_written(world):
    to_bidding(world)
    lot, reps, products = world["lot"], world["reps"], world["products"]
    cases = [
        (dict(product=products[1], price="0.5"), TenderError.NOT_OWN_PRODUCT, "product"),
        (dict(product=world["other_generic"], price="0.5"), TenderError.PRODUCT_NOT_IN_LOT, "product"),
        (dict(product=products[0], price="0"), TenderError.PRICE_NOT_POSITIVE, "price"),
        (dict(product=products[0], price="-1"), TenderError.PRICE_NOT_POSITIVE, "price"),
        (dict(product=products[0], price="1.2001"), TenderError.PRICE_ABOVE_MAX, "price"),
        (dict(product=products[0], price="0.12345"), "too_many_decimals", "price"),
        (dict(product=products[0], price="abc"), "invalid_number", "price"),
        (dict(product=products[0], price=0.5), "invalid_number", "price"),
        (
            dict(product=products[0], price="0.5", supply_capacity=0),
            TenderError.CAPACITY_NOT_POSITIVE,
            "supply_capacity",
        ),
    ]
    for kwargs, code, field in cases:
        kwargs = {"supply_capacity": 1000, **kwargs}
        with pytest.raises(ValidationFailed) as exc:
            svc.bid_submit(lot=lot, by=reps[0], **kwargs)
        assert (exc.value.code, exc.value.field) == (code, field), kwargs
    assert Bid.objects.count() == 0
    svc.bid_submit(lot=lot, product=products[0], price="0.9999", supply_capacity=1000, by=reps[0])
    with pytest.raises(ConflictError, match="已有有效申报") as exc:
        svc.bid_submit(lot=lot, product=products[0], price="0.5", supply_capacity=1000, by=reps[0])
    assert exc.value.code == TenderError.LIVE_BID_EXISTS == "live_bid_exists"
    assert "0.9999" not in exc.value.message  # an error never echoes a sealed price
    assert Bid.objects.count() == 1
    with pytest.raises(PermissionDeniedError) as exc:
        svc.bid_submit(lot=lot, product=products[0], price="0.5", supply_capacity=1000, by=world["buyers"][0])
    assert exc.value.code == TenderError.NOT_MANUFACTURER
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        svc.bid_submit(lot=lot, product=products[0], price="0", supply_capacity=1000, by=reps[1])
        assert exc.value.code == TenderError.PRICE_NOT_POSITIVE
        assert str(exc.value.message) == "The bid price must be greater than zero"


@pytest.mark.django_db
def test_deadline_is_exact_to_the_second(world):
    to_bidding(world)
    lot, rep, product = world["lot"], world["reps"][0], world["products"][0]
    bid = svc.bid_submit(lot=lot, product=product, price="0.5", supply_capacity=1000, by=rep)
    replaced = svc.bid_replace(bid=bid, price="0.4", supply_capacity=1000, by=rep)
    assert Bid.objects.get(pk=bid.pk).status == "replaced" and replaced.replaces_id == bid.pk
    shift(world["tender"], bid_deadline=timedelta(seconds=-1))
    for action in (
        lambda: svc.bid_submit(
            lot=lot, product=world["products"][1], price="0.5", supply_capacity=1, by=world["reps"][1]
        ),
        lambda: svc.bid_replace(bid=replaced, price="0.3", supply_capacity=1000, by=rep),
        lambda: svc.bid_withdraw(bid=replaced, by=rep),
    ):
        with pytest.raises(ConflictError) as exc:
            action()
        assert exc.value.code == TenderError.DEADLINE_PASSED == "deadline_passed"
    assert Bid.objects.get(pk=replaced.pk).status == "submitted" and Bid.objects.count() == 2


@pytest.mark.django_db
def test_rules_locked_once_bidding_started_and_demand_window(world):
    svc.tender_set_rules(tender=world["tender"], rules={"ratio_to_lowest": "1.5"}, by=world["official"])
    with pytest.raises(ConflictError) as exc:
        svc.demand_report(lot=world["lot"], by=world["buyers"][0], annual_volume=10)
    assert exc.value.code == TenderError.OUTSIDE_WINDOW == "outside_window"
    assert not DemandReport.objects.exists()
    to_bidding(world)
    before = list(DemandReport.objects.values_list("pk", "annual_volume"))
    with pytest.raises(ConflictError) as exc:
        svc.tender_set_rules(tender=world["tender"], rules={"ratio_to_lowest": "2.0"}, by=world["official"])
    assert exc.value.code == TenderError.RULES_LOCKED == "rules_locked"
    world["tender"].refresh_from_db()
    assert world["tender"].rules["ratio_to_lowest"] == "1.5"
    with pytest.raises(ConflictError) as exc:
        svc.demand_report(lot=world["lot"], by=world["buyers"][0], annual_volume=10)
    assert exc.value.code == TenderError.OUTSIDE_WINDOW == "outside_window"
    assert list(DemandReport.objects.values_list("pk", "annual_volume")) == before


@pytest.mark.django_db
def test_negative_demand_and_rerun_with_reason(world):
    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    with pytest.raises(ValidationFailed) as exc:
        svc.demand_report(lot=world["lot"], by=world["buyers"][0], annual_volume=-5)
    assert exc.value.code == TenderError.VOLUME_NEGATIVE
    with pytest.raises(ValidationFailed) as exc:
        svc.demand_report(lot=world["lot"], by=world["buyers"][0], annual_volume="12.5")
    assert exc.value.code == "invalid_number"
    assert not DemandReport.objects.exists()
    to_bidding(world)
    svc.bid_submit(
        lot=world["lot"], product=world["products"][0], price="0.5", supply_capacity=1000, by=world["reps"][0]
    )
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=world["tender"], by=world["official"])
    first = svc.tender_evaluate(tender=world["tender"], by=world["official"])
    second = svc.tender_evaluate(tender=world["tender"], by=world["official"], rerun_reason="复核报价")
    assert second.run_no == 2 and second.reason == "复核报价"
    assert list(TenderEvaluation.objects.filter(is_current=True)) == [second]
    assert first.pk != second.pk
    assert Award.objects.count() == 0


@pytest.mark.django_db
def test_cancel_needs_a_reason_and_is_refused_after_award(world):
    with pytest.raises(ValidationFailed) as exc:
        svc.tender_cancel(tender=world["tender"], reason=" ", by=world["official"])
    assert exc.value.code == "required"
    svc.tender_cancel(tender=world["tender"], reason="国家集采已覆盖该品种", by=world["official"])
    world["tender"].refresh_from_db()
    assert world["tender"].status == "cancelled" and world["tender"].cancel_reason


@pytest.mark.django_db
def test_periodic_refresh_and_reading_make_the_due_steps(world):
    from procurement.selectors.tenders import tenders_visible_to
    from procurement.tasks import refresh_tenders

    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    assert refresh_tenders.apply().get() == 0  # nothing due yet
    shift(world["tender"], demand_start=timedelta(hours=-2), demand_end=timedelta(seconds=-10))
    assert refresh_tenders.apply().get() == 1
    assert refresh_tenders.apply().get() == 0  # idempotent
    assert Tender.objects.get(pk=world["tender"].pk).status == "bidding"
    svc.bid_submit(lot=world["lot"], product=world["products"][0], price="0.5", supply_capacity=10, by=world["reps"][0])
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    # Reading the tenders opens the bids whose opening time has come, without waiting for the job.
    assert tenders_visible_to(world["buyers"][0]).get(pk=world["tender"].pk).status == "opened"
    assert Bid.objects.get().price == Decimal("0.5000")


@pytest.mark.django_db
def test_admin_never_shows_a_sealed_price(world, platform_admin):
    from django.test import Client

    to_bidding(world)
    bid = svc.bid_submit(
        lot=world["lot"], product=world["products"][0], price="0.4567", supply_capacity=10, by=world["reps"][0]
    )
    platform_admin.is_superuser = True  # the admin of the platform (see seed_demo) is a superuser
    platform_admin.save()
    client = Client()
    client.force_login(platform_admin)
    pages = {
        "/admin/procurement/bid/": True,
        f"/admin/procurement/bid/{bid.pk}/change/": True,
        f"/admin/procurement/tender/{world['tender'].pk}/change/": False,
        f"/admin/procurement/bid/{bid.pk}/history/": False,
    }
    for url, shows_seal in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "0.4567" not in html, url
        if shows_seal:
            assert "（密封）" in html, url


@pytest.mark.django_db
def test_commitments_written_by_the_database_match_the_pure_allocation(world):
    """The set-based award writes exactly what procurement.evaluation.allocate decides — product, volume, amount and
    reason — including a named brand that loses (supplied by its region's primary winner), a named winner, a zero
    report and half-up rounding."""
    from procurement import evaluation

    tender, lot, official = world["tender"], world["lot"], world["official"]
    products, half = world["products"], world["half"]
    svc.tender_start_demand_collection(tender=tender, by=official)
    volumes = [(10001, products[2]), (7, half), (0, None), (33335, None)]
    for buyer, (volume, named) in zip(world["buyers"], volumes, strict=True):
        svc.demand_report(lot=lot, by=buyer, annual_volume=volume, named_product=named)
    shift(tender, demand_end=timedelta(seconds=-10), demand_start=timedelta(hours=-2))
    svc.tender_refresh(tender=tender)
    reps = world["reps"]
    svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=10, by=reps[0])
    svc.bid_submit(lot=lot, product=products[1], price="0.6000", supply_capacity=500000, by=reps[1])
    svc.bid_submit(lot=lot, product=half, price="0.3000", supply_capacity=500000, by=reps[2])
    shift(tender, bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=tender, by=official)
    run = svc.tender_evaluate(tender=tender, by=official)
    svc.tender_award(tender=tender, by=official)

    rules = evaluation.SelectionRules.from_dict(run.rules)
    winners = [
        evaluation.Winner(b.manufacturer_id, b.product_id, b.price, b.supply_capacity)
        for b in (Bid.objects.get(pk=i) for i in run.outputs[str(lot.pk)]["winner_ids"])
    ]
    assert [w.product_id for w in winners] == [products[0].pk, half.pk]
    demands = [
        evaluation.Demand(h.pk, h.region.pooling_region.pk, v, n.pk if n else None)
        for h, (v, n) in zip(world["hospitals"], volumes, strict=True)
    ]
    expected = {a.hospital_id: a for a in evaluation.allocate(lot.pk, winners, demands, rules)}
    written = {c.hospital_id: c for c in Commitment.objects.filter(tender=tender)}
    assert written.keys() == expected.keys()
    price = {w.product_id: w.awarded_price for w in winners}
    for hospital_id, allocation in expected.items():
        commitment = written[hospital_id]
        assert (commitment.product_id, commitment.manufacturer_id, commitment.agreed_volume, commitment.reason) == (
            allocation.product_id,
            allocation.manufacturer_id,
            allocation.agreed_volume,
            allocation.reason[:200],
        )
        assert commitment.agreed_amount == (allocation.agreed_volume * price[allocation.product_id]).quantize(
            Decimal("0.01"), rounding="ROUND_HALF_UP"
        )
        assert commitment.reported_volume == allocation.reported_volume
    by_name = {c.hospital.name: c for c in Commitment.objects.select_related("hospital")}
    assert by_name["集采测试0医院"].agreed_volume == 6001  # 10001 × 60% = 6000.6 → 6001
    assert "指定产品未中选" in by_name["集采测试0医院"].reason
    assert by_name["集采测试1医院"].product == half and by_name["集采测试1医院"].agreed_volume == 4  # 4.2 → 4
    assert by_name["集采测试2医院"].agreed_volume == 0


@pytest.mark.django_db
def test_set_based_steps_leave_a_complete_history(world):
    """Opening, evaluation and awards write set-based, yet every bid, award and listing they touch has a history row
    with who, when and why — and before opening no history row holds a price."""
    to_bidding(world)
    lot, reps, products, official = world["lot"], world["reps"], world["products"], world["official"]
    first = svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=500000, by=reps[0])
    replacement = svc.bid_replace(bid=first, price="0.4900", supply_capacity=500000, by=reps[0])
    withdrawn = svc.bid_submit(lot=lot, product=products[1], price="0.8000", supply_capacity=500000, by=reps[1])
    svc.bid_withdraw(bid=withdrawn, by=reps[1])
    svc.bid_submit(lot=lot, product=world["half"], price="0.3000", supply_capacity=500000, by=reps[2])
    assert Bid.history.get(id=first.pk, history_change_reason="替换申报").status == "replaced"
    assert Bid.history.get(id=withdrawn.pk, history_change_reason="撤回申报").history_user == reps[1]
    assert not Bid.history.filter(price__isnull=False).exists()

    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=world["tender"], by=official)
    opened = Bid.history.filter(history_change_reason="开标")
    assert opened.count() == 2 and opened.get(id=replacement.pk).price == Decimal("0.4900")
    assert {h.history_user for h in opened} == {official}

    svc.tender_evaluate(tender=world["tender"], by=official)
    assert dict(Bid.history.filter(history_change_reason="评审").values_list("id", "status")) == {
        b.pk: b.status for b in Bid.objects.filter(status__in=["selected", "not_selected", "invalid"])
    }

    awards = svc.tender_award(tender=world["tender"], by=official)
    for award in awards:
        row = Award.history.get(id=award.pk)
        assert (row.history_type, row.awarded_price, row.history_user) == ("+", award.awarded_price, official)
    listings = Listing.objects.filter(award__in=awards)
    assert Listing.history.filter(history_type="+", id__in=listings.values("pk")).count() == len(awards)
