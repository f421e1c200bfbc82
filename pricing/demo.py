"""Demo price monitoring: six months of hospitals' purchase prices with anomalies of every kind, reference prices,
a full scan, alerts taken through every step of the review (函询 answered, 约谈, resolutions, dismissals), credit
records under both schemes, and the quarter's ratings. Running it again changes nothing (the demo observations carry
the batch name DEMO, and their presence means the rest is there too)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization, User
from catalog.models import Product
from common.demo import DemoContext
from common.money import quantize_amount, quantize_unit_price
from procurement.models import Listing, Lot

from . import selectors
from .models import CreditRecord, Inquiry, PriceAlert, PriceObservation, ReferencePrice
from .services import alerts as svc
from .services.credit import credit_rate_quarter, credit_record_create, credit_record_repair
from .services.references import reference_prices_sync_awards
from .services.scan import price_scan_run
from .services.shortage import shortage_watch_run

BATCH = "DEMO"


def _months(today: date, n: int) -> list[date]:
    first = today.replace(day=1)
    out = []
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return list(reversed(out))


def _products() -> list[Product]:
    """Chemical drugs of the two demo makers with logins first (so their reps see inquiries), then others, and a few
    high-value consumables for the volume spikes."""

    # the demo tenders' generic names have listings and awarded prices of their own; leave them to the orders
    tendered = set(Lot.objects.values_list("generic_name", flat=True))
    mfr_names = ["北辰制药股份有限公司", "草原康泰蒙药股份有限公司"]
    candidates = Product.objects.filter(is_active=True).exclude(generic_name__in=tendered)
    own = list(candidates.filter(manufacturer__name__in=mfr_names).order_by("pk")[:14])
    others = list(candidates.filter(category="chemical").exclude(pk__in=[p.pk for p in own]).order_by("pk")[:22])
    devices = list(Product.objects.filter(high_value=True, is_active=True).order_by("pk")[:4])
    return own + others + devices


def _planted(rng, planted: dict, m_index: int, *, with_payment_standard: bool) -> Decimal:
    """A hospital-month's price factor: about 1, or a planted anomaly (a price far above the peers, a jump from the
    previous months, a price above the payment standard), counted in `planted`."""
    factor = Decimal(str(round(rng.gauss(1, 0.03), 4)))
    roll = rng.random()
    if roll < 0.008:
        planted["peer"] += 1
        return factor * Decimal(str(round(rng.uniform(2.2, 4.0), 2)))
    if roll < 0.011 and m_index > 0:
        planted["jump"] += 1
        return factor * Decimal("1.6")
    if roll < 0.014 and with_payment_standard:
        planted["reference"] += 1
        return Decimal("1.45")
    return factor


def _observations(ctx: DemoContext, products, hospitals, months) -> dict:
    rng = ctx.sub_rng("pricing")
    rows, planted = [], {"peer": 0, "jump": 0, "reference": 0, "spike": 0}
    payment_refs = []
    group_base: dict[tuple, Decimal] = {}

    # a listed product is bought at (or a little under) its listed price; the rest of its group alike
    listed: dict[int, Decimal] = {}
    for product_id, price in (
        Listing.objects.filter(product__in=products).exclude(status="withdrawn").values_list("product_id", "unit_price")
    ):
        listed[product_id] = min(price, listed.get(product_id, price))
    for product in products:
        key = (product.generic_name, product.dosage_form, product.specification)
        if product.pk in listed:
            group_base[key] = min(listed[product.pk] * Decimal("0.90"), group_base.get(key, listed[product.pk]))
    for index, product in enumerate(products):
        # products of one generic name, form and strength cost about the same per unit, whoever makes them
        key = (product.generic_name, product.dosage_form, product.specification)
        if key not in group_base:
            group_base[key] = (
                Decimal(str(round(rng.uniform(600, 2500), 2)))
                if product.high_value
                else Decimal(str(round(rng.uniform(0.3, 12), 3)))
            )
        base = group_base[key] * Decimal(str(round(rng.uniform(0.98, 1.0), 3)))
        buyers = rng.sample(hospitals, max(6, int(len(hospitals) * 0.6)))
        if index % 3 == 0:
            payment_refs.append(
                ReferencePrice(
                    product=product,
                    kind="payment_standard",
                    unit_price=quantize_unit_price(base * Decimal("1.25")),
                    valid_from=months[0],
                    source="自治区医保支付标准（演示）",
                )
            )
        for h_index, hospital in enumerate(buyers):
            usual_qty = rng.randint(20, 60) if product.high_value else rng.randint(200, 3000)
            for m_index, month in enumerate(months):
                factor = _planted(rng, planted, m_index, with_payment_standard=index % 3 == 0)
                qty = max(1, int(usual_qty * rng.uniform(0.8, 1.2)))
                if product.high_value and h_index == 0 and m_index == len(months) - 1:
                    qty *= 6
                    planted["spike"] += 1
                price = quantize_unit_price(base * factor)
                day = month + timedelta(days=rng.randint(0, 26))
                rows.append(
                    PriceObservation(
                        product=product,
                        hospital=hospital,
                        region=hospital.region,
                        observed_on=day,
                        unit_price=price,
                        quantity=qty,
                        amount=quantize_amount(price * qty),
                        source="off_platform",
                        import_batch=BATCH,
                    )
                )
        # what other provinces and retail pharmacies charge, for the officials' comparison
        rows.append(
            PriceObservation(
                product=product,
                province="吉林",
                observed_on=months[-1],
                source="other_province",
                unit_price=quantize_unit_price(base * Decimal("0.95")),
                import_batch=BATCH,
            )
        )
        rows.append(
            PriceObservation(
                product=product,
                observed_on=months[-1],
                source="retail_survey",
                unit_price=quantize_unit_price(base * Decimal("1.3")),
                import_batch=BATCH,
            )
        )
    PriceObservation.objects.bulk_create(rows, batch_size=2000)
    ReferencePrice.objects.bulk_create(payment_refs)
    return {"observations": len(rows), **planted}


def _non_selected(months, hospitals) -> int:
    """Non-selected products of the demo tenders' lots bought at a multiple of the awarded price."""

    reference_prices_sync_awards()
    day = months[-1] + timedelta(days=3)
    refs = list(
        ReferencePrice.objects.filter(kind="vbp_awarded", selected=False, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("product")
        .order_by("pk")[:3]
    )
    rows = []
    for i, ref in enumerate(refs):
        hospital = hospitals[i % len(hospitals)]
        price = quantize_unit_price(ref.unit_price * Decimal("3"))
        rows.append(
            PriceObservation(
                product=ref.product,
                hospital=hospital,
                region=hospital.region,
                observed_on=day,
                unit_price=price,
                quantity=500,
                amount=quantize_amount(price * 500),
                source="off_platform",
                import_batch=BATCH,
            )
        )
    PriceObservation.objects.bulk_create(rows)
    return len(rows)


def _letter(alert: PriceAlert) -> str:
    """The letter the case page drafts: the hospital, the product and the prices compared, month by month."""
    return selectors.inquiry_letter(alert, selectors.case_months(alert, selectors.price_history(alert)))


def _inquiries(alerts: list, official: User, reps: dict[int, User]) -> int:
    """函询 sent on these cases: every other one answered, one never answered and past its reply date."""
    today = timezone.localdate()
    for i, alert in enumerate(alerts):
        svc.alert_assign(alert=alert, assignee=official, by=official)
        inquiry = svc.alert_send_inquiry(
            alert=alert,
            recipient=alert.manufacturer,
            reply_due=today + timedelta(days=15),
            by=official,
            letter=_letter(alert),
        )
        if i % 2 == 0:
            svc.inquiry_reply(
                inquiry=inquiry,
                by=reps[alert.manufacturer_id],
                reply="该批次因原料药价格上涨及小批量配送，成本上升；已安排与医疗机构协商调整。",
            )
        elif i == 1:
            # an inquiry sent weeks ago and never answered: the inbox flags it overdue
            type(inquiry).objects.filter(pk=inquiry.pk).update(reply_due=today - timedelta(days=3))
    return len(alerts)


def _reviews(official: User, reps: dict[int, User]) -> dict:

    today = timezone.localdate()
    alerts = list(PriceAlert.objects.filter(status="open").order_by("-score", "pk"))
    with_rep = [a for a in alerts if a.manufacturer_id in reps]
    # the makers with logins keep a dozen cases for their letters; the rest go with the others' to the other steps
    others = [a for a in alerts if a.manufacturer_id not in reps] + with_rep[12:]
    with_rep = with_rep[:12]
    without_listing = [a for a in others if not _has_active_listing(a.product_id)]
    done = {"in_review": 0, "inquiry_sent": 0, "interviewed": 0, "resolved": 0, "dismissed": 0}

    def take(pool):
        alert = pool.pop(0)
        for other_pool in (with_rep, others, without_listing):
            if alert in other_pool:
                other_pool.remove(alert)
        return alert

    for _ in range(min(8, len(others))):
        svc.alert_assign(alert=take(others), assignee=official, by=official)
        done["in_review"] += 1
    done["inquiry_sent"] += _inquiries([take(with_rep) for _ in range(min(6, len(with_rep)))], official, reps)
    for _ in range(min(3, len(with_rep))):
        alert = take(with_rep)
        svc.alert_assign(alert=alert, assignee=official, by=official)
        inquiry = svc.alert_send_inquiry(
            alert=alert,
            recipient=alert.manufacturer,
            reply_due=today + timedelta(days=10),
            letter=_letter(alert),
            by=official,
        )
        svc.inquiry_reply(
            inquiry=inquiry, by=reps[alert.manufacturer_id], reply="已核实，系个别医疗机构急需时的临时采购。"
        )
        svc.alert_record_interview(
            alert=alert,
            held_on=today - timedelta(days=1),
            by=official,
            participants="价格招采处 王价格；企业销售负责人；医疗机构药剂科主任",
            minutes="企业说明了成本构成，承诺下月起按挂网价供应，并提交书面承诺。",
        )
        done["interviewed"] += 1
    resolutions = [
        ("justified", None, "经核实为急救临时采购，价格合理。"),
        ("justified", None, "规格差异导致，按最小单位折算后无异常。"),
        ("corrected", "ref", "企业同意按同类机构中位价供应。"),
        ("credit_referred", None, "企业无正当理由维持高价，移交信用评价。"),
    ]
    for disposition, price, note in resolutions:
        # a correction prefers a product not listed; otherwise the listed price follows the corrected one
        pool = (without_listing or others) if disposition == "corrected" else others
        if price:  # a correction to the peers' median: a case about a price (a volume case has none)
            pool = [a for a in pool if a.reference_value] or [a for a in others if a.reference_value]
        if not pool:
            continue
        alert = take(pool)
        svc.alert_assign(alert=alert, assignee=official, by=official)
        svc.alert_resolve(
            alert=alert,
            disposition=disposition,
            note=note,
            by=official,
            corrected_price=str(alert.reference_value) if price and alert.reference_value else None,
        )
        done["resolved"] += 1
    dismiss = [take(others) for _ in range(min(4, len(others)))]
    if dismiss:
        svc.alerts_bulk_dismiss(
            alert_ids=[a.pk for a in dismiss], reason="核实为数据录入错误（单位填写为包装单位）", by=official
        )
        done["dismissed"] = len(dismiss)
    return done


def _has_active_listing(product_id: int) -> bool:

    return Listing.objects.filter(product_id=product_id, status="active").exists()


def _credit(official: User, today: date) -> int:

    created = 0
    makers = {o.name: o for o in Organization.objects.filter(kind__in=["manufacturer", "distributor"])}
    referred = PriceAlert.objects.filter(disposition="credit_referred").select_related("manufacturer").first()
    specs = [
        (
            "北辰制药股份有限公司",
            "price_fraud",
            "2020",
            "general",
            "20000",
            "价格函询后仍在部分医疗机构以高于挂网价销售，金额约 2 万元。",
            [],
            referred,
        ),
        (
            "大漠药业有限公司",
            "bribery",
            "2020",
            "serious",
            "350000",
            "（2026）蒙0102刑初58号判决：向医疗机构人员给予回扣 35 万元。",
            "products",
            None,
        ),
        (
            "岭北医药配送有限公司",
            "breach",
            "2025",
            "very_serious",
            "1200000",
            "中选产品配送合同期内多次恶意断供，造成短缺。",
            [],
            None,
        ),
        (
            "黄河医药化工有限公司",
            "tax",
            "2020",
            "medium",
            "120000",
            "税务机关认定虚开发票 12 万元（已补缴并整改）。",
            [],
            None,
        ),
    ]
    for name, behaviour, scheme, level, amount, evidence, products, alert in specs:
        org = makers.get(name)
        if org is None:
            continue
        if products == "products":
            # listed products first: the record suspends their listings (and so their orders and deliveries)
            mine = list(Product.objects.filter(manufacturer=org).order_by("pk")[:20])
            products = sorted(mine, key=lambda p: not _has_active_listing(p.pk))[:2]
            if not products:
                continue
        record = credit_record_create(
            organization=org,
            behaviour=behaviour,
            scheme=scheme,
            level=level,
            amount=amount,
            evidence=evidence,
            start=today - timedelta(days=40),
            products=products,
            alert=alert,
            by=official,
        )
        created += 1
        if level == "medium":
            credit_record_repair(
                record=record, note="已补缴税款、完成整改并公开信用承诺，申请信用修复获准。", by=official
            )
    credit_rate_quarter(day=today)
    return created


def _letters_to_answer(official: User) -> int:
    """The demo makers with logins each hold one letter still to answer (their workbench's to-do): sent on their open
    case of highest score when they have none unanswered. A second run finds them and sends nothing."""
    sent = 0
    for rep in User.objects.filter(username__in=("mfr", "mfr2")).select_related("organization").order_by("username"):
        if Inquiry.objects.filter(recipient=rep.organization, replied_at__isnull=True).exists():
            continue
        alert = PriceAlert.objects.filter(manufacturer=rep.organization, status="open").order_by("-score", "pk").first()
        if alert is None:
            continue
        svc.alert_assign(alert=alert, assignee=official, by=official)
        svc.alert_send_inquiry(
            alert=alert,
            recipient=alert.manufacturer,
            reply_due=timezone.localdate() + timedelta(days=15),
            by=official,
            letter=_letter(alert),
        )
        sent += 1
    return sent


def seed(ctx: DemoContext) -> str:
    if PriceObservation.objects.filter(import_batch=BATCH).exists():
        _letters_to_answer(User.objects.get(username="official"))
        return (
            f"{PriceObservation.objects.count()} 条价格监测记录，{PriceAlert.objects.count()} 条预警，"
            f"{CreditRecord.objects.count()} 条信用记录（已存在）"
        )

    official = User.objects.get(username="official")
    reps = {u.organization_id: u for u in User.objects.filter(roles__code="manufacturer_rep").order_by("pk")}
    today = timezone.localdate()
    months = _months(today, 6)
    hospitals = list(Organization.objects.filter(kind="hospital").select_related("region").order_by("pk"))
    counts = _observations(ctx, _products(), hospitals, months)
    counts["non_selected"] = _non_selected(months, hospitals)
    scan = price_scan_run(full=True)
    reviews = _reviews(official, reps)
    reviews["inquiry_sent"] += _letters_to_answer(official)
    credit = _credit(official, today)
    shortages = shortage_watch_run(today=today)["opened"]
    return (
        f"{counts['observations']} 条价格监测记录，扫描新开 {scan.alerts_opened} 条预警"
        f"（审核中 {reviews['in_review']}、已函询 {reviews['inquiry_sent']}、已约谈 {reviews['interviewed']}、"
        f"已处置 {reviews['resolved']}、已排除 {reviews['dismissed']}），{credit} 条信用记录，{shortages} 条短缺预警"
    )
