"""Evaluating a movement runs in the background (a district or province scope reads every household in it, which
takes longer than a web request may): the officer's form starts a job and its page shows progress, then the
evaluation."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import AdministrativeUnit
from core.job_registry import JobError, ProgressFn, job_kind
from core.models import JobRun

from .evaluation import evaluate
from .models import Movement

EVALUATE_JOB = "emulation_evaluate"


def evaluation_params(movement: Movement, scope: AdministrativeUnit, year: int, note: str) -> dict:
    return {"movement_id": movement.pk, "scope_id": scope.pk, "year": year, "note": note}


# No roles declared: the evaluation is made in the name of the officer who asked for it, so only that officer may
# run it again (core/job_registry.py); who may evaluate which scope is checked by ``evaluate`` itself.
@job_kind(EVALUATE_JOB, gettext_lazy("Đánh giá phong trào thi đua"), queue="reports")
def evaluation_job(job: JobRun, progress: ProgressFn) -> dict:
    params = job.params
    movement = Movement.objects.select_related("unit").filter(pk=params.get("movement_id")).first()
    scope = AdministrativeUnit.objects.filter(pk=params.get("scope_id")).first()
    if movement is None or scope is None:
        raise JobError(_("Phong trào hoặc đơn vị được đánh giá không còn trong hệ thống."))
    if job.requested_by is None:
        raise JobError(_("Tài khoản yêu cầu đánh giá không còn trong hệ thống."))
    try:
        evaluation = evaluate(
            movement, scope, int(params["year"]), job.requested_by, note=params.get("note", ""), progress=progress
        )
    except ValidationError as error:
        raise JobError(" ".join(error.messages)) from error
    return {"evaluation_id": evaluation.pk, "results": evaluation.results.count()}
