"""The linkage rule of 医保发〔2019〕56号: each branch on a worked example, then the set-based derivation
(payment_standards.sql) against the Python rule (payment_standards.linkage) on generated tenders."""

import random
from decimal import Decimal

import pytest
from django.test import override_settings

from common import rules
from payment_standards import linkage
from payment_standards.models import Basis, PaymentStandard
from payment_standards.services import payment_standards_derive
from tests.payment_standards import world as w

D = Decimal


def _rules(**overrides):
    return rules.LinkageRules(
        **{
            "ratio_threshold": D(2),
            "first_year_rate": D("0.70"),
            "step_years": 2,
            "selected_price": "own",
            **overrides,
        }
    )


@pytest.mark.parametrize(
    ("original", "evaluated", "k", "expected", "basis"),
    [
        # original 10.00, selected 1.00: above 2× → 7.00 the first year, 4.00, then 1.00
        ("10.0000", True, 0, "7.0000", Basis.ABOVE_DOUBLE),
        ("10.0000", True, 1, "4.0000", Basis.ABOVE_DOUBLE),
        ("10.0000", True, 2, "1.0000", Basis.ABOVE_DOUBLE),
        ("10.0000", True, 5, "1.0000", Basis.ABOVE_DOUBLE),
        # 70 % of 2.50 is 1.75: still not below the selected price (1.00) → 1.75; exactly 2× is "within"
        ("2.5000", True, 0, "1.7500", Basis.ABOVE_DOUBLE),
        ("2.0000", True, 0, "1.0000", Basis.WITHIN_DOUBLE),
        ("1.2000", True, 0, "1.0000", Basis.WITHIN_DOUBLE),
        ("0.8000", True, 0, "0.8000", Basis.BELOW_SELECTED),
        # without consistency evaluation: at most the selected price at once, whatever the original
        ("10.0000", False, 0, "1.0000", Basis.NOT_EVALUATED),
        ("0.8000", False, 0, "0.8000", Basis.NOT_EVALUATED),
    ],
)
def test_rule_worked_examples(original, evaluated, k, expected, basis):
    value, got_basis = linkage.linked_standard(
        original=D(original), selected=D("1.0000"), consistency_evaluated=evaluated, year_index=k, rules=_rules()
    )
    assert (value, got_basis) == (D(expected), basis)


def test_step_years_three_and_first_year_floor():
    three = _rules(step_years=3)
    values = [
        linkage.linked_standard(
            original=D("10"), selected=D("1"), consistency_evaluated=True, year_index=k, rules=three
        )[0]
        for k in range(4)
    ]
    assert values == [D("7.0000"), D("5.0000"), D("3.0000"), D("1")]
    # 70 % of 2.1 is 1.47, above 2× of 0.5: but 0.7 × original below the selected price never happens above 2×
    assert linkage.linked_standard(
        original=D("2.1"),
        selected=D("1"),
        consistency_evaluated=True,
        year_index=0,
        rules=_rules(first_year_rate=D("0.4")),
    ) == (D("1"), Basis.ABOVE_DOUBLE)


def test_selected_price_modes():
    prices = [D("0.50"), D("0.80")]
    assert linkage.selected_price(D("0.80"), prices, "own", for_winner=True) == D("0.80")
    assert linkage.selected_price(D("0.80"), prices, "lowest", for_winner=True) == D("0.50")
    assert linkage.selected_price(D("0.50"), prices, "highest", for_winner=True) == D("0.80")
    assert linkage.selected_price(D("0.50"), prices, "own", for_winner=False) == D("0.80")
    assert linkage.selected_price(D("0.50"), prices, "lowest", for_winner=False) == D("0.50")


