"""Long-running work (reports, imports, checks) tracked as rows that the UI polls."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    SUCCEEDED = "succeeded", _("Hoàn thành")
    FAILED = "failed", _("Thất bại")


class JobRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> "JobRunQuerySet":
        """Jobs of the units the user may see, and the jobs the user asked for."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(unit_scope_q(user, "unit") | Q(requested_by=user))


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
    celery_task_id = models.CharField(max_length=64, blank=True)
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
        from .jobs import job_kind_label

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
