"""Links of the catalog in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("official", Link(_("目录导入"), "catalog:import-list", "catalog.import")),
]
