"""Recording a delivery's codes (distributor) and every bad input: clear error, nothing written."""

import json

import pytest
from django.db import connection
from psycopg.sql import SQL

from common.errors import NotFoundError, ValidationFailed
from tests.procurement.ordering import build_world
from traceability import sql as trace_sql
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


def _scan_conditions(node: dict, table: str):
    """Every condition a scan of `table` in the plan applies (index, recheck and filter), subplans included."""
    if node.get("Relation Name") == table:
        yield from (node[key] for key in ("Index Cond", "Recheck Cond", "Filter") if key in node)
    for child in node.get("Plans", []):
        yield from _scan_conditions(child, table)


def test_linking_parents_never_reads_the_delivery_by_its_statistics(w):
    """The delivery's rows are new to the table's statistics when its codes are linked to their cases: a plan that
    read them by `delivery_id` took them for one row and compared every child with every case row (10,000 codes:
    over 8 minutes). Each code's row is found through its trace code instead, whatever the statistics say."""
    delivery, (l1, _l2) = shipped(w)
    case = code(900, "8100009")
    rows = [{"delivery_line": l1.pk, "code": case}] + [
        {"delivery_line": l1.pk, "code": code(i), "parent": case} for i in range(3)
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE traceability_deliverycode")  # statistics from before the delivery's rows
    codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=rows)
    params = {"delivery": delivery.pk, "code": [r["code"] for r in rows], "parent": [r.get("parent", "") for r in rows]}
    with connection.cursor() as cursor:
        cursor.execute(
            (SQL("EXPLAIN (FORMAT JSON) ") + trace_sql.LINK_PARENTS.format(**trace_sql.tables())).as_string(
                connection.connection
            ),
            params,
        )
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    conditions = list(_scan_conditions(plan[0]["Plan"], DeliveryCode._meta.db_table))
    assert conditions and not [c for c in conditions if "delivery_id" in c], conditions
    # and the links are right: the three packs under the case
    case_row = DeliveryCode.objects.get(trace_code__code=case)
    assert sorted(case_row.children.values_list("trace_code__code", flat=True)) == [code(i) for i in range(3)]
