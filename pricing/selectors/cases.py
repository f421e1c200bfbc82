"""An alert's case: its months (signals, observations, peers), its events and the inquiry letter drafted from them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization
from catalog.identity import identity
from common.models import events_for

from ..detectors import labels as detector_labels
from ..models import PriceAlert, PriceObservation

# lazy: translated when shown, in the reader's language (not once, when the module is imported)
# Plain-language explanations of each signal kind (shown beside its numbers on the case page).
SIGNAL_EXPLANATIONS = {
    "peer_outlier": gettext_lazy(
        "本机构当月单价与同月采购同一产品的其他医疗机构相比明显偏高：同类机构中位价是把各机构当月单价从低到高排列后居中的价格；"
        "判断界限按各机构价格的离散程度自动放宽，且至少高出中位价 20%。"
    ),
    "peer_outlier_group": gettext_lazy(
        "与同通用名、剂型、规格的所有产品（按最小制剂单位比价）的当月中位价相比明显偏高。"
    ),
    "sudden_change": gettext_lazy(
        "本机构当月单价较其最近几个有采购月份的中位价（跳过无采购月份）明显上涨，且扣除同期全区同一产品的整体价格变动后仍明显上涨。"
    ),
    "volume_spike": gettext_lazy(
        "本机构当月采购量远高于其自身前后各月的常规用量（已按同期全区同一产品用量的季节变化校正）：既达到设定倍数，"
        "又远超该机构月用量的正常波动（波动幅度参照同一产品各医疗机构的情况），超出部分的金额也达到下限。"
    ),
    "non_selected_premium": gettext_lazy("非中选产品的采购价超过同品种中选价的设定倍数。"),
    "above_listed": gettext_lazy("采购价高于当日有效的平台挂网价。"),
    "above_national_lowest": gettext_lazy("采购价高于全国最低挂网价（仅供参考）。"),
    "above_payment_standard": gettext_lazy("采购价高于医保支付标准，差额由患者负担（按政策属正常情况，仅供参考）。"),
}


def case_months(alert: PriceAlert, history: dict) -> list[dict]:
    """The case's months, oldest first: this hospital's price, the peers' median and count, the deviation in per
    cent, the money at stake (the largest of the month's signals), the signals in words, and the observations
    behind the price (date, quantity, price, source, import batch)."""
    labels = detector_labels()
    signals = list(alert.signals.order_by("month", "kind"))
    by_series = {s["month"]: s for s in history["series"]}
    months = sorted({s.month for s in signals})
    observations = _observations_by_month(alert, months)
    rows = []
    for month in months:
        own = [s for s in signals if s.month == month]
        point = by_series.get(month, {})
        price, median = point.get("own"), point.get("peers")
        main = [s for s in own if not s.informational] or own
        rows.append(
            {
                "month": month,
                "price": price,
                "median": median,
                "peers": point.get("peer_count"),
                "deviation": None if not (price and median) else round((price / median - 1) * 100, 1),
                "amount": max(s.amount_at_stake for s in main),
                "signals": [
                    {
                        "kind": s.kind,
                        "label": labels.get(s.kind, s.kind),
                        "summary": s.summary_text,
                        "informational": s.informational,
                        "strength": s.strength,
                        "score": s.score,
                        "explanation": SIGNAL_EXPLANATIONS.get(s.kind, ""),
                        "peers": _peer_names(s.evidence.get("distribution") or []),
                    }
                    for s in own
                ],
                "observations": observations.get(month, []),
            }
        )
    return rows


def _observations_by_month(alert: PriceAlert, months: list[date]) -> dict[date, list[PriceObservation]]:
    if not months or alert.hospital_id is None:
        return {}
    last = months[-1]
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    out: dict[date, list[PriceObservation]] = defaultdict(list)
    for obs in PriceObservation.objects.filter(
        product_id=alert.product_id, hospital_id=alert.hospital_id, observed_on__gte=months[0], observed_on__lt=end
    ).order_by("observed_on", "pk")[:500]:
        month = obs.observed_on.replace(day=1)
        if month in months:
            out[month].append(obs)
    return out


def _peer_names(distribution: list[dict]) -> list[dict]:
    names = dict(Organization.objects.filter(pk__in={d["hospital_id"] for d in distribution}).values_list("pk", "name"))
    return [{**d, "hospital": names.get(d["hospital_id"], d["hospital_id"])} for d in distribution]


def case_events(alert: PriceAlert) -> list:
    """The case's audit events; each says its step and states in words (`action_label`, `from_label`, `to_label`,
    from PriceAlert.EVENT_LABELS and its statuses: common.labels)."""
    return list(events_for(alert))


VOLUME_KINDS = {"volume_spike"}


def inquiry_letter(alert: PriceAlert, months: list[dict]) -> str:
    """The 函询 letter's draft: names the hospital, the product and, month by month, the prices compared (for the
    months with a price signal) and the quantities (for a volume signal: its own line, from the signal)."""
    subject = alert.hospital.name if alert.hospital else _("全区各医疗机构")
    # the product as every page names it (strength, form, pack, maker), so the letter cannot be read as another one
    product = f"{identity(alert.product, maker=alert.manufacturer or alert.product.manufacturer)}（{alert.product.nhsa_code}）"
    names = {"subject": subject, "product": product}
    volume_only = set(alert.kinds) <= VOLUME_KINDS
    lines = [
        (
            _("关于%(subject)s采购%(product)s数量情况的函询")
            if volume_only
            else _("关于%(subject)s采购%(product)s价格情况的函询")
        )
        % names,
        "",
        (
            _("经价格监测，%(subject)s采购%(product)s的数量存在以下情况：")
            if volume_only
            else _("经价格监测，%(subject)s采购%(product)s的价格存在以下情况：")
        )
        % names,
    ]
    for row in months:
        priced = any(not s["informational"] and s["kind"] not in VOLUME_KINDS for s in row["signals"])
        if priced and row["price"] and row["median"]:
            lines.append(
                _(
                    "%(month)s：采购单价 %(price).4f 元，同期 %(peers)s 家医疗机构中位价 %(median).4f 元，高出 %(dev)s%%；"
                )
                % {
                    "month": row["month"].strftime("%Y-%m"),
                    "price": row["price"],
                    "peers": row["peers"],
                    "median": row["median"],
                    "dev": row["deviation"],
                }
            )
        for s in row["signals"]:
            if not s["informational"]:
                lines.append(f"  · {s['summary']}")
    lines += [
        "",
        _("请于回复期限前在平台说明采购量增加的原因并提供相关材料。")
        if volume_only
        else _("请于回复期限前在平台说明价格形成原因并提供相关材料。"),
    ]
    return "\n".join(lines)
