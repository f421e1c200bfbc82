"""Demo: the releases of every published demo tender and its call-offs (after all apps have seeded, so that the
payments are in). Run twice, it stores nothing the second time: unchanged processes get no new release."""

from common.demo import DemoContext

from .models import OcdsRelease
from .services import releases_publish_all


def seed_late(ctx: DemoContext) -> str:
    stored = releases_publish_all()
    return f"OCDS 发布 {OcdsRelease.objects.count()} 条（本次新增 {stored} 条）"
