"""The role-aware navigation: which portal sections and links a user sees.

Each capability adds its links here under its portal; a link is shown when the user holds its capability.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from common.discovery import app_modules

from .permissions import can


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    capability: str


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    capability: str
    links: tuple[Link, ...]


SECTIONS: tuple[Section, ...] = (
    Section("purchaser", _("医疗机构采购"), "portal.purchaser", ()),
    Section("manufacturer", _("生产企业"), "portal.manufacturer", ()),
    Section("distributor", _("配送企业"), "portal.distributor", ()),
    Section("official", _("医保局价格招采"), "portal.official", ()),
    Section("fund", _("医保基金结算"), "portal.fund", ()),
    Section("supervisor", _("监督"), "portal.supervisor", ()),
    Section("pharmacy", _("定点零售药店"), "portal.pharmacy", ()),
)

# Links of this app; every other app adds its own in `<app>/navigation.py` as LINKS = [(section key, Link)].
LINKS: list[tuple[str, Link]] = [
    ("purchaser", Link(_("本机构信息"), "accounts:organization-list", "portal.purchaser")),
    ("manufacturer", Link(_("本企业信息"), "accounts:organization-list", "portal.manufacturer")),
    ("distributor", Link(_("本企业信息"), "accounts:organization-list", "portal.distributor")),
    ("pharmacy", Link(_("本药店信息"), "accounts:organization-list", "portal.pharmacy")),
    ("official", Link(_("机构名录"), "accounts:organization-list", "organization.view_all")),
    ("fund", Link(_("机构名录"), "accounts:organization-list", "organization.view_all")),
]


@lru_cache(maxsize=1)
def all_links() -> dict[str, list[Link]]:
    by_section: dict[str, list[Link]] = {s.key: [] for s in SECTIONS}
    for _app_config, module in app_modules("navigation"):
        for section_key, link in getattr(module, "LINKS", []):
            by_section[section_key].append(link)
    return by_section


def navigation_for(user) -> list[dict]:
    result = []
    links_by_section = all_links()
    for section in SECTIONS:
        if not can(user, section.capability):
            continue
        links = []
        for link in links_by_section[section.key]:
            if not can(user, link.capability):
                continue
            try:
                links.append({"label": link.label, "url": reverse(link.url_name)})
            except NoReverseMatch:
                continue
        result.append({"key": section.key, "label": section.label, "links": links})
    return result
