"""The price monitoring's settings are read through common.rules.prices() and checked at start (pricing.checks)."""

import pytest
from django.test import override_settings

from common import rules
from pricing.checks import pricing_rules_check
from pricing.detectors import informational_kinds, registry
from pricing.policies import official_region


def test_the_rules_carry_the_settings_and_the_code_reads_them():
    current = rules.prices()
    assert current.informational_signals == {"above_payment_standard", "above_national_lowest"}
    assert current.scan_overlap_minutes == 10 and current.scan_stale_minutes == 180
    assert current.detectors == {} and current.regional_agencies == frozenset()
    with override_settings(
        PRICE_DETECTORS={"volume_spike": {"factor": 4}, "peer_outlier_group": {"enabled": False}},
        PRICE_INFORMATIONAL_SIGNALS=["above_payment_standard"],
    ):
        detectors = registry()
        assert detectors["volume_spike"].params["factor"] == 4
        assert "peer_outlier_group" not in detectors
        assert informational_kinds() == {"above_payment_standard"}


@pytest.mark.django_db
def test_a_regional_agency_is_read_through_the_rules(official):
    assert official_region(official) is None
    with override_settings(PRICE_REVIEW_REGIONAL_AGENCIES=[official.organization.uscc]):
        assert official_region(official) is not None


@pytest.mark.parametrize(
    "overrides, ids",
    [
        ({}, []),
        ({"PRICE_DETECTORS": {"volume_spike": {"factor": 4, "min_excess_amount": 5000}}}, []),
        ({"PRICE_DETECTORS": {"peer_outlier_group": {"enabled": False}}}, []),
        ({"PRICE_DETECTORS": {"volume": {"factor": 4}}}, ["pricing.E001"]),  # no such detector
        ({"PRICE_DETECTORS": {"volume_spike": {"facter": 4}}}, ["pricing.E001"]),  # no such parameter
        ({"PRICE_DETECTORS": {"volume_spike": {"factor": 1}}}, ["pricing.E001"]),  # a ratio threshold of 1
        ({"PRICE_DETECTORS": {"volume_spike": {"factor": "3"}}}, ["pricing.E001"]),  # not a number
        ({"PRICE_DETECTORS": {"peer_outlier": {"z": 0}}}, ["pricing.E001"]),
        ({"PRICE_DETECTORS": {"sudden_change": {"baseline_months": 1.5}}}, ["pricing.E001"]),
        ({"PRICE_DETECTORS": {"volume_spike": {"min_excess_amount": -1}}}, ["pricing.E001"]),
        ({"PRICE_DETECTORS": {"peer_outlier": {"low_side": 1}}}, ["pricing.E001"]),  # a switch takes true/false
        ({"PRICE_DETECTORS": {"volume_spike": {"enabled": "no"}}}, ["pricing.E001"]),
        ({"PRICE_DETECTORS": ["volume_spike"]}, ["pricing.E001"]),
        ({"PRICE_INFORMATIONAL_SIGNALS": ["above_payment_standrd"]}, ["pricing.E002"]),
        ({"PRICE_INFORMATIONAL_SIGNALS": "above_payment_standard"}, ["pricing.E002"]),
        ({"PRICE_SCAN_OVERLAP_MINUTES": -5}, ["pricing.E003"]),
        ({"PRICE_SCAN_STALE_MINUTES": 0}, ["pricing.E003"]),
        ({"PRICE_REVIEW_REGIONAL_AGENCIES": ["12150000"]}, ["pricing.E004"]),
    ],
)
def test_the_system_check_refuses_thresholds_the_detectors_cannot_use(overrides, ids):
    with override_settings(**overrides):
        assert [e.id for e in pricing_rules_check(None)] == ids
