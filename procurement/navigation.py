"""Links of procurement in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("purchaser", Link(_("带量采购"), "tenders:list", "tender.view")),
    ("manufacturer", Link(_("带量采购"), "tenders:list", "tender.view")),
    ("official", Link(_("带量采购"), "tenders:list", "tender.view")),
]
