"""Long-running work (reports, imports, checks) tracked as rows that the UI polls."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q

from .job_registry import job_kind_label


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    SUCCEEDED = "succeeded", _("Hoàn thành")
    FAILED = "failed", _("Thất bại")


class JobLogAction(models.TextChoices):
    RERUN = "rerun", _("Chạy lại")
    MARKED_FAILED = "marked_failed", _("Hệ thống đánh dấu thất bại")


class JobRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> "JobRunQuerySet":
        """Jobs of the units the user may see, and the jobs the user asked for; the administrator sees all."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        scope = unit_scope_q(user, "unit")
        if not scope:  # the empty Q means "everything"; OR-ing it with another Q would keep only the other
            return self.all()
        return self.filter(scope | Q(requested_by=user))

    def unfinished(self) -> "JobRunQuerySet":
        return self.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])


class JobRun(models.Model):
    """One run of a background job: who asked, how far it got, and how it ended.

    Status changes only through the transition methods below, which check the source status.
    """

    kind = models.CharField(_("loại công việc"), max_length=50)
    status = models.CharField(_("trạng thái"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    message = models.CharField(_("bước hiện tại"), max_length=255, blank=True)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    result = models.JSONField(_("kết quả"), default=dict, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    celery_task_id = models.CharField(_("mã tác vụ Celery"), max_length=64, blank=True)
    # Written when the job is queued and every few seconds while a worker runs it (core/jobs.py, through a
    # connection of its own): a running job whose heartbeat stops has lost its worker.
    heartbeat_at = models.DateTimeField(_("tín hiệu gần nhất"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="job_runs",
    )
    unit = models.ForeignKey(
        "areas.AdministrativeUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_runs",
    )
    created_at = models.DateTimeField(_("thời điểm yêu cầu"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)

    objects = JobRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("công việc nền")
        verbose_name_plural = _("công việc nền")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="core_jobrun_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} #{self.pk}"

    @property
    def kind_label(self) -> str:
        return job_kind_label(self.kind)

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    # --- transitions (no I/O; the caller saves) ----------------------------------------------------
    def _require(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise ValidationError(
                _("Không thể thực hiện: công việc đang ở trạng thái “%(status)s”.")
                % {"status": self.get_status_display()}
            )

    def mark_running(self) -> None:
        self._require(JobStatus.QUEUED, JobStatus.RUNNING)  # RUNNING again: a worker redelivered the task
        self.status = JobStatus.RUNNING
        self.attempts += 1
        self.started_at = timezone.now()
        self.heartbeat_at = self.started_at
        self.finished_at = None
        self.progress = 0
        self.error = ""

    def mark_succeeded(self, result: dict) -> None:
        self._require(JobStatus.RUNNING)
        self.status = JobStatus.SUCCEEDED
        self.progress = 100
        self.result = result
        self.message = ""
        self.finished_at = timezone.now()

    def mark_failed(self, error: str) -> None:
        self._require(JobStatus.QUEUED, JobStatus.RUNNING)
        self.status = JobStatus.FAILED
        self.error = error
        self.finished_at = timezone.now()

    def mark_waiting_retry(self, message: str) -> None:
        self._require(JobStatus.RUNNING)
        self.status = JobStatus.QUEUED
        self.message = message

    def mark_requeued(self) -> None:
        self._require(JobStatus.FAILED)
        self.status = JobStatus.QUEUED
        self.progress = 0
        self.message = ""
        self.error = ""
        self.result = {}
        self.started_at = None
        self.finished_at = None
        self.heartbeat_at = timezone.now()

    def stale_reason(
        self,
        *,
        now: datetime,
        heartbeat_timeout: timedelta,
        time_limit: timedelta,
        queue_timeout: timedelta,
        worker_gone: bool = False,
    ) -> str:
        """Why this unfinished job can no longer end by itself, or "" while it still may.

        A running job is dead when no worker holds it any more (``worker_gone``: the process was killed), when
        its heartbeat stopped or when it outlived the task time limit (plus the heartbeat timeout); a queued
        job when no worker took it within ``queue_timeout``.
        """
        seen = self.heartbeat_at or self.started_at or self.created_at
        if self.status == JobStatus.RUNNING:
            if self.started_at and now - self.started_at > time_limit + heartbeat_timeout:  # grace: the last write
                return _(
                    "Công việc chạy quá thời gian cho phép (%(minutes)s phút) mà không kết thúc. "
                    "Hệ thống đã đánh dấu thất bại; hãy chạy lại."
                ) % {"minutes": int(time_limit.total_seconds() // 60)}
            if worker_gone or (seen and now - seen > heartbeat_timeout):
                return _(
                    "Tiến trình xử lý nền đã dừng giữa chừng (không còn tín hiệu từ %(time)s). "
                    "Hệ thống đã đánh dấu thất bại; hãy chạy lại."
                ) % {"time": timezone.localtime(seen).strftime("%H:%M:%S %d/%m/%Y")}
        elif self.status == JobStatus.QUEUED and seen and now - seen > queue_timeout:
            return _(
                "Công việc chờ trong hàng đợi quá %(hours)s giờ mà không tiến trình xử lý nền nào nhận. "
                "Hệ thống đã đánh dấu thất bại; hãy chạy lại hoặc báo quản trị hệ thống."
            ) % {"hours": int(queue_timeout.total_seconds() // 3600)}
        return ""


class JobRunLog(models.Model):
    """What happened to a job besides its own run: who ran it again, and when the system gave up on it."""

    job = models.ForeignKey(JobRun, verbose_name=_("công việc"), on_delete=models.CASCADE, related_name="log")
    action = models.CharField(_("việc"), max_length=20, choices=JobLogAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("nhật ký công việc nền")
        verbose_name_plural = _("nhật ký công việc nền")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.job_id} {self.action} {self.at:%d/%m/%Y %H:%M}"
