"""Every change of a price, bid, award, alert status, credit record or payment is recorded with who, when and what
(DESIGN.md §4): each model that holds one has django-simple-history, and the fields that matter are tracked."""

import pytest
from django.apps import apps
from simple_history.models import registered_models

# model → fields whose every change must be in its history (the money and the state).
TRACKED = {
    "catalog.Product": ["insurance_class", "manufacturer", "is_active"],
    "procurement.Tender": ["status", "bid_deadline", "opening_at", "rules"],
    "procurement.Lot": ["max_price"],
    "procurement.Bid": ["price", "status", "invalid_reason", "product", "withdrawn_at"],
    "procurement.Award": ["awarded_price", "rank", "bid"],
    "procurement.DemandReport": ["annual_volume", "named_product"],
    "procurement.Listing": ["unit_price", "pack_price", "status", "status_reason"],
    "pricing.ReferencePrice": ["unit_price", "valid_from", "valid_to"],
    "pricing.PriceAlert": ["status", "assignee", "disposition", "corrected_price"],
    "pricing.Inquiry": ["reply", "replied_at"],
    "pricing.CreditRecord": ["level", "status", "amount", "repaired_at"],
    "accounts.Organization": ["name", "uscc", "is_active"],
}
# Orders keep an audit row per transition instead (OrderEvent: who, when, from, to, why); an order line's price
# is frozen at submission and never changes.
# Money models of the settlement app; checked as soon as the app defines them.
SETTLEMENT = {
    "settlement.SettlementStatement": ["status"],
    "settlement.Payment": ["amount"],
}


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


@pytest.mark.parametrize(("label", "fields"), sorted(TRACKED.items()))
def test_the_model_keeps_a_history_of_the_fields_that_matter(label, fields):
    model = _model(label)
    assert model is not None, f"{label} is gone: update DESIGN.md §4 coverage"
    assert model in registered_models.values() or hasattr(model, "history"), f"{label} has no history"
    historical = model.history.model
    tracked = {f.name for f in historical._meta.fields}
    concrete = {f.name for f in model._meta.concrete_fields}
    for name in fields:
        if name not in concrete:
            pytest.fail(f"{label}.{name} does not exist: update the list")
        assert name in tracked, f"{label}.{name} changes are not recorded in its history"
    # who and when
    assert {"history_user", "history_date", "history_type"} <= tracked


@pytest.mark.parametrize(("label", "fields"), sorted(SETTLEMENT.items()))
def test_settlement_money_models_keep_a_history(label, fields):
    model = _model(label)
    if model is None:
        pytest.skip(f"{label} is not defined yet")
    assert hasattr(model, "history"), f"{label} has no history"
    tracked = {f.name for f in model.history.model._meta.fields}
    for name in fields:
        assert name in tracked, f"{label}.{name} changes are not recorded in its history"


def test_sealed_prices_never_reach_the_history_tables():
    historical = apps.get_model("procurement.Bid").history.model
    assert "sealed_price" not in {f.name for f in historical._meta.fields}
    historical = apps.get_model("procurement.Tender").history.model
    assert "sealing_key" not in {f.name for f in historical._meta.fields}
