"""Links of payment standards in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("official", Link(_("医保支付标准"), "payment_standards:list", "payment_standard.view")),
    ("official", Link(_("支付标准审核发布"), "payment_standards:review", "payment_standard.manage")),
    ("fund", Link(_("医保支付标准"), "payment_standards:list", "payment_standard.view")),
    ("fund", Link(_("支付标准审核发布"), "payment_standards:review", "payment_standard.manage")),
    ("purchaser", Link(_("医保支付标准"), "payment_standards:list", "payment_standard.view")),
]
