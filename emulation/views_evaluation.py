"""Evaluation screens: a movement's evaluations (dated snapshots), a new evaluation for a scope and year, the page of
an evaluation with each subject's verdicts, the figures behind them and a link to the households they come from, the
candidates for an award, and the qualitative assessment of a subject with its evidence."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from areas.models import AdministrativeUnit
from core.integrity import add_form_error
from core.models import JobRun, JobStatus
from core.services import job_run_fail_if_dead, job_run_start
from households.models import Household

from .evaluation import (
    assessment_record,
    evaluation_scopes,
    evaluation_tables,
    evaluation_years,
    may_assess,
)
from .jobs import EVALUATE_JOB, evaluation_params
from .measures import HOUSEHOLD, UNIT_LEVELS
from .models import Assessment, Criterion, CriterionKind, Evaluation, Level, Movement
from .movement_forms import AssessmentForm, EvaluationForm
from .views_movements import MovementScopeMixin


class EvaluationListView(RoleRequiredMixin, MovementScopeMixin, TemplateView):
    """A movement's evaluations, newest first, and the form for a new one; GET lists, POST evaluates."""

    allowed_roles = ALL_ROLES
    template_name = "emulation/evaluation_list.html"

    def form(self, data=None) -> EvaluationForm:
        movement = self.get_movement()
        years = evaluation_years(movement)
        scopes = evaluation_scopes(self.request.user, movement)
        return EvaluationForm(
            data, scopes=scopes, years=years, initial={"year": years[-1] if years else None, "scope": scopes.first()}
        )

    def get_context_data(self, **kwargs):
        movement = self.get_movement()
        evaluations = (
            Evaluation.objects.visible_to(self.request.user)
            .filter(movement=movement)
            .select_related("scope", "evaluated_by")
        )
        kwargs.setdefault("form", self.form())
        # Evaluations asked for in the last days that have not produced one yet: running, or failed with a retry.
        pending = (
            JobRun.objects.visible_to(self.request.user)
            .filter(
                kind=EVALUATE_JOB,
                params__movement_id=movement.pk,
                status__in=[JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED],
                created_at__gte=timezone.now() - timedelta(days=7),
            )
            .order_by("-created_at")[:5]
        )
        return super().get_context_data(movement=movement, evaluations=evaluations, pending=pending, **kwargs)

    def post(self, request, *args, **kwargs):
        movement = self.get_movement()
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            # A district or province scope reads every household in it: the evaluation runs as a background job
            # and its page shows progress, then the evaluation.
            job = job_run_start(
                kind=EVALUATE_JOB,
                requested_by=request.user,
                unit=data["scope"],
                params=evaluation_params(movement, data["scope"], data["year"], data["note"]),
            )
            return redirect("emulation:evaluation_job", pk=job.pk)
        return self.render_to_response(self.get_context_data(form=form))


class EvaluationJobView(RoleRequiredMixin, TemplateView):
    """The page of an evaluation being computed: its progress, then (once done) the evaluation itself."""

    allowed_roles = ALL_ROLES
    template_name = "emulation/evaluation_job.html"

    def get(self, request, *args, **kwargs):
        job = get_object_or_404(JobRun.objects.visible_to(request.user).filter(kind=EVALUATE_JOB), pk=kwargs["pk"])
        job = job_run_fail_if_dead(job=job)
        evaluation_id = job.result.get("evaluation_id") if job.status == JobStatus.SUCCEEDED else None
        if evaluation_id and Evaluation.objects.visible_to(request.user).filter(pk=evaluation_id).exists():
            messages.success(request, _("Đã đánh giá; kết quả được lưu với thời điểm đánh giá."))
            return redirect("emulation:evaluation_detail", pk=evaluation_id)
        movement = get_object_or_404(Movement.objects.visible_to(request.user), pk=job.params.get("movement_id"))
        return self.render_to_response(self.get_context_data(job=job, movement=movement))


class EvaluationScopeMixin:
    def get_evaluation(self) -> Evaluation:
        if not hasattr(self, "_evaluation"):
            self._evaluation = get_object_or_404(
                Evaluation.objects.visible_to(self.request.user).select_related(
                    "movement", "movement__unit", "scope", "evaluated_by"
                ),
                pk=self.kwargs["pk"],
            )
        return self._evaluation


