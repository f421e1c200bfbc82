"""The role-aware navigation: which portal sections and links a user sees.

Each capability adds its links here under its portal; a link is shown when the user holds its capability.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

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
    Section(
        "purchaser",
        _("医疗机构采购"),
        "portal.purchaser",
        (Link(_("本机构信息"), "accounts:organization-list", "portal.purchaser"),),
    ),
    Section(
        "manufacturer",
        _("生产企业"),
        "portal.manufacturer",
        (Link(_("本企业信息"), "accounts:organization-list", "portal.manufacturer"),),
    ),
    Section(
        "distributor",
        _("配送企业"),
        "portal.distributor",
        (Link(_("本企业信息"), "accounts:organization-list", "portal.distributor"),),
    ),
    Section(
        "official",
        _("医保局价格招采"),
        "portal.official",
        (Link(_("机构名录"), "accounts:organization-list", "organization.view_all"),),
    ),
    Section(
        "fund",
        _("医保基金结算"),
        "portal.fund",
        (Link(_("机构名录"), "accounts:organization-list", "organization.view_all"),),
    ),
)


def navigation_for(user) -> list[dict]:
    result = []
    for section in SECTIONS:
        if not can(user, section.capability):
            continue
        links = []
        for link in section.links:
            if not can(user, link.capability):
                continue
            try:
                links.append({"label": link.label, "url": reverse(link.url_name)})
            except NoReverseMatch:
                continue
        result.append({"key": section.key, "label": section.label, "links": links})
    return result