@pytest.mark.django_db
def test_derivation_on_a_worked_tender(official):
    t = w.tender(official)
    lot = w.lot(t, "01", "阿托伐他汀钙片")
    winner = w.product("阿托伐他汀钙片")
    w.award(lot, winner, "1.0000", official)
    far = w.product("阿托伐他汀钙片")  # original 10.00 (2025's published standard): 7.00
    w.published(far, 2025, "10.0000")
    near = w.product("阿托伐他汀钙片")  # original from its listing 1.50: the selected price
    w.listing(near, "1.5000")
    cheap = w.product("阿托伐他汀钙片")
    w.listing(cheap, "0.9000")
    unevaluated = w.product("阿托伐他汀钙片", evaluated=False)
    w.listing(unevaluated, "3.0000")
    other_spec = w.product("阿托伐他汀钙片", spec="10mg")  # another group: untouched
    w.listing(other_spec, "5.0000")
    w.listing(w.product("阿托伐他汀钙片", form="胶囊"), "5.0000")  # not a dosage form of the lot
    w.product("阿托伐他汀钙片")  # no original standard, no listing: nothing to link
    assert payment_standards_derive(tender=t) == 5
    rows = {r.product_id: r for r in PaymentStandard.objects.filter(year=2026)}
    assert {pid: (r.standard, r.basis, r.status) for pid, r in rows.items()} == {
        winner.pk: (D("1.0000"), "selected", "draft"),
        far.pk: (D("7.0000"), "above_double", "draft"),
        near.pk: (D("1.0000"), "within_double", "draft"),
        cheap.pk: (D("0.9000"), "below_selected", "draft"),
        unevaluated.pk: (D("1.0000"), "not_evaluated", "draft"),
    }
    assert rows[far.pk].original_standard == D("10.0000") and rows[far.pk].selected_price == D("1.0000")
    assert rows[winner.pk].source == "award" and rows[far.pk].source == "linkage"
    assert PaymentStandard.history.filter(year=2026, history_type="+").count() == 5
    # the next year of the transition; deriving again replaces the drafts, changes nothing else
    assert payment_standards_derive(tender=t, year=2027) == 5
    assert PaymentStandard.objects.get(product=far, year=2027).standard == D("4.0000")
    assert payment_standards_derive(tender=t, year=2027) == 5
    assert PaymentStandard.objects.filter(year=2027).count() == 5
    assert PaymentStandard.history.filter(year=2027, history_type="~").count() == 5


GENERICS = ("阿托伐他汀钙片", "氨氯地平片")
SPECS = ("10mg", "20mg")


def _generate(rng, official, code):
    """A tender with a lot per generic; per specification 0–3 winners and 0–5 other products whose originals lie on
    and around 1×, 2× and the 70 % floor of the winning prices, some without consistency evaluation."""
    t = w.tender(official, code=code, year=2026)
    expected = []
    for number, name in enumerate(GENERICS):
        generic = f"{name}{code}"  # each tender's groups are its own
        lot = w.lot(t, f"{number:02d}", generic)
        ranks = iter(range(1, 100))
        for spec in SPECS:
            prices = [
                D(rng.choice(["0.3333", "0.5000", "1.0000", "1.2345", "0.0100"])) for _ in range(rng.randint(0, 3))
            ]
            winners = []
            for price in prices:
                p = w.product(generic, spec)
                w.award(lot, p, str(price), official, rank=next(ranks))
                winners.append((p, price))
            others = []
            for _ in range(rng.randint(0, 5)):
                p = w.product(generic, spec, evaluated=rng.random() > 0.25)
                base = max(prices) if prices else D("1")
                original = (
                    base * D(rng.choice(["0.5", "1", "1.3", "2", "2.0001", "2.5", "3", "7.77", "40"]))
                ).quantize(D("0.0001"))
                if rng.random() < 0.5:
                    w.published(p, 2025, str(original))
                    w.listing(p, str(original * 3))  # the previous standard wins over the listing
                else:
                    w.listing(p, str(original))
                    w.listing(p, str(original + D("0.5")))  # the lowest active listing counts
                others.append((p, original))
            expected.append((prices, winners, others))
    return t, expected


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["own", "lowest", "highest"])
@pytest.mark.parametrize("step_years", [2, 3])
def test_set_based_derivation_matches_the_python_rule(official, mode, step_years):
    rng = random.Random(f"{mode}-{step_years}")
    with override_settings(
        PAYMENT_STANDARD_LINKAGE_BY_YEAR={"2026": {"selected_price": mode, "step_years": step_years}}
    ):
        the_rules = rules.payment_standard_linkage(2026)
        for run in range(3):
            t, groups = _generate(rng, official, f"GEN-{mode}-{step_years}-{run}")
            for year in (2026, 2027, 2028, 2029):
                k = year - 2026
                payment_standards_derive(tender=t, year=year)
                got = {
                    r.product_id: (r.standard, r.basis)
                    for r in PaymentStandard.objects.filter(year=year, status="draft", note=t.code)
                }
                want = {}
                for prices, winners, others in groups:
                    for p, price in winners:
                        want[p.pk] = (linkage.selected_price(price, prices, mode, for_winner=True), Basis.SELECTED)
                    if not prices:
                        continue
                    benchmark = linkage.selected_price(prices[0], prices, mode, for_winner=False)
                    for p, original in others:
                        want[p.pk] = linkage.linked_standard(
                            original=original,
                            selected=benchmark,
                            consistency_evaluated=p.consistency_evaluated,
                            year_index=k,
                            rules=the_rules,
                        )
                assert got == want
