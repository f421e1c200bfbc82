"""The audit trail shared by every app: who did what to which object, when, from which state to which."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .labels import event_label, status_label
from .messages import render


class AuditEvent(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("操作"), max_length=50)
    from_state = models.CharField(_("原状态"), max_length=30, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("操作人")
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("操作机构")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"

    @property
    def subject_model(self):
        return ContentType.objects.get_for_id(self.content_type_id).model_class()  # cached: no query per event

    @property
    def action_label(self) -> str:
        return event_label(self.subject_model, self.action)

    @property
    def from_label(self) -> str:
        return status_label(self.subject_model, self.from_state)

    @property
    def to_label(self) -> str:
        return status_label(self.subject_model, self.to_state)


def record_event(
    subject: models.Model,
    action: str,
    *,
    by=None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one audit row. Call it inside the service's transaction, after the change."""
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        object_id=subject.pk,
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        actor=by if getattr(by, "pk", None) else None,
        organization_id=getattr(by, "organization_id", None),
        note=note,
        data=data or {},
    )


def events_for(subject: models.Model):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=True), object_id=subject.pk
    ).select_related("actor")


class OutboxMessage(models.Model):
    """A Celery task to send, written in the same transaction as the change that calls for it.

    The row commits (or rolls back) with the business data; after commit the platform tries to send it at
    once, and a periodic job sends whatever is still pending (e.g. the broker was down). A dedupe key
    coalesces bursts: while a message with the same key is pending, enqueueing again adds nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发任务")
        verbose_name_plural = _("待发任务")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(status="pending") & ~models.Q(dedupe_key=""),
                name="outbox_one_pending_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.get_status_display()}"


class Notification(models.Model):
    """An in-platform message to an organisation (its users see it in their portal). `topic` identifies what it is
    about, so the job raising it can tell whether the same message was already sent."""

    class Level(models.TextChoices):
        INFO = "info", _("提示")
        WARNING = "warning", _("预警")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收机构")
    )
    kind = models.CharField(_("类别"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # what the title and body mean ({"title": message, "body": message}, common.messages), rendered in the reader's
    # language; the texts above are their Chinese rendering, the fallback for rows written without one
    message = models.JSONField(_("消息"), default=dict, blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    topic = models.CharField(_("事项"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "read_at", "created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title

    @property
    def title_text(self) -> str:
        return render((self.message or {}).get("title"), self.title)

    @property
    def body_text(self) -> str:
        return render((self.message or {}).get("body"), self.body)

    @property
    def kind_label(self) -> str:
        from .notifications import kind_label  # noqa: PLC0415 - cycle: common.notifications imports common.models

        return kind_label(self.kind)


class Job(models.Model):
    """A long job started from a page (statement generation, price scan, progress recompute), run by a Celery
    worker. The page polls its status endpoint: the row says queued/running/succeeded/failed, the step reached
    is kept in the cache while it runs (a job's own transaction would hide it)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=50)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("机构")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    message = models.TextField(_("结果"), blank=True)
    # what the outcome says, as a message and its parameters (common.messages), shown in the reader's language;
    # `message` is its rendering in the source language (Chinese), the fallback for jobs finished before
    message_data = models.JSONField(_("结果（消息）"), default=dict, blank=True)
    result = models.JSONField(_("结果数据"), default=dict, blank=True)
    link = models.CharField(_("结果链接"), max_length=300, blank=True)
    language = models.CharField(_("语言"), max_length=16, blank=True)  # of the user who started it
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.get_status_display()}"

    @property
    def message_text(self) -> str:
        return render(self.message_data, self.message)

    @property
    def done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