class EvaluationDetailView(RoleRequiredMixin, EvaluationScopeMixin, TemplateView):
    allowed_roles = ALL_ROLES
    template_name = "emulation/evaluation_detail.html"

    def get_context_data(self, **kwargs):
        evaluation = self.get_evaluation()
        tables = evaluation_tables(evaluation)
        return super().get_context_data(
            evaluation=evaluation,
            movement=evaluation.movement,
            tables=tables,
            candidates=[(table, row) for table in tables for row in table.candidates],
            household_level=HOUSEHOLD,
            **kwargs,
        )


class AssessmentView(RoleRequiredMixin, EvaluationScopeMixin, TemplateView):
    """The qualitative criteria of one subject of an evaluation (``?don_vi=<unit>`` or ``?ho=<household>``): a
    verdict, evidence and a note for each; the subject must be below the assessor's unit."""

    allowed_roles = ALL_ROLES
    template_name = "emulation/evaluation_assessment.html"

    def subject(self):
        evaluation = self.get_evaluation()
        user = self.request.user
        unit_pk, household_pk = self.request.GET.get("don_vi", ""), self.request.GET.get("ho", "")
        if household_pk.isdigit():
            household = get_object_or_404(
                Household.objects.visible_to(user).filter(village__path__startswith=evaluation.scope.path),
                pk=int(household_pk),
            )
            return Level.HOUSEHOLD, None, household
        if unit_pk.isdigit():
            unit = get_object_or_404(
                AdministrativeUnit.objects.visible_to(user).filter(path__startswith=evaluation.scope.path),
                pk=int(unit_pk),
            )
            level = next((lv for lv, unit_level in UNIT_LEVELS.items() if unit_level == unit.level), None)
            if level is None:
                raise Http404
            return level, unit, None
        raise Http404

    def criteria(self, level):
        return list(
            Criterion.objects.filter(
                movement=self.get_evaluation().movement,
                level=level,
                kind=CriterionKind.QUALITATIVE,
                is_active=True,
            ).order_by("order", "code")
        )

    def forms(self, criteria, unit, household, data=None, files=None):
        year = self.get_evaluation().year
        existing = {
            a.criterion_id: a
            for a in Assessment.objects.filter(criterion__in=criteria, year=year, unit=unit, household=household)
            .select_related("assessed_by")
            .order_by("assessed_at", "pk")
        }
        rows = []
        for criterion in criteria:
            found = existing.get(criterion.pk)
            initial = {"met": "" if found is None else "1" if found.met else "0", "note": found.note if found else ""}
            rows.append((criterion, found, AssessmentForm(data, files, prefix=f"c{criterion.pk}", initial=initial)))
        return rows

    def context(self, rows, level, unit, household, **kwargs):
        return self.get_context_data(
            evaluation=self.get_evaluation(),
            rows=rows,
            level_label=dict(Level.choices)[level],
            unit=unit,
            household=household,
            may_assess=may_assess(self.request.user, unit=unit, household=household),
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        level, unit, household = self.subject()
        rows = self.forms(self.criteria(level), unit, household)
        return self.render_to_response(self.context(rows, level, unit, household))

    def record(self, rows, unit, household) -> bool:
        ok = True
        for criterion, _found, form in rows:
            if form.cleaned_data["met"] is None or (not form.has_changed() and not form.cleaned_data.get("evidence")):
                continue  # a criterion left as it was
            try:
                assessment_record(
                    criterion=criterion,
                    year=self.get_evaluation().year,
                    user=self.request.user,
                    unit=unit,
                    household=household,
                    met=form.cleaned_data["met"],
                    evidence=form.cleaned_data.get("evidence"),
                    note=form.cleaned_data.get("note", ""),
                )
            except ValidationError as error:
                add_form_error(form, error)
                ok = False
        return ok

    def post(self, request, *args, **kwargs):
        level, unit, household = self.subject()
        criteria = self.criteria(level)
        rows = self.forms(criteria, unit, household, request.POST, request.FILES)
        evaluation = self.get_evaluation()
        checked = [form.is_valid() for _c, _a, form in rows]  # every form, so each shows its errors
        valid = all(checked)
        if valid:
            with transaction.atomic():  # all the subject's verdicts or none
                valid = self.record(rows, unit, household)
                if not valid:
                    transaction.set_rollback(True)
        if valid:
            messages.success(
                request,
                _("Đã lưu đánh giá định tính (%(time)s).") % {"time": timezone.localtime().strftime("%H:%M %d/%m/%Y")},
            )
            return redirect("emulation:evaluation_detail", pk=evaluation.pk)
        return self.render_to_response(self.context(rows, level, unit, household))
