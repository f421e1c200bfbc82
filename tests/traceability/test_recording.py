"""Recording a delivery's codes (distributor) and every bad input: clear error, nothing written."""

import pytest

from common.errors import NotFoundError, ValidationFailed
from tests.procurement.ordering import build_world
from traceability.errors import TraceError
from traceability.models import DeliveryCode, ProductIdentifier, TraceCode, TraceFlag
from traceability.services.recording import codes_record

from .world import code, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _counts():
    return TraceCode.objects.count(), DeliveryCode.objects.count(), TraceFlag.objects.count()


def test_case_with_packs_is_recorded_with_its_tree(w):
    delivery, (l1, l2) = shipped(w)
    case = code(900, "8100009")
    rows = [{"delivery_line": l1.pk, "code": case}] + [
        {"delivery_line": l1.pk, "code": code(i), "parent": case} for i in range(3)
    ]
    result = codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=rows)
    assert result == {"recorded": 4, "packs": 3, "wrong_product": 0}
    case_row = DeliveryCode.objects.get(trace_code__code=case)
    assert not case_row.is_pack and case_row.children.count() == 3
    assert set(DeliveryCode.objects.filter(is_pack=True).values_list("parent_id", flat=True)) == {case_row.pk}


def test_children_of_a_case_recorded_earlier_turn_it_into_a_case(w):
    delivery, (l1, _l2) = shipped(w)
    case = code(900, "8100009")
    codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"delivery_line": l1.pk, "code": case}])
    codes_record(
        delivery_id=delivery.pk,
        by=w.dist_rep,
        delivery_line_id=l1.pk,
        rows=[{"code": code(1), "parent": case}, {"code": code(2), "parent": case}],
    )
    assert DeliveryCode.objects.filter(is_pack=True).count() == 2
    assert not DeliveryCode.objects.get(trace_code__code=case).is_pack


def test_a_code_of_another_product_is_flagged(w):
    delivery, (l1, l2) = shipped(w)
    ProductIdentifier.objects.create(product=l2.order_line.product, identifier="8100001")
    result = codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"delivery_line": l1.pk, "code": code(1)}])
    assert result["wrong_product"] == 1
    flag = TraceFlag.objects.get()
    assert flag.kind == "wrong_product" and flag.data == {
        "expected": l1.order_line.product_id,
        "found": l2.order_line.product_id,
    }


@pytest.mark.parametrize(
    ("rows", "error", "field"),
    [
        ([{"code": "8100001000000000001"}], TraceError.CODE_WRONG_LENGTH, "rows[0].code"),
        ([{"code": "(01)06901234567893(21)A1"}], TraceError.GTIN_CHECK_DIGIT, "rows[0].code"),
        ([{"code": code(1)}, {"code": code(1)}], TraceError.DUPLICATE_IN_DELIVERY, "rows[1].code"),
        ([{"code": code(i)} for i in range(4)], TraceError.MORE_CODES_THAN_PACKS, "rows"),
        ([{"code": code(1), "parent": code(7)}], TraceError.PARENT_UNKNOWN, "rows[0].parent"),
        # a bad case code named by two packs: refused at the first
        (
            [{"code": code(1)}, *({"code": code(i), "parent": "81000"} for i in (2, 3))],
            TraceError.CODE_WRONG_LENGTH,
            "rows[1].parent",
        ),
        ([{"code": code(1), "parent": code(2)}, {"code": code(2), "parent": code(1)}], TraceError.PARENT_CYCLE, None),
        ([], TraceError.NO_CODES, "rows"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(w, rows, error, field):
    delivery, (l1, _l2) = shipped(w)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=rows, delivery_line_id=l1.pk)
    assert exc.value.code == error
    if field:
        assert exc.value.field == field
    assert _counts() == before


def test_codes_for_another_orders_delivery_line_are_refused(w):
    delivery, _lines = shipped(w)
    _other, (other_line, _x) = shipped(w)
    with pytest.raises(ValidationFailed) as exc:
        codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"delivery_line": other_line.pk, "code": code(1)}])
    assert exc.value.code == TraceError.LINE_NOT_IN_DELIVERY and exc.value.field == "rows[0].delivery_line"
    assert _counts() == (0, 0, 0)


def test_a_code_recorded_earlier_on_the_delivery_is_refused(w):
    delivery, (l1, _l2) = shipped(w)
    codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"code": code(1)}], delivery_line_id=l1.pk)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"code": code(1)}], delivery_line_id=l1.pk)
    assert exc.value.code == TraceError.ALREADY_RECORDED
    assert _counts() == before


def test_another_distributors_delivery_is_not_found(w):
    delivery, (l1, _l2) = shipped(w)
    with pytest.raises(NotFoundError):
        codes_record(delivery_id=delivery.pk, by=w.other_dist_rep, rows=[{"code": code(1)}], delivery_line_id=l1.pk)
    assert _counts() == (0, 0, 0)
