"""The survey of one household: draft kept as typed, classification shown as the officer types."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.permissions import RoleRequiredMixin
from core.integrity import add_form_error, unique_violations_as_errors

from .. import services
from ..choices import Action
from ..forms import (
    SurveyForm,
    member_forms,
)
from ..models import Certificate, ReviewCase
from ..survey import case_assess, facts_from_household, indicator_specs
from .common import OFFICERS, READERS, refusal


class CaseScopeMixin:
    def get_case(self) -> ReviewCase:
        if not hasattr(self, "_case"):
            self._case = get_object_or_404(
                ReviewCase.objects.visible_to(self.request.user).select_related(
                    "round__commune", "household__village", "household__commune"
                ),
                pk=self.kwargs["pk"],
            )
        return self._case


def _answers_from(data, specs) -> dict:
    answers = {}
    for spec in specs:
        value = data.get(f"ind-{spec.code}", "derived")
        if value in ("true", "false"):
            answers[spec.code] = {
                "deprived": value == "true",
                "reason": (data.get(f"reason-{spec.code}") or "").strip(),
            }
    return answers


def _current_members(case: ReviewCase) -> list:
    return list(case.household.members.current().in_family_order().select_related("ethnic_group"))


def _member_answers(member_rows) -> tuple[dict, bool]:
    """The members' answers from bound forms (only the valid ones) and whether all were valid."""
    answers, valid = {}, True
    for member, form in member_rows:
        if form.is_valid():
            answers[str(member.pk)] = form.answers()
        else:
            valid = False
    return answers, valid


class CaseSurveyView(RoleRequiredMixin, CaseScopeMixin, TemplateView):
    """The review form of one household: a draft kept as typed, the classification shown as the officer types."""

    allowed_roles = READERS
    template_name = "reviews/case_survey.html"

    def initial_facts(self, case: ReviewCase) -> dict:
        return case.survey.get("facts") or facts_from_household(case.household)

    def get_context_data(self, **kwargs):
        case = self.get_case()
        specs = indicator_specs(case.round.reference_date)
        form = kwargs.pop("form", None) or SurveyForm(initial={**self.initial_facts(case), "version": case.version})
        answers = kwargs.pop("answers", None)
        if answers is None:
            answers = case.survey.get("answers", {})
        member_rows = kwargs.pop("member_rows", None) or member_forms(
            _current_members(case), case.survey.get("members", {})
        )
        assessment = (
            kwargs.pop("assessment", None)
            or case.assessment
            or case_assess(case, self.initial_facts(case), answers, case.survey.get("members", {}))
        )
        editable = self.request.user.role in OFFICERS and case.round.can(Action.CASE_SAVE)
        if editable:
            readonly_reason = ""
        elif self.request.user.role in OFFICERS:
            readonly_reason = refusal(case.round, Action.CASE_SAVE)
        else:
            readonly_reason = _("Phiếu chỉ để xem: cán bộ xã ghi và sửa phiếu rà soát.")
        return super().get_context_data(
            case=case,
            round=case.round,
            form=form,
            specs=[(spec, answers.get(spec.code)) for spec in specs],
            assessment=assessment,
            editable=editable,
            readonly_reason=readonly_reason,
            member_rows=member_rows,
            member_errors=any(f.is_bound and f.errors for _m, f in member_rows),
            # the certificates this round's decisions issued to the household (the round's page lists them only
            # when few: a commune's decision issues thousands)
            certificates=Certificate.objects.filter(decision__round=case.round, household=case.household_id)
            .select_related("decision")
            .order_by("decision__signed_on", "pk"),
            **kwargs,
        )

    def post(self, request, pk):
        if request.user.role not in OFFICERS:
            raise PermissionDenied
        case = self.get_case()
        specs = indicator_specs(case.round.reference_date)
        form = SurveyForm(request.POST)
        answers = _answers_from(request.POST, specs)
        member_rows = member_forms(_current_members(case), case.survey.get("members", {}), request.POST)
        members, members_valid = _member_answers(member_rows)
        final = "finish" in request.POST
        if form.is_valid() and members_valid:
            try:
                with unique_violations_as_errors():
                    services.review_case_save(
                        case=case,
                        facts=form.facts(),
                        answers=answers,
                        members=members,
                        final=final,
                        user=request.user,
                        expected_version=form.cleaned_data["version"],
                    )
            except ValidationError as error:
                add_form_error(form, error)
            else:
                if final:
                    messages.success(
                        request,
                        _("Đã lưu kết quả rà soát hộ %(code)s: %(cls)s.")
                        % {"code": case.household.code, "cls": case.get_proposed_class_display()},
                    )
                    return redirect("reviews:detail", pk=case.round_id)
                messages.success(request, _("Đã lưu nháp phiếu của hộ %(code)s.") % {"code": case.household.code})
                return redirect("reviews:case", pk=case.pk)
        facts = form.facts() if form.is_valid() else self.initial_facts(case)
        assessment = case_assess(case, facts, answers, members)
        return self.render_to_response(
            self.get_context_data(form=form, answers=answers, assessment=assessment, member_rows=member_rows)
        )


class CasePreviewView(RoleRequiredMixin, CaseScopeMixin, View):
    """The classification of what the officer has typed so far (a partial page the survey form fetches)."""

    allowed_roles = OFFICERS
    http_method_names = ["post"]

    def post(self, request, pk):
        case = self.get_case()
        specs = indicator_specs(case.round.reference_date)
        form = SurveyForm(request.POST)
        form.is_valid()
        facts = {**self.fallback(case), **{k: v for k, v in form.cleaned_data.items() if k != "version"}}
        if facts.get("floor_area_m2") is not None:
            facts["floor_area_m2"] = str(facts["floor_area_m2"])
        member_rows = member_forms(_current_members(case), case.survey.get("members", {}), request.POST)
        members, members_valid = _member_answers(member_rows)
        assessment = case_assess(case, facts, _answers_from(request.POST, specs), members)
        invalid = list(form.errors) or ([] if members_valid else ["members"])
        context = {"assessment": assessment, "invalid": invalid}
        return TemplateResponse(request, "reviews/includes/assessment.html", context)

    def fallback(self, case):
        return case.survey.get("facts") or facts_from_household(case.household)
