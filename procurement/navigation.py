"""Links of procurement in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("purchaser", Link(_("带量采购"), "tenders:list", "tender.view")),
    ("purchaser", Link(_("挂网采购"), "orders:search", "order.place")),
    ("purchaser", Link(_("购物车"), "orders:cart", "order.place")),
    ("purchaser", Link(_("订单跟踪"), "orders:list", "order.view")),
    ("purchaser", Link(_("到货验收"), "orders:deliveries", "order.receive")),
    ("purchaser", Link(_("线上采购率"), "orders:share", "online_share.view")),
    ("purchaser", Link(_("线下采购上报"), "orders:offplatform", "offplatform.import")),
    ("purchaser", Link(_("约定采购量进度"), "progress:hospital", "progress.view_hospital")),
    ("manufacturer", Link(_("带量采购"), "tenders:list", "tender.view")),
    ("manufacturer", Link(_("中选产品执行情况"), "progress:manufacturer", "progress.view_manufacturer")),
    ("manufacturer", Link(_("挂网申请"), "listings:list", "listing.apply")),
    ("distributor", Link(_("待处理订单"), "orders:incoming", "order.fulfil")),
    ("distributor", Link(_("全部订单"), "orders:list", "order.view")),
    ("distributor", Link(_("配送单"), "orders:deliveries", "order.view")),
    ("official", Link(_("带量采购"), "tenders:list", "tender.view")),
    ("official", Link(_("约定采购量完成进度"), "progress:dashboard", "progress.view_all")),
    ("official", Link(_("采购订单"), "orders:list", "order.view")),
    ("official", Link(_("挂网申请审核"), "listings:list", "listing.manage")),
    ("official", Link(_("线上采购率"), "orders:share", "online_share.view")),
]
