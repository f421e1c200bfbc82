"""Links of procurement in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("purchaser", Link(_("带量采购"), "tenders:list", "tender.view")),
    ("purchaser", Link(_("约定采购量进度"), "progress:hospital", "progress.view_hospital")),
    ("manufacturer", Link(_("带量采购"), "tenders:list", "tender.view")),
    ("manufacturer", Link(_("中选产品执行情况"), "progress:manufacturer", "progress.view_manufacturer")),
    ("official", Link(_("带量采购"), "tenders:list", "tender.view")),
    ("official", Link(_("约定采购量完成进度"), "progress:dashboard", "progress.view_all")),
]
