"""The demo's payment standards: 2024 imported, 2025 derived from the first demo tender and published, 2026 derived
from both and in draft, with every branch of the linkage rule (a second seed changes nothing: tests/test_seed_demo.py)."""

from collections import Counter

import pytest

from payment_standards.models import PaymentStandard


@pytest.mark.django_db
def test_demo_years_and_branches(demo_province):
    rows = Counter(PaymentStandard.objects.values_list("year", "status"))
    assert rows[(2024, "published")] and rows[(2025, "published")] and rows[(2026, "draft")]
    assert not rows[(2025, "draft")] and not rows[(2026, "published")]
    bases = set(PaymentStandard.objects.filter(year=2026).values_list("basis", flat=True))
    assert bases == {"selected", "above_double", "within_double", "below_selected", "not_evaluated"}
