"""Links of qualifications in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("manufacturer", Link(_("资质证照"), "qualifications:list", "qualification.manage")),
    ("distributor", Link(_("资质证照"), "qualifications:list", "qualification.manage")),
    ("official", Link(_("证照到期"), "qualifications:expiring", "qualification.view_all")),
]
