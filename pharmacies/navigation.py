"""Links of pharmacies in the portal navigation (see accounts.navigation): the pharmacy's own portal (ordering as a
hospital does, within its rule) and the officials' 双通道 designations and negotiated-drug monitoring."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("pharmacy", Link(_("谈判药挂网采购"), "orders:search", "order.place")),
    ("pharmacy", Link(_("购物车"), "orders:cart", "order.place")),
    ("pharmacy", Link(_("订单跟踪"), "orders:list", "order.view")),
    ("pharmacy", Link(_("到货验收"), "orders:deliveries", "order.receive")),
    ("pharmacy", Link(_("追溯码库存"), "traceability:stock", "order.receive")),
    ("pharmacy", Link(_("双通道认定"), "pharmacies:designations", "dual_channel.view")),
    ("official", Link(_("双通道定点药店"), "pharmacies:designations", "dual_channel.view")),
    ("official", Link(_("谈判药监测"), "pharmacies:monitoring", "negotiated.monitor")),
    ("fund", Link(_("双通道定点药店"), "pharmacies:designations", "dual_channel.view")),
    ("fund", Link(_("谈判药监测"), "pharmacies:monitoring", "negotiated.monitor")),
]
