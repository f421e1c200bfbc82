"""The pricing admin: reference prices editable with their checks, workflow objects read-only."""

from __future__ import annotations

from pricing.models import ReferencePrice


def test_reference_price_admin_checks_and_history(client, platform_admin, product):
    platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    data = {
        "product": product.pk,
        "kind": "payment_standard",
        "unit_price": "0",
        "valid_from": "2026-01-01",
        "valid_to": "2025-12-31",
        "source": "文件",
    }
    page = client.post("/admin/pricing/referenceprice/add/", data)
    assert page.status_code == 200 and "单价必须大于零" in page.content.decode()
    assert "失效日期不能早于生效日期" in page.content.decode()
    assert not ReferencePrice.objects.exists()
    r = client.post("/admin/pricing/referenceprice/add/", {**data, "unit_price": "1.2000", "valid_to": ""})
    assert r.status_code == 302 and ReferencePrice.history.count() == 1
    for url in (
        "/admin/pricing/referenceprice/",
        "/admin/pricing/pricealert/",
        "/admin/pricing/creditrecord/",
        "/admin/pricing/pricescan/",
        "/admin/pricing/shortagealert/",
        "/admin/pricing/priceobservation/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/pricing/pricealert/add/").status_code == 403
