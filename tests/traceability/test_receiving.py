"""Receipt by code (hospital), the duplicate check, count mismatches, the dispensing import and the stock."""

import pytest

from common.errors import NotFoundError, ValidationFailed
from tests.factories import AgencyFactory, UserFactory
from tests.procurement.ordering import build_world
from traceability.errors import TraceError
from traceability.models import DeliveryCode, DispensingRecord, TraceFlag
from traceability.selectors import hospital_stock
from traceability.services.dispensing import dispensing_import
from traceability.services.receiving import codes_receive
from traceability.services.recording import codes_record

from .world import code, shipped

pytestmark = pytest.mark.django_db
GTIN = "06901234567892"


@pytest.fixture
def w():
    return build_world()


def _record_case(w, delivery, line, first=0, packs=3):
    case = code(900 + first, "8100009")
    rows = [{"code": case}] + [{"code": code(first + i), "parent": case} for i in range(packs)]
    codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=rows, delivery_line_id=line.pk)
    return case


def test_a_scanned_case_receives_its_packs(w):
    delivery, (l1, l2) = shipped(w, packs=3, packs2=1)
    case = _record_case(w, delivery, l1)
    codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"code": code(50)}], delivery_line_id=l2.pk)
    result = codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case, code(50), code(77)])
    assert result["received"] == 5 and result["unmatched"] == [code(77)]
    assert result["duplicates"] == 0 and result["count_mismatch"] == []
    assert not DeliveryCode.objects.filter(received_at__isnull=True).exists()
    assert not TraceFlag.objects.exists()


def test_a_code_received_twice_is_flagged_even_by_the_same_hospital(w):
    first, (l1, _l2) = shipped(w, packs=1, packs2=1)
    second, (m1, _m2) = shipped(w, packs=1, packs2=1)
    for delivery, line in ((first, l1), (second, m1)):
        codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"code": code(1)}], delivery_line_id=line.pk)
    codes_receive(delivery_id=first.pk, by=w.buyer, codes=[code(1)], complete=False)
    result = codes_receive(delivery_id=second.pk, by=w.buyer, codes=[code(1)], complete=False)
    assert result["duplicates"] == 1
    flag = TraceFlag.objects.get(kind="duplicate_receipt")
    assert flag.delivery_id == second.pk and flag.data == {"first_hospital": w.hospital.pk, "first_delivery": first.pk}


def test_lot_level_udi_received_twice_is_not_a_duplicate(w):
    first, (l1, _l2) = shipped(w, packs=1, packs2=1)
    second, (m1, _m2) = shipped(w, packs=1, packs2=1)
    lot_code = f"(01){GTIN}(10)B2026"
    for delivery, line in ((first, l1), (second, m1)):
        codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"code": lot_code}], delivery_line_id=line.pk)
        codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[lot_code], complete=False)
    assert not TraceFlag.objects.filter(kind="duplicate_receipt").exists()


def test_fewer_codes_than_packs_is_flagged_at_receipt(w):
    delivery, (l1, l2) = shipped(w, packs=3, packs2=1)
    codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"code": code(1)}], delivery_line_id=l1.pk)
    result = codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[code(1)], confirm=False)
    assert result["receipt"] is None
    assert [line["line"] for line in result["count_mismatch"]] == [l1.pk, l2.pk]
    flag = TraceFlag.objects.get(kind="count_mismatch")
    assert flag.delivery_id == delivery.pk and flag.data["lines"][0] == {
        "line": l1.pk,
        "packs": 3,
        "recorded": 1,
        "received": 1,
    }


def test_scans_matching_nothing_are_refused_and_nothing_written(w):
    delivery, (l1, _l2) = shipped(w)
    _record_case(w, delivery, l1)
    with pytest.raises(ValidationFailed) as exc:
        codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[code(77)])
    assert exc.value.code == TraceError.NOTHING_MATCHED
    assert not DeliveryCode.objects.filter(received_at__isnull=False).exists()
    with pytest.raises(ValidationFailed) as exc:
        codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[code(1), "123"])
    assert exc.value.code == TraceError.CODE_WRONG_LENGTH and exc.value.field == "codes[1]"
    assert not DeliveryCode.objects.filter(received_at__isnull=False).exists()


def test_another_hospital_cannot_receive(w):
    delivery, (l1, _l2) = shipped(w)
    _record_case(w, delivery, l1)
    with pytest.raises(NotFoundError):
        codes_receive(delivery_id=delivery.pk, by=w.other_buyer, codes=[code(1)])


def test_dispensed_twice_is_flagged_as_resold_and_stock_counts_use(w):
    delivery, (l1, l2) = shipped(w, packs=3, packs2=1)
    case = _record_case(w, delivery, l1)
    codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case], complete=False)
    officer = UserFactory(username="t_fund", organization=AgencyFactory(), roles=["fund_officer"])
    csv1 = f"追溯码,机构,日期\n{code(0)},{w.hospital.name},2026-11-02\n{code(1)},{w.hospital.name},2026-11-03\n"
    first = dispensing_import(content=csv1.encode(), file_name="nov.csv", by=officer)
    assert (first.rows, first.flagged) == (2, 0)
    csv2 = f"code,organization,date\n{code(0)},{w.other_hospital.name},2026-12-01\n"
    second = dispensing_import(content=csv2.encode(), file_name="dec.csv", by=officer)
    assert second.flagged == 1
    flag = TraceFlag.objects.get(kind="resold")
    assert flag.hospital_id == w.other_hospital.pk and flag.data["first_organization"] == w.hospital.pk
    [row] = hospital_stock(w.hospital.pk)
    assert (row["product"], row["received"], row["returned"], row["used"], row["stock"]) == (
        l1.order_line.product_id,
        3,
        0,
        2,
        1,
    )


def test_dispensing_import_bad_rows_write_nothing(w):
    officer = UserFactory(username="t_fund2", organization=AgencyFactory(), roles=["fund_officer"])
    for content, error in (
        (f"追溯码,机构,日期\n{code(0)},无此医院,2026-11-02\n", TraceError.UNKNOWN_ORGANIZATION),
        (f"追溯码,机构,日期\n{code(0)},{w.hospital.name},2026-13-02\n", TraceError.BAD_DATE),
        (f"追溯码,机构,日期\n123,{w.hospital.name},2026-11-02\n", TraceError.CODE_WRONG_LENGTH),
    ):
        with pytest.raises(ValidationFailed) as exc:
            dispensing_import(content=content.encode(), file_name="x.csv", by=officer)
        assert exc.value.code == error and exc.value.field.startswith("row 2")
    assert not DispensingRecord.objects.exists()
