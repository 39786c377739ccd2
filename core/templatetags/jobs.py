"""Template helpers of the job pages."""

from django import template

from ..services import job_run_may_rerun

register = template.Library()


@register.simple_tag(takes_context=True)
def job_may_rerun(context, job) -> bool:
    """Whether the signed-in user may re-run this job (the retry button shows exactly when the POST would work)."""
    request = context.get("request")
    return bool(request and job_run_may_rerun(job, request.user))
