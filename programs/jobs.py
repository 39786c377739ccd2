"""Preparing the support figures of a unit and period in the background: the figures page of a period whose rows
are missing or stale for many or large communes queues this job instead of computing for minutes in the request
(programs.summary; docs/adr/0040). The page shows the job's progress and the figures once it is done."""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.job_registry import JobError, ProgressFn, job_kind
from core.models import JobRun
from core.services import job_run_start

from .figures import Period
from .models import SupportStale, SupportSummary

PREPARE_JOB = "programs_support_prepare"


# No roles declared: started only by the figures page, for the unit and period the officer opened.
@job_kind(PREPARE_JOB, gettext_lazy("Tổng hợp số liệu hỗ trợ"), queue="reports", time_limit=3 * 3600)
def support_prepare_job(job: JobRun, progress: ProgressFn) -> dict:
    from .summary import support_refresh

    unit = AdministrativeUnit.objects.filter(pk=job.params.get("unit_id")).first()
    if unit is None:
        raise JobError(_("Đơn vị cần tổng hợp số liệu không còn trong hệ thống."))
    period = Period(date.fromisoformat(job.params["start"]), date.fromisoformat(job.params["end"]))
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, path__startswith=unit.path)
    have = SupportSummary.objects.filter(period_start=period.start, period_end=period.end)
    missing = list(communes.exclude(pk__in=have.values("commune_id")).values_list("pk", flat=True))
    stale = list(communes.filter(pk__in=SupportStale.objects.values("commune_id")).values_list("pk", flat=True))
    progress(5, _("Đang tổng hợp số liệu của %(n)s xã") % {"n": len(set(missing) | set(stale))})
    written = support_refresh(missing, [period], progress=lambda p, m: progress(min(p, 50), m)) if missing else 0
    # a stale commune is recomputed for every period it has rows of (this one included now), clearing its marks
    written += support_refresh(stale, progress=progress) if stale else 0
    return {"rows": written}


def support_prepare_start(*, unit, period: Period, user) -> JobRun:
    """The job preparing the unit's rows for the period: the one already queued or running that the user may see,
    or a new one."""
    params = {"unit_id": unit.pk, "start": period.start.isoformat(), "end": period.end.isoformat()}
    running = (
        JobRun.objects.visible_to(user)
        .unfinished()
        .filter(kind=PREPARE_JOB, params=params)
        .order_by("-created_at")
        .first()
    )
    if running is not None:
        return running
    return job_run_start(kind=PREPARE_JOB, requested_by=user, unit=unit, params=params)
