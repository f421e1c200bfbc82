"""Links of purchase contracts in the portal navigation (see accounts.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.navigation import Link

LINKS = [
    ("purchaser", Link(_("购销合同"), "contracts:list", "contract.sign")),
    ("manufacturer", Link(_("购销合同"), "contracts:list", "contract.sign")),
    ("distributor", Link(_("购销合同"), "contracts:list", "contract.sign")),
    ("official", Link(_("购销合同"), "contracts:list", "contract.view")),
    ("purchaser", Link(_("签名密钥"), "contracts:keys", "contract.sign")),
    ("manufacturer", Link(_("签名密钥"), "contracts:keys", "contract.sign")),
    ("distributor", Link(_("签名密钥"), "contracts:keys", "contract.sign")),
]
