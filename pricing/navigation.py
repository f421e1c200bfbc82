"""Links of price monitoring and credit in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("official", Link(_("价格预警"), "pricing:alert-list", "pricing.view")),
    ("official", Link(_("信用评价"), "pricing:credit-list", "pricing.view")),
    ("official", Link(_("短缺药品监测"), "pricing:shortage-list", "pricing.view")),
    ("official", Link(_("价格数据导入"), "pricing:imports", "pricing.import")),
    ("manufacturer", Link(_("价格函询"), "pricing:inquiry-list", "pricing.answer_inquiry")),
    ("manufacturer", Link(_("本企业信用"), "pricing:my-credit", "pricing.own_credit")),
    ("distributor", Link(_("价格函询"), "pricing:inquiry-list", "pricing.answer_inquiry")),
    ("distributor", Link(_("本企业信用"), "pricing:my-credit", "pricing.own_credit")),
    ("purchaser", Link(_("价格函询"), "pricing:inquiry-list", "pricing.answer_inquiry")),
]
