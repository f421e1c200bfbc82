"""Portal links of objections and appeals (accounts.navigation gathers them)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("manufacturer", Link(_("异议与申诉"), "transparency:objection-list", "transparency.object")),
    ("distributor", Link(_("异议与申诉"), "transparency:objection-list", "transparency.object")),
    ("official", Link(_("异议答复"), "transparency:answer-queue", "transparency.answer")),
    ("supervisor", Link(_("申诉裁决"), "transparency:appeal-queue", "transparency.decide_appeal")),
    ("supervisor", Link(_("异议与申诉"), "transparency:objection-list", "transparency.decide_appeal")),
]
