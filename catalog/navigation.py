"""Links of the catalog in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("purchaser", Link(_("药品耗材目录"), "catalog:product-list", "catalog.view")),
    ("manufacturer", Link(_("药品耗材目录"), "catalog:product-list", "catalog.view")),
    ("distributor", Link(_("药品耗材目录"), "catalog:product-list", "catalog.view")),
    ("official", Link(_("药品耗材目录"), "catalog:product-list", "catalog.view")),
    ("fund", Link(_("药品耗材目录"), "catalog:product-list", "catalog.view")),
    ("official", Link(_("目录导入"), "catalog:import-list", "catalog.import")),
]
