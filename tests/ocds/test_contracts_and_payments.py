"""Purchase contracts in the call-offs (through the `contract_rows` interface, here fed from the commitments as the
contracts app will feed it from PurchaseContract) and the fund's payments as their transactions, a payment of a
statement covering two contracts split by the statement's lines."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ocds import packaging, selectors
from ocds.builder import data as builder_data
from ocds.builder.contracts import ContractRow
from ocds.builder.transactions import split
from ocds.schema import record_package_errors
from ocds.services import releases_publish
from procurement.models import Commitment, Lot
from settlement.generation import generate_statements
from settlement.models import SettlementStatement
from settlement.services.payments import payment_record
from settlement.services.review import statement_approve
from settlement.services.statements import statement_claim, statement_review
from tests.factories import ListingFactory, ProductFactory
from tests.settlement.world import build_world, make_award, month_start, receive

pytestmark = pytest.mark.django_db


def test_split_adds_up_to_the_cent():
    assert split(Decimal("10.00"), [Decimal(1)] * 3) == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    parts = split(Decimal("35.86"), [Decimal("25.61"), Decimal("7.17"), Decimal("3.08")])
    assert sum(parts) == Decimal("35.86") and parts == [Decimal("25.61"), Decimal("7.17"), Decimal("3.08")]
    assert sum(split(Decimal("0.01"), [Decimal("1.5"), Decimal("1.5")])) == Decimal("0.01")


def rows_from_commitments(tender, distributor, status="signed"):
    return [
        ContractRow(
            number=f"HT-{c.pk:05d}",
            version=1,
            commitment_id=c.pk,
            hospital_id=c.hospital_id,
            manufacturer_id=c.manufacturer_id,
            distributor_id=distributor.pk,
            status=status,
            period_start=c.cycle_start,
            period_end=c.cycle_end,
            quantity=c.agreed_volume,
            unit_price=c.award.awarded_price,
            amount=c.agreed_amount,
            signed_at=timezone.now(),
        )
        for c in Commitment.objects.filter(tender=tender).select_related("award").order_by("pk")
    ]


@pytest.fixture
def paid():
    """The settlement world with a second lot of the same maker, so that one statement (hospital × maker × month)
    covers two contracts; the statement approved and paid in two payments."""
    world = build_world("O")
    tender = world.tender
    lot = Lot.objects.create(tender=tender, number="02", generic_name="氨氯地平片", max_price=Decimal("0.9000"))
    product = ProductFactory(generic_name="氨氯地平片", manufacturer=world.maker, pack_size=20)
    award = make_award(tender, lot, product, "0.1435", 1, world.fund_officer)
    listing = ListingFactory(
        product=product, unit_price=Decimal("0.1435"), source="tender_award", award=award, valid_from=tender.cycle_start
    )
    Commitment.objects.create(
        tender=tender,
        lot=lot,
        hospital=world.hospital,
        award=award,
        product=product,
        manufacturer=world.maker,
        reported_volume=5000,
        agreed_volume=4000,
        agreed_amount=Decimal("574.00"),
        cycle_start=tender.cycle_start,
        cycle_end=tender.cycle_end,
    )
    period = month_start(1)
    receive(world, packs=7, on=period + timedelta(days=2))  # 70 × 0.5123 = 35.86
    receive(world, listing=listing, packs=3, on=period + timedelta(days=4))  # 60 × 0.1435 = 8.61
    generate_statements(month=period)
    statement = SettlementStatement.objects.get(hospital=world.hospital, manufacturer=world.maker)
    statement_claim(statement=statement, by=world.maker_rep, invoice_numbers=["12345678"])
    statement_review(statement=statement, by=world.hospital_user)
    statement_approve(statement=statement, by=world.fund_officer)
    payment_record(statement=statement, amount="20.00", reference="BANK-1", by=world.fund_officer)
    payment_record(
        statement=statement, amount=statement.amount - Decimal("20.00"), reference="BANK-2", by=world.fund_officer
    )
    statement.refresh_from_db()
    assert statement.amount == Decimal("44.47") and statement.status == "paid"
    return world, statement


def test_contracts_and_their_payments_in_the_call_offs(paid, monkeypatch):
    world, statement = paid
    monkeypatch.setattr(builder_data, "contract_rows", lambda t: rows_from_commitments(t, world.distributor))
    releases_publish(tender=world.tender)
    ocid = f"ocds-nmgyx1-{world.tender.code}-{world.hospital.uscc}"
    package = packaging.record_package(ocid, selectors.record_releases(ocid))
    assert record_package_errors(package) == []
    [release] = package["records"][0]["releases"]
    assert set(release["tag"]) == {"tender", "award", "contract", "implementation"}
    contracts = release["contracts"]
    mine = Commitment.objects.filter(tender=world.tender, hospital=world.hospital).order_by("lot__number")
    # contract values are the agreed amounts, as the awards' are
    assert sum(Decimal(str(c["value"]["amount"])) for c in contracts) == sum(c.agreed_amount for c in mine)
    assert [c["items"][0]["quantity"] for c in contracts] == [c.agreed_volume for c in mine]
    assert {c["status"] for c in contracts} == {"active"}
    # each payment split by the statement's lines: 35.86 and 8.61 of 44.47
    by_payment: dict[str, list[Decimal]] = {}
    for contract in contracts:
        for transaction in contract["implementation"]["transactions"]:
            by_payment.setdefault(transaction["id"], []).append(Decimal(str(transaction["value"]["amount"])))
            assert transaction["payee"]["id"] == f"CN-USCC-{world.maker.uscc}"
            assert transaction["payer"]["id"].startswith("CN-FUND-")
    amounts = {p.pk: p.amount for p in statement.payments.all()}
    assert {key: sum(parts) for key, parts in by_payment.items()} == {f"PAY-{pk}": a for pk, a in amounts.items()}
    first = min(amounts)
    assert sorted(by_payment[f"PAY-{first}"]) == [Decimal("3.87"), Decimal("16.13")]  # 20.00 × 8.61 / 44.47, …
    roles = {p["id"]: set(p["roles"]) for p in release["parties"]}
    assert roles[f"CN-USCC-{world.distributor.uscc}"] == {"interestedParty"}
    assert roles[f"CN-USCC-{world.maker.uscc}"] == {"supplier", "payee"}
    assert any("payer" in r for r in roles.values()) and roles[f"CN-USCC-{world.hospital.uscc}"] == {"buyer"}


def test_contract_statuses_follow_the_tender(paid, monkeypatch):
    world, _ = paid
    monkeypatch.setattr(builder_data, "contract_rows", lambda t: rows_from_commitments(t, world.distributor, "draft"))
    releases_publish(tender=world.tender)
    ocid = f"ocds-nmgyx1-{world.tender.code}-{world.hospital.uscc}"
    [release] = selectors.record_releases(ocid)
    assert "contracts" not in release  # a draft contract is never published
    monkeypatch.setattr(builder_data, "contract_rows", lambda t: rows_from_commitments(t, world.distributor))
    world.tender.status = "closed"
    world.tender.save(update_fields=["status"])
    [update] = [r for r in releases_publish(tender=world.tender) if r.ocid == ocid]
    assert {c["status"] for c in update.release["contracts"]} == {"terminated"}
    assert "contract" in update.tags and "implementation" in update.tags
