"""Links of direct settlement in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("fund", Link(_("结算单审核与支付"), "settlement:list", "settlement.manage")),
    ("fund", Link(_("逾期付款"), "settlement:overdue", "settlement.manage")),
    ("fund", Link(_("导入银行回单"), "settlement:payment-import", "settlement.manage")),
    ("fund", Link(_("基金余额"), "settlement:balances", "settlement.manage")),
    ("fund", Link(_("对账报表"), "settlement:reconciliation", "settlement.manage")),
    ("fund", Link(_("结余留用"), "settlement:retained-savings", "settlement.manage")),
    ("fund", Link(_("基金预算与绩效"), "settlement:fund-position", "settlement.manage")),
    ("manufacturer", Link(_("结算单与回款"), "settlement:list", "settlement.claim")),
    ("purchaser", Link(_("结算单确认"), "settlement:list", "settlement.confirm")),
    ("purchaser", Link(_("预付金与结算余额"), "settlement:balances", "settlement.confirm")),
    ("purchaser", Link(_("本院预算、结余留用与绩效"), "settlement:my-position", "settlement.confirm")),
]
