"""Alert cases and signals keep what their summary says (a message and its parameters, common.messages) beside its
Chinese text. Rows found before are converted where the summary has one of the detectors' forms; the others keep
their text, the fallback of `summary_text`."""

import re

from django.db import migrations, models

LABEL = r"(?P<label>[^：]+)"
KNOWN = [
    (
        LABEL
        + r"：单价 (?P<price>[\d.]+) 为同类机构中位价 (?P<median>[\d.]+) 的 (?P<times>[\d.]+) 倍（(?P<n>\d+) 家机构）",
        "%(label)s：单价 %(price)s 为同类机构中位价 %(median)s 的 %(times)s 倍（%(n)s 家机构）",
    ),
    (
        LABEL + r"：(?P<where>本机构|全区)价格由近 (?P<k>\d+) 个采购月的中位价 (?P<base>[\d.]+) 升至 (?P<price>[\d.]+)"
        r"（\+(?P<own>-?\d+)%，扣除同期市场变动后 \+(?P<net>-?\d+)%）",
        "%(label)s：%(where)s价格由近 %(k)s 个采购月的中位价 %(base)s 升至 %(price)s（+%(own)s%%，扣除同期市场变动后 +%(net)s%%）",
    ),
    (
        LABEL
        + r"：单价 (?P<price>[\d.]+) 高于(?P<reference>挂网价|全国最低挂网价|医保支付标准) (?P<ref>[\d.]+)（\+(?P<pct>-?\d+)%）",
        "%(label)s：单价 %(price)s 高于%(reference)s %(ref)s（+%(pct)s%%）",
    ),
    (
        LABEL + r"：非中选产品单价 (?P<price>[\d.]+)，为中选价 (?P<ref>[\d.]+) 的 (?P<times>[\d.]+) 倍",
        "%(label)s：非中选产品单价 %(price)s，为中选价 %(ref)s 的 %(times)s 倍",
    ),
    (
        LABEL + r"：本月采购 (?P<qty>\d+)，为本机构常规月用量 (?P<usual>[\d.]+) 的 (?P<times>[\d.]+) 倍",
        "%(label)s：本月采购 %(qty)s，为本机构常规月用量 %(usual)s 的 %(times)s 倍",
    ),
]
LABELS = {"label", "where", "reference"}  # parameters that are themselves translatable labels


def _message(text: str) -> dict:
    for pattern, msgid in KNOWN:
        m = re.fullmatch(pattern, text or "")
        if m:
            params = {k: {"text": v, "params": {}} if k in LABELS else v for k, v in m.groupdict().items()}
            return {"text": msgid, "params": params}
    return {}


def forwards(apps, schema_editor):
    for name in ("PriceAlert", "Signal"):
        model = apps.get_model("pricing", name)
        changed = []
        for row in model.objects.filter(summary_message={}).only("pk", "summary").iterator(chunk_size=2000):
            row.summary_message = _message(row.summary)
            if row.summary_message:
                changed.append(row)
        model.objects.bulk_update(changed, ["summary_message"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0002_partition_price_observations"),
    ]

    operations = [
        migrations.AddField(
            model_name="pricealert",
            name="summary_message",
            field=models.JSONField(blank=True, default=dict, verbose_name="摘要（消息）"),
        ),
        migrations.AddField(
            model_name="signal",
            name="summary_message",
            field=models.JSONField(blank=True, default=dict, verbose_name="摘要（消息）"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
