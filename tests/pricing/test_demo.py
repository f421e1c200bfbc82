"""The demo seeder: alerts in every status, answered inquiries, an interview, credit records (that a second run adds
nothing is tests/test_seed_demo.py's test, over every table)."""

from __future__ import annotations

import pytest

from pricing.models import CreditRecord, Inquiry, Interview, PriceAlert


@pytest.mark.django_db
def test_demo_has_every_review_state(demo_province):
    statuses = set(PriceAlert.objects.values_list("status", flat=True))
    assert statuses == {"open", "in_review", "inquiry_sent", "interviewed", "resolved", "dismissed"}
    assert {"justified", "corrected", "credit_referred"} <= set(
        PriceAlert.objects.values_list("disposition", flat=True)
    )
    kinds = {k for case in PriceAlert.objects.values_list("kinds", flat=True) for k in case}
    assert kinds >= {"peer_outlier", "sudden_change", "above_listed", "non_selected_premium", "volume_spike"}
    assert Inquiry.objects.filter(replied_at__isnull=False).exists() and Interview.objects.exists()
    assert any(i.is_overdue for i in Inquiry.objects.all())
    assert {"general", "serious", "very_serious", "medium"} <= set(CreditRecord.objects.values_list("level", flat=True))
