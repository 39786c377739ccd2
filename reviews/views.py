"""Review screens: commune officers run their rounds; district (and province) staff approve; all read the log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.choices import Role
from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from households.choices import HouseholdClass

from . import selectors, services
from .choices import Action, CaseStatus, RoundState
from .forms import (
    CaseAddForm,
    CommentForm,
    ComplaintForm,
    MeetingForm,
    PostingForm,
    RecheckForm,
    RecognitionForm,
    ReopenForm,
    RequestRegisterForm,
    RoundOpenForm,
    SurveyForm,
    VersionForm,
    member_forms,
)
from .models import ApprovalAction, Complaint, HouseholdRequest, ReviewCase, ReviewRound, Submission
from .survey import case_assess, facts_from_household, indicator_specs

OFFICERS = frozenset({Role.COMMUNE_OFFICER})
APPROVERS = frozenset({Role.DISTRICT_STAFF, Role.PROVINCE_STAFF})
READERS = ALL_ROLES


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


class RoundScopeMixin:
    def get_round(self) -> ReviewRound:
        if not hasattr(self, "_round"):
            self._round = get_object_or_404(
                ReviewRound.objects.visible_to(self.request.user).select_related("commune__parent"),
                pk=self.kwargs["pk"],
            )
        return self._round


class RoundListView(RoleRequiredMixin, ListView):
    allowed_roles = READERS
    template_name = "reviews/round_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.round_list_for(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_open=self.request.user.role in OFFICERS,
            overdue=selectors.overdue_for(self.request.user),
            **kwargs,
        )


class RoundOpenView(RoleRequiredMixin, TemplateView):
    allowed_roles = OFFICERS
    template_name = "reviews/round_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=kwargs.pop("form", None) or RoundOpenForm(), **kwargs)

    def post(self, request):
        form = RoundOpenForm(request.POST)
        if form.is_valid():
            try:
                round = services.review_round_open(commune=request.user.unit, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Đã mở %(round)s với %(n)s hộ cần rà soát.") % {"round": round, "n": round.cases.count()}
                )
                return redirect("reviews:detail", pk=round.pk)
        return self.render_to_response(self.get_context_data(form=form))


class RoundDetailView(RoleRequiredMixin, RoundScopeMixin, TemplateView):
    allowed_roles = READERS
    template_name = "reviews/round_detail.html"

    def get_context_data(self, **kwargs):
        round = self.get_round()
        user = self.request.user
        progress = selectors.round_progress(round)
        cases = round.cases.select_related("household__village").order_by("household__village__name", "household__code")
        village, status = self.request.GET.get("thon", ""), self.request.GET.get("tinh_trang", "")
        if village.isdigit():
            cases = cases.filter(household__village_id=int(village))
        if status in CaseStatus.values:
            cases = cases.filter(status=status)
        posting = round.postings.first()
        submission = round.submissions.first()
        is_officer = user.role in OFFICERS
        return super().get_context_data(
            round=round,
            progress=progress,
            steps=selectors.round_steps(round, progress),
            cases=cases,
            case_filter={"village": village, "status": status},
            case_statuses=CaseStatus.choices,
            meetings=round.meetings.select_related("village").prefetch_related("votes__case__household"),
            posting=posting,
            complaints=Complaint.objects.filter(posting__round=round).select_related("case__household"),
            submissions=round.submissions.select_related("submitted_by"),
            submission=submission,
            decisions=round.decisions.prefetch_related("certificates__household"),
            log=ApprovalAction.objects.filter(round=round).select_related("user", "case__household"),
            can_edit=is_officer and round.can(Action.CASE_SAVE),
            can_post=is_officer and round.can(Action.POSTING_START),
            can_complain=is_officer and round.can(Action.COMPLAINT),
            can_submit=is_officer and round.can(Action.SUBMIT),
            can_recognise=is_officer and round.can(Action.RECOGNISE),
            can_approve=submission is not None
            and round.state == RoundState.SUBMITTED
            and services.may_approve(user, submission),
            can_reopen=round.can(Action.REOPEN) and services.may_reopen(user, round),
            version_form=VersionForm(initial={"version": round.version}),
            complaint_form=ComplaintForm(round=round) if is_officer and round.can(Action.COMPLAINT) else None,
            recheck_form=RecheckForm(),
            reopen_form=ReopenForm(initial={"version": round.version}),
            **kwargs,
        )


class CaseAddView(RoleRequiredMixin, RoundScopeMixin, TemplateView):
    allowed_roles = OFFICERS
    template_name = "reviews/case_add.html"

    def get_context_data(self, **kwargs):
        round = self.get_round()
        form = kwargs.pop("form", None) or CaseAddForm(round=round, initial={"version": round.version})
        return super().get_context_data(round=round, form=form, **kwargs)

    def post(self, request, pk):
        round = self.get_round()
        form = CaseAddForm(request.POST, round=round)
        if form.is_valid():
            try:
                case = services.review_case_add(
                    round=round,
                    household=form.cleaned_data["household"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Đã bổ sung hộ %(code)s vào danh sách.") % {"code": case.household.code})
                return redirect("reviews:case", pk=case.pk)
        return self.render_to_response(self.get_context_data(form=form))


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
        return super().get_context_data(
            case=case,
            round=case.round,
            form=form,
            specs=[(spec, answers.get(spec.code)) for spec in specs],
            assessment=assessment,
            editable=editable,
            member_rows=member_rows,
            member_errors=any(f.is_bound and f.errors for _m, f in member_rows),
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
                form.add_error(None, error)
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


class RoundActionMixin(RoleRequiredMixin, RoundScopeMixin):
    """A form page that ends in one service call and goes back to the round."""

    form_class = None
    success_message = ""

    def get_form(self, data=None):
        return self.form_class(data, initial={"version": self.get_round().version})

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            round=self.get_round(), form=kwargs.pop("form", None) or self.get_form(), **kwargs
        )

    def post(self, request, pk):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                self.perform(form)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, self.success_message)
                return redirect("reviews:detail", pk=self.get_round().pk)
        return self.render_to_response(self.get_context_data(form=form))


class MeetingCreateView(RoundActionMixin, TemplateView):
    allowed_roles = OFFICERS
    template_name = "reviews/meeting_form.html"
    success_message = _("Đã ghi kết quả họp dân.")

    def get_form(self, data=None):
        round = self.get_round()
        village = self.request.GET.get("thon") or (
            round.cases.order_by("household__village__name").values_list("household__village", flat=True).first()
        )
        initial = {"version": round.version, "village": village}
        return MeetingForm(data, round=round, initial=initial)

    def village_cases(self, form):
        village = form["village"].value()
        cases = (
            self.get_round()
            .cases.select_related("household")
            .exclude(status__in=[CaseStatus.LISTED, CaseStatus.DRAFT, CaseStatus.RESURVEY])
        )
        return cases.filter(household__village=village).order_by("household__code") if village else cases.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cases"] = [
            (c, self.request.POST.get(f"agree-{c.pk}", "")) for c in self.village_cases(context["form"])
        ]
        return context

    def perform(self, form):
        agreeing = {}
        for case in self.village_cases(form):
            raw = (self.request.POST.get(f"agree-{case.pk}") or "").strip()
            if raw == "":
                continue
            if not raw.isdigit():
                raise ValidationError(_("Số người đồng ý phải là số nguyên."))
            agreeing[case.pk] = int(raw)
        services.village_meeting_record(
            round=self.get_round(),
            meeting=form.instance,
            agreeing=agreeing,
            user=self.request.user,
            expected_version=form.cleaned_data["version"],
        )


class PostingStartView(RoundActionMixin, TemplateView):
    allowed_roles = OFFICERS
    template_name = "reviews/posting_form.html"
    form_class = PostingForm
    success_message = _("Đã bắt đầu niêm yết công khai.")

    def perform(self, form):
        services.posting_start(
            round=self.get_round(),
            starts_on=form.cleaned_data["starts_on"],
            places=form.cleaned_data["places"],
            user=self.request.user,
            expected_version=form.cleaned_data["version"],
        )


class ComplaintCreateView(RoleRequiredMixin, RoundScopeMixin, View):
    allowed_roles = OFFICERS
    http_method_names = ["post"]

    def post(self, request, pk):
        round = self.get_round()
        form = ComplaintForm(request.POST, round=round)
        if not form.is_valid():
            messages.error(
                request, _("Chưa ghi được khiếu nại: hãy chọn hộ và nhập đủ ngày nhận, người khiếu nại, nội dung.")
            )
        else:
            try:
                services.complaint_record(round=round, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, _errors(error))
            else:
                messages.success(request, _("Đã ghi nhận khiếu nại."))
        return redirect("reviews:detail", pk=round.pk)


class ComplaintRecheckView(RoleRequiredMixin, View):
    allowed_roles = OFFICERS
    http_method_names = ["post"]

    def post(self, request, pk):
        complaint = get_object_or_404(Complaint.objects.visible_to(request.user).select_related("posting"), pk=pk)
        form = RecheckForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Chưa ghi được kết quả phúc tra: hãy nhập ngày phúc tra và kết quả."))
        else:
            try:
                services.complaint_recheck(
                    complaint=complaint,
                    rechecked_on=form.cleaned_data["rechecked_on"],
                    result=form.cleaned_data["recheck_result"],
                    result_class=form.cleaned_data["result_class"],
                    user=request.user,
                )
            except ValidationError as error:
                messages.error(request, _errors(error))
            else:
                messages.success(request, _("Đã ghi kết quả phúc tra."))
        return redirect("reviews:detail", pk=complaint.posting.round_id)


class RoundSubmitView(RoleRequiredMixin, RoundScopeMixin, View):
    allowed_roles = OFFICERS
    http_method_names = ["post"]

    def post(self, request, pk):
        round = self.get_round()
        form = VersionForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Trang đã cũ, hãy tải lại."))
            submission = services.review_round_submit(
                round=round, user=request.user, expected_version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("Đã trình danh sách (lần %(n)s).") % {"n": submission.number})
        return redirect("reviews:detail", pk=round.pk)


class RecognitionView(RoundActionMixin, TemplateView):
    allowed_roles = OFFICERS
    template_name = "reviews/recognition_form.html"
    form_class = RecognitionForm
    success_message = _("Đã ghi quyết định công nhận, cấp giấy chứng nhận và khoá đợt rà soát.")

    def perform(self, form):
        data = form.cleaned_data
        services.review_round_recognise(
            round=self.get_round(),
            number=data["number"],
            signed_on=data["signed_on"],
            signer_name=data["signer_name"],
            signer_form=data["signer_form"],
            user=self.request.user,
            expected_version=data["version"],
        )


class RoundReopenView(RoleRequiredMixin, RoundScopeMixin, View):
    allowed_roles = APPROVERS
    http_method_names = ["post"]

    def post(self, request, pk):
        round = self.get_round()
        form = ReopenForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Hãy ghi lý do mở lại đợt rà soát."))
        else:
            try:
                services.review_round_reopen(
                    round=round,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                messages.error(request, _errors(error))
            else:
                messages.success(request, _("Đã mở lại đợt rà soát (lần %(n)s).") % {"n": round.revision})
        return redirect("reviews:detail", pk=round.pk)


# --- district and province: submissions ---------------------------------------------------------------
class SubmissionListView(RoleRequiredMixin, ListView):
    allowed_roles = READERS
    template_name = "reviews/submission_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.submission_list_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submissions = list(context["object_list"])
        last_years = selectors.last_year_snapshots({s.round for s in submissions})  # a fixed number of queries
        context["rows"] = [(s, selectors.submission_summary(s, last_years[s.round_id])) for s in submissions]
        user = self.request.user
        if user.role != Role.COMMUNE_OFFICER:
            year = self.request.GET.get("nam", "")
            year = int(year) if year.isdigit() and 2021 <= int(year) <= 2100 else timezone.localdate().year
            context["year"], context["communes"] = year, selectors.commune_rounds_for(user, year)
        return context


class SubmissionDetailView(RoleRequiredMixin, TemplateView):
    allowed_roles = READERS
    template_name = "reviews/submission_detail.html"

    def get_submission(self) -> Submission:
        return get_object_or_404(
            Submission.objects.visible_to(self.request.user).select_related("round__commune", "submitted_by"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        submission = self.get_submission()
        round = submission.round
        previous = selectors.previous_submission(submission)
        pending = submission.state == "pending" and round.state == RoundState.SUBMITTED
        last_year = selectors.last_year_snapshot(round)
        summary = selectors.submission_summary(submission, last_year)
        return super().get_context_data(
            submission=submission,
            round=round,
            summary=summary,
            lists=[(item["title"], selectors.rows_of(submission.snapshot, item["key"])) for item in summary["lists"]],
            diff_previous=selectors.snapshot_diff(submission.snapshot, previous.snapshot if previous else None),
            previous=previous,
            diff_last_year=selectors.snapshot_diff(submission.snapshot, last_year),
            can_approve=pending and services.may_approve(self.request.user, submission),
            comment_form=kwargs.pop("comment_form", None) or CommentForm(initial={"version": round.version}),
            log=submission.actions.select_related("user"),
            classes=dict(HouseholdClass.choices),
            **kwargs,
        )


class SubmissionDecideView(RoleRequiredMixin, View):
    """Approve or return (with a mandatory comment) one submission."""

    allowed_roles = APPROVERS
    http_method_names = ["post"]
    action = "approve"

    def post(self, request, pk):
        submission = get_object_or_404(Submission.objects.visible_to(request.user).select_related("round"), pk=pk)
        form = CommentForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Trang đã cũ, hãy tải lại."))
            service = services.submission_approve if self.action == "approve" else services.submission_return
            service(
                submission=submission,
                user=request.user,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
            return redirect("reviews:submission", pk=submission.pk)
        if self.action == "approve":
            messages.success(request, _("Đã duyệt danh sách của %(commune)s.") % {"commune": submission.round.commune})
        else:
            messages.success(
                request, _("Đã trả lại danh sách cho %(commune)s.") % {"commune": submission.round.commune}
            )
        return redirect("reviews:submissions")


class SubmissionApproveView(SubmissionDecideView):
    action = "approve"


class SubmissionReturnView(SubmissionDecideView):
    action = "return"


# --- household requests --------------------------------------------------------------------------------
class RequestListView(RoleRequiredMixin, ListView):
    allowed_roles = READERS
    template_name = "reviews/request_list.html"
    paginate_by = 50

    def get_queryset(self):
        return HouseholdRequest.objects.visible_to(self.request.user).select_related("household__village", "round")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_register=self.request.user.role in OFFICERS, **kwargs)


class RequestCreateView(RoleRequiredMixin, TemplateView):
    allowed_roles = OFFICERS
    template_name = "reviews/request_form.html"

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or RequestRegisterForm(user=self.request.user)
        return super().get_context_data(form=form, **kwargs)

    def post(self, request):
        form = RequestRegisterForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                registered = services.household_request_register(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if registered.round:
                    messages.success(
                        request, _("Đã ghi nhận giấy đề nghị và đưa hộ vào %(round)s.") % {"round": registered.round}
                    )
                else:
                    messages.success(
                        request, _("Đã ghi nhận giấy đề nghị; hộ sẽ được đưa vào đợt rà soát tiếp theo khi mở.")
                    )
                return redirect("reviews:requests")
        return self.render_to_response(self.get_context_data(form=form))
