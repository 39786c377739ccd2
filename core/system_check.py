"""The "system check" background job: every health check, run by a worker, with progress."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import ADMIN_ONLY

from . import health
from .jobs import job_kind

STEPS = [
    health.check_database,
    health.check_redis,
    health.check_media_storage,
    health.check_pdf_rendering,
    health.check_heartbeat,
]


@job_kind("system_check", gettext_lazy("Kiểm tra hệ thống"), roles=ADMIN_ONLY)
def system_check_job(job, progress) -> dict:
    """Run each check in turn; the job succeeds even when a check fails, and the result lists each one."""
    checks = []
    for index, step in enumerate(STEPS):
        progress(index * 100 // len(STEPS), _("Đang kiểm tra %(step)s…") % {"step": index + 1})
        checks.append(step().as_dict())
    return {"checks": checks, "ok": all(check["ok"] for check in checks)}
