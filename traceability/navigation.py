"""Links of traceability codes in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("purchaser", Link(_("追溯码库存"), "traceability:stock", "order.receive")),
    ("purchaser", Link(_("按码退货"), "traceability:returns", "order.receive")),
    ("purchaser", Link(_("追溯码异常"), "traceability:flags", "order.receive")),
    ("official", Link(_("追溯码异常"), "traceability:flags", "progress.view_all")),
    ("fund", Link(_("追溯码异常与发药导入"), "traceability:flags", "settlement.manage")),
]
