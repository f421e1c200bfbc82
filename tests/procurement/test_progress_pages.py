"""Progress pages and API: what each portal sees (and does not), the chart, the export."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from procurement.services.progress import progress_compute_all
from tests.factories import UserFactory
from tests.procurement.progress_world import AS_OF, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    progress_compute_all(as_of=AS_OF)
    w.buyer = UserFactory(username="prg_buyer", organization=w.hospitals["steady"], roles=["purchaser"])
    w.other_buyer = UserFactory(username="prg_other", organization=w.hospitals["stalled"], roles=["purchaser"])
    w.maker_rep = UserFactory(
        username="prg_mfr", organization=w.commitments["steady"].manufacturer, roles=["manufacturer_rep"]
    )
    return w


def test_official_dashboard_rolls_up_and_lists(client, official, world):
    client.force_login(official)
    page = client.get("/progress/", {"by": "lot", "tender": world.tender.pk}).content.decode()
    # 6 commitments of the lot: agreed 3×3650 + 100 + 0 + 0, received 1350 + 100 + 800 + 120 + 0 + 10.
    assert "01 阿莫西林胶囊" in page and "11,050" in page and "2,380" in page  # with separators
    assert "最小制剂单位" in page  # the unit of the quantities
    assert "进度测试stalled医院" in page and "进度测试late医院" in page  # behind / at risk
    assert '<script src="http' not in page and "https://" not in page
    by_hospital = client.get("/progress/", {"by": "hospital", "status": "at_risk"}).content.decode()
    assert (
        "进度测试stalled医院" in by_hospital
        and "进度测试steady医院" not in by_hospital.split("完成情况")[1].split("滞后或难以完成")[0]
    )


def test_export_is_an_xlsx_of_the_filtered_commitments(client, official, world):
    client.force_login(official)
    response = client.get("/progress/export.xlsx", {"status": "behind"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("批次", "品种编号", "品种")
    assert len(rows) == 2 and rows[1][4] == "进度测试late医院" and rows[1][11] == 800


def test_hospital_sees_its_own_progress_and_notifications(client, world):
    client.force_login(world.other_buyer)
    page = client.get("/progress/hospital/").content.decode()
    assert "1350" not in page and "1,350" not in page  # another hospital's figures
    assert "3,550 " in page  # what remains: 3650 − 100, with its unit
    assert "难以完成" in page and "累计入库 100" in page  # its notification
    client.post("/progress/hospital/notifications/read/")
    assert "未读 0" in client.get("/progress/hospital/").content.decode()
    assert client.get("/progress/").status_code == 403
    assert client.get("/progress/export.xlsx").status_code == 403


def test_commitment_page_draws_the_chart_and_is_scoped(client, world):
    steady = world.commitments["steady"]
    client.force_login(world.buyer)
    page = client.get(f"/progress/commitments/{steady.pk}/").content.decode()
    start = page.index('id="commitment-chart"')
    chart = page[start : page.index("</figure>", start)]
    assert "<svg" in chart and "pygal-chart" in chart and "<script" not in chart
    assert "累计入库量" in chart and "按时间进度应完成量" in chart and 'stroke-dasharray="8 5"' in chart  # legend
    assert chart.count('<th scope="row">') == 4  # the text alternative: one row per month
    client.force_login(world.other_buyer)
    assert client.get(f"/progress/commitments/{steady.pk}/").status_code == 404
    client.force_login(world.maker_rep)
    assert client.get(f"/progress/commitments/{steady.pk}/").status_code == 200


def test_manufacturer_portal(client, world):
    client.force_login(world.maker_rep)
    page = client.get("/progress/manufacturer/").content.decode()
    assert "T-PRG-001" in page and "11050" in page and "2380" in page
    assert client.get("/progress/hospital/").status_code == 403


def test_api_rows_rollup_and_scoping(api, official, world):
    api.force_authenticate(world.buyer)
    rows = api.get("/api/v1/commitment-progress/").json()["results"]
    assert [(r["cumulative_units"], r["status"]) for r in rows] == [(1350, "on_track")]
    months = api.get("/api/v1/commitment-progress/", {"period_kind": "month"}).json()["results"]
    assert [m["received_units"] for m in months] == [500, 300, 350, 200]
    api.force_authenticate(official)
    groups = api.get("/api/v1/commitment-progress/rollup/", {"by": "hospital"}).json()
    assert {g["label"]: (g["received"], g["completion"]) for g in groups}["进度测试steady医院"] == (1350, "0.3699")
    bad = api.get("/api/v1/commitment-progress/rollup/", {"by": "colour"})
    assert bad.status_code == 400 and "汇总方式" in bad.content.decode()
    assert bad.json()["code"] == "unknown_rollup" and bad.json()["field"] == "by"
    assert api.get("/api/v1/commitment-progress-runs/").json()["results"][0]["status"] == "succeeded"
    api.force_authenticate(world.maker_rep)
    made = api.get("/api/v1/manufacturer-progress/").json()["results"]
    assert [(m["agreed_volume"], m["received_units"]) for m in made] == [(11050, 2380)]
    assert api.get("/api/v1/commitment-progress-runs/").status_code == 403


def test_official_dashboard_has_a_chart_and_pages_its_lists(client, official, world, settings):
    from procurement.views import progress as progress_views

    client.force_login(official)
    page = client.get("/progress/", {"by": "hospital"}).content.decode()
    assert 'id="progress-chart"' in page and "<svg" in page and "图表数据（表格）" in page
    groups = page.split("data-progress-groups")[1].split("</table>")[0]
    total = groups.count("<tr>") - 1  # the header row
    assert total >= 3
    original = progress_views.GROUPS_PER_PAGE, progress_views.ROWS_PER_PAGE
    progress_views.GROUPS_PER_PAGE = progress_views.ROWS_PER_PAGE = 1
    try:
        first = client.get("/progress/", {"by": "hospital"}).content.decode()
        assert first.split("data-progress-groups")[1].split("</table>")[0].count("<tr>") == 2
        assert 'data-page-param="page"' in first and 'data-page-param="alerts_page"' in first
        second = client.get("/progress/", {"by": "hospital", "page": "2", "alerts_page": "2"})
        assert second.status_code == 200
    finally:
        progress_views.GROUPS_PER_PAGE, progress_views.ROWS_PER_PAGE = original
