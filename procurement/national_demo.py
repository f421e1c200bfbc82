"""Demo: a national batch's published results imported (the files in `procurement/demo_data/`), run through demand,
agreed volumes and listings; and a follow-on tender (接续采购) of the ended demo tender NMG-YP-2025-01.

The results table names the demo catalog's makers, so its winner columns are filled from the catalog when the demo is
built (the lot list is the file as it is)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from accounts.models import User
from catalog.models import Product

from .models import Tender
from .services import batch_results
from .services import tenders as svc

DATA = Path(__file__).resolve().parent / "demo_data"
CODE = "GJ-YP-10-DEMO"
FOLLOW_ON = "NMG-YP-2025-01-JX"
HEADER = "序号,品种序号,品种名称,规格包装,企业名称,中选价格（元）,供应省份\n"


def _results() -> str:
    """Two winners for this province in each of lots 1 and 2 (the demo makers of those products), one more winner
    for other provinces only (a maker that need not be on the platform)."""
    rows, n = [], 0
    lots = (
        ("1", "苯磺酸氨氯地平片", "5mg", ("0.1500", "0.2000")),
        ("2", "阿托伐他汀钙片", "20mg", ("0.6000", "0.7500")),
    )
    for lot, generic, spec, prices in lots:
        products = list(
            Product.objects.filter(generic_name=generic, specification=spec, is_active=True)
            .select_related("manufacturer")
            .order_by("manufacturer__name", "pack_size")
        )
        seen = []
        for product in products:
            if product.manufacturer_id in [p.manufacturer_id for p in seen]:
                continue
            seen.append(product)
        for product, unit in zip(seen[:2], prices, strict=False):
            n += 1
            pack = (product.pack_size * Decimal(unit)).quantize(Decimal("0.01"))
            rows.append(
                f"{n},{lot},{generic},{spec}*{product.pack_size}{product.min_unit},{product.manufacturer.name},"
                f"{pack},内蒙古、河北"
            )
        n += 1
        rows.append(f"{n},{lot},{generic},{spec}*7片,外省演示制药有限公司,{prices[0]},广东、广西")
    return HEADER + "\n".join(rows) + "\n"


def seed_late_national(official: User) -> str:
    done = []
    if not Tender.objects.filter(code=CODE).exists():
        report = batch_results.batch_results_import(
            by=official,
            code=CODE,
            name="国家组织药品集中采购（第十批，演示）",
            level=Tender.Level.NATIONAL,
            cycle_start=timezone.localdate(),
            cycle_end=date(timezone.localdate().year + 2, 12, 31),
            lots_content=(DATA / "national_batch_lots.csv").read_bytes(),
            lots_filename="national_batch_lots.csv",
            results_content=_results().encode(),
            results_filename="第十批中选结果（演示）.csv",
        )
        if report.ok:
            tender = report.tender
            buyers = list(
                User.objects.filter(organization__kind="hospital", roles__code="purchaser").order_by("pk")[:6]
            )
            for i, buyer in enumerate(buyers):
                for lot in tender.lots.all():
                    svc.demand_report(lot=lot, by=buyer, annual_volume=2000 * (i + 1))
            svc.imported_results_confirm(tender=tender, by=official)
            svc.tender_refresh(tender=tender)  # the cycle has begun: executing
            done.append(f"国家集采结果导入 {CODE}")
        else:
            done.append("国家集采结果导入失败：" + "；".join(report.lines()[:3]))
    source = Tender.objects.filter(code="NMG-YP-2025-01").first()
    if source is not None and not Tender.objects.filter(code=FOLLOW_ON).exists():
        now = timezone.now()
        svc.tender_follow_on_create(
            tender=source,
            by=official,
            code=FOLLOW_ON,
            name="自治区第一批药品集中带量采购接续采购（演示）",
            demand_start=now + timedelta(days=1),
            demand_end=now + timedelta(days=15),
            bid_deadline=now + timedelta(days=20),
            opening_at=now + timedelta(days=20),
            cycle_start=date(now.year + 1, 1, 1),
            cycle_end=date(now.year + 2, 12, 31),
        )
        done.append(f"接续采购 {FOLLOW_ON}")
    return "；".join(done) or "国家集采与接续采购已存在"
