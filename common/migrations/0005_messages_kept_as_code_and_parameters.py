"""Notifications keep what they mean (a message and its parameters, common.messages) beside their Chinese text.

Rows written before are converted where their title or body has a known form; the others keep their text, which is
what they show (in every language) — the fallback of `Notification.title_text` / `body_text`.
"""

import re

from django.db import migrations, models

# (pattern of the stored Chinese text, the message it was rendered from, its parameters in the pattern's order)
KNOWN = [
    (r"结算单 (?P<number>\S+) 逾期未付（应付日 (?P<due>[\d-]+)）", "结算单 %(number)s 逾期未付（应付日 %(due)s）"),
    (r"请于 (?P<due>[\d-]+) 前确认结算单 (?P<number>\S+)", "请于 %(due)s 前确认结算单 %(number)s"),
    (r"逾期未确认的结算单视同确认。", "逾期未确认的结算单视同确认。"),
    (
        r"(?P<hospital>.+) → (?P<manufacturer>.+)，结算金额 (?P<amount>¥[\d,.]+)，已付 (?P<paid>¥[\d,.]+)。",
        "%(hospital)s → %(manufacturer)s，结算金额 %(amount)s，已付 %(paid)s。",
    ),
    (r"约定采购量难以完成：(?P<lot>.+)", "约定采购量难以完成：%(lot)s"),
    (r"约定采购量进度滞后：(?P<lot>.+)", "约定采购量进度滞后：%(lot)s"),
    (
        r"累计入库 (?P<received>\d+)，按进度应完成 (?P<expected>\d+)，约定采购量 (?P<agreed>\d+)（截至 (?P<until>[\d-]+)）",
        "累计入库 %(received)s，按进度应完成 %(expected)s，约定采购量 %(agreed)s（截至 %(until)s）",
    ),
    (r"价格函询：(?P<summary>.+)", "价格函询：%(summary)s"),
    (r"函询已回复：(?P<summary>.+)", "函询已回复：%(summary)s"),
    (r"函询回复期限 (?P<due>[\d-]+)：(?P<summary>.+)", "函询回复期限 %(due)s：%(summary)s"),
]


def _message(text: str) -> dict:
    for pattern, msgid in KNOWN:
        m = re.fullmatch(pattern, text or "", re.S)
        if m:
            return {"text": msgid, "params": m.groupdict()}
    return {}


def forwards(apps, schema_editor):
    Notification = apps.get_model("common", "Notification")
    changed = []
    for note in Notification.objects.filter(message={}).only("pk", "title", "body").iterator(chunk_size=2000):
        message = {"title": _message(note.title), "body": _message(note.body)}
        if message["title"] or message["body"]:
            note.message = message
            changed.append(note)
        if len(changed) >= 2000:
            Notification.objects.bulk_update(changed, ["message"])
            changed = []
    Notification.objects.bulk_update(changed, ["message"])


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0004_partition_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="message",
            field=models.JSONField(blank=True, default=dict, verbose_name="消息"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
