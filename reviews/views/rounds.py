"""Round pages of the commune officer: list, open, the round with its five steps, and each step's action."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.permissions import RoleRequiredMixin
from areas.choices import UnitLevel
from core.confirm import ReasonConfirmMixin
from core.integrity import add_form_error, form_write, unique_violations_as_errors
from households.choices import HouseholdClass

from .. import calendar, selectors, services
from ..choices import Action, CaseStatus, RoundKind, RoundState, SubmissionState
from ..forms import (
    CaseAddForm,
    ComplaintForm,
    MeetingForm,
    PostingForm,
    RecheckForm,
    RecognitionForm,
    ReopenForm,
    RoundOpenForm,
    VersionForm,
)
from ..models import ApprovalAction, Complaint
from .common import APPROVERS, OFFICERS, READERS, RoundActionMixin, RoundScopeMixin, _errors, refusal

LOG_ON_ROUND_PAGE = 8  # the latest entries; the whole log has its own page
CASES_PER_PAGE = 50


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
        form = kwargs.pop("form", None) or RoundOpenForm()
        return super().get_context_data(form=form, window_notice=self.window_notice(form), **kwargs)

    def window_notice(self, form) -> str:
        """Warn (never refuse) when the province's periodic window of the year has not begun yet."""
        unit = self.request.user.unit
        if unit is None or unit.level != UnitLevel.COMMUNE:
            return ""
        year = timezone.localdate().year
        if form.is_bound:
            if form.data.get("kind") not in ("", None, RoundKind.PERIODIC):
                return ""
            raw = str(form.data.get("year", "")).strip()
            if raw.isdigit() and int(raw) > year:
                return ""  # refused, and the refusal says why
            year = int(raw) if raw.isdigit() and int(raw) >= 2021 else year
        return periodic_notice(unit, year)

    def post(self, request):
        form = RoundOpenForm(request.POST)
        if form.is_valid():
            try:
                with unique_violations_as_errors():
                    round = services.review_round_open(
                        commune=request.user.unit, user=request.user, **form.cleaned_data
                    )
            except ValidationError as error:
                add_form_error(form, error)
            else:
                messages.success(
                    request, _("Đã mở %(round)s với %(n)s hộ cần rà soát.") % {"round": round, "n": round.cases.count()}
                )
                if round.kind == RoundKind.PERIODIC and (notice := periodic_notice(round.commune, round.year)):
                    messages.warning(request, notice)
                return redirect("reviews:detail", pk=round.pk)
        return self.render_to_response(self.get_context_data(form=form))


def periodic_notice(commune, year: int) -> str:
    start = calendar.periodic_start_ahead(commune, year, timezone.localdate())
    if start is None:
        return ""
    return _(
        "Đợt rà soát định kỳ năm %(year)s theo kế hoạch của tỉnh bắt đầu từ %(date)s. Vẫn mở được đợt sớm hơn để "
        "chuẩn bị danh sách hộ (Quyết định 24/2021/QĐ-TTg, Điều 3 khoản 1)."
    ) % {"year": year, "date": start.strftime("%d/%m/%Y")}


class RoundDetailView(RoleRequiredMixin, RoundScopeMixin, TemplateView):
    allowed_roles = READERS
    template_name = "reviews/round_detail.html"

    def get_context_data(self, **kwargs):
        round = self.get_round()
        user = self.request.user
        progress = selectors.round_progress(round)
        village, status = self.request.GET.get("thon", ""), self.request.GET.get("tinh_trang", "")
        # before the round's own decision only: afterwards "now" is what this round decided
        show_class_now = round.state not in (RoundState.APPROVED, RoundState.RECOGNISED) and round.revision == 1
        cases = selectors.round_cases(round, village=village, status=status)
        # A commune's annual round lists thousands of households: a page of them, the same pager as the lists;
        # a page number past the end shows the last page (Paginator.get_page), as the programme lists do.
        page = Paginator(cases, CASES_PER_PAGE).get_page(self.request.GET.get("page"))
        if show_class_now:
            page.object_list = selectors.with_class_now(page.object_list)
        posting = round.postings.first()
        # A submission's snapshot holds every household of its lists (about 700 KB for a commune of 12.000 cases);
        # the page shows its number, dates and state.
        submissions = round.submissions.defer("snapshot")
        submission = submissions.first()
        is_officer = user.role in OFFICERS
        log = ApprovalAction.objects.filter(round=round)
        # The latest entries are picked among the round's (one per case saved: thousands) before their user, case
        # and household are joined; joined first, PostgreSQL would join and sort every entry.
        latest = ApprovalAction.objects.filter(pk__in=log.values("pk")[:LOG_ON_ROUND_PAGE])
        return super().get_context_data(
            round=round,
            standard_name=selectors.standard_name(round),
            progress=progress,
            steps=selectors.round_steps(round, progress),
            cases=page.object_list,
            page_obj=page,
            case_filter={"village": village, "status": status},
            case_statuses=CaseStatus.choices,
            classes=dict(HouseholdClass.choices),
            show_class_now=show_class_now,
            meetings=selectors.round_meetings(round),
            posting=posting,
            complaints=Complaint.objects.filter(posting__round=round).select_related("case__household"),
            submissions=submissions.select_related("submitted_by"),
            submission=submission,
            decisions=selectors.round_decisions(round),
            log=latest.select_related("user", "case__household"),
            log_total=log.count(),
            last_verdict=log.filter(action__in=[Action.RETURN, Action.REOPEN]).select_related("user").first(),
            can_edit=is_officer and round.can(Action.CASE_SAVE),
            can_post=is_officer
            and round.can(Action.POSTING_START)
            and (round.state == RoundState.OPEN or bool(selectors.unposted_codes(round))),
            can_complain=is_officer and round.can(Action.COMPLAINT),
            can_submit=is_officer and round.can(Action.SUBMIT),
            submit_waits_for=selectors.submit_waits_for(round, posting) if is_officer else [],
            can_recognise=is_officer and round.can(Action.RECOGNISE),
            can_approve=submission is not None
            and round.state == RoundState.SUBMITTED
            and services.may_approve(user, submission),
            can_reopen=round.can(Action.REOPEN) and services.may_reopen(user, round),
            version_form=VersionForm(initial={"version": round.version}),
            complaint_form=kwargs.pop("complaint_form", None)
            or (ComplaintForm(round=round) if is_officer and round.can(Action.COMPLAINT) else None),
            recheck_form=RecheckForm(),
            recheck=kwargs.pop("recheck", None),  # (complaint pk, bound form) of a re-check that was refused
            reopen_form=kwargs.pop("reopen_form", None) or ReopenForm(initial={"version": round.version}),
            **kwargs,
        )


class RoundLogView(RoleRequiredMixin, RoundScopeMixin, ListView):
    """The round's whole log (every step, approve, return and reopen with who, when and why), newest first;
    ``?loai=duyet`` keeps the submissions and the approvers' decisions only."""

    allowed_roles = READERS
    template_name = "reviews/round_log.html"
    paginate_by = 100
    VERDICTS = (Action.SUBMIT, Action.APPROVE, Action.RETURN, Action.REOPEN, Action.RECOGNISE)

    def get_queryset(self):
        log = ApprovalAction.objects.visible_to(self.request.user).filter(round=self.get_round())
        if self.request.GET.get("loai") == "duyet":
            log = log.filter(action__in=self.VERDICTS)
        return log.select_related("user", "case__household")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            round=self.get_round(), verdicts_only=self.request.GET.get("loai") == "duyet", **kwargs
        )


class CaseAddView(RoleRequiredMixin, RoundScopeMixin, TemplateView):
    allowed_roles = OFFICERS
    template_name = "reviews/case_add.html"

    def get_context_data(self, **kwargs):
        round = self.get_round()
        form = kwargs.pop("form", None) or CaseAddForm(round=round, initial={"version": round.version})
        return super().get_context_data(round=round, form=form, refused=refusal(round, Action.CASE_ADD), **kwargs)

    def post(self, request, pk):
        round = self.get_round()
        form = CaseAddForm(request.POST, round=round)
        if form.is_valid():
            try:
                with unique_violations_as_errors():
                    case = services.review_case_add(
                        round=round,
                        household=form.cleaned_data["household"],
                        reason=form.cleaned_data["reason"],
                        user=request.user,
                        expected_version=form.cleaned_data["version"],
                    )
            except ValidationError as error:
                add_form_error(form, error)
            else:
                messages.success(request, _("Đã bổ sung hộ %(code)s vào danh sách.") % {"code": case.household.code})
                return redirect("reviews:case", pk=case.pk)
        return self.render_to_response(self.get_context_data(form=form))


class MeetingCreateView(RoundActionMixin, TemplateView):
    allowed_roles = OFFICERS
    template_name = "reviews/meeting_form.html"
    action = Action.MEETING
    success_message = _("Đã ghi kết quả họp dân.")

    def get_form(self, data=None):
        round = self.get_round()
        waiting = round.cases.order_by("household__village__name")
        village = self.request.GET.get("thon") or (
            waiting.filter(status=CaseStatus.SURVEYED).values_list("household__village", flat=True).first()
            or waiting.values_list("household__village", flat=True).first()
        )
        initial = {"version": round.version, "village": village}
        return MeetingForm(data, round=round, initial=initial)

    def village_cases(self, form):
        """The village's households with a result waiting for the meeting (already agreed ones are not re-voted)."""
        village = form["village"].value()
        cases = self.get_round().cases.select_related("household").filter(status=CaseStatus.SURVEYED)
        return cases.filter(household__village=village).order_by("household__code") if village else cases.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cases"] = [
            (c, self.request.POST.get(f"agree-{c.pk}", "")) for c in self.village_cases(context["form"])
        ]
        return context

    def votes(self, form) -> tuple[dict[int, int | None], dict[int, int | None]]:
        """The votes typed for the village's households (``None`` for one that is not a whole number, which the
        service reports with the other problems) and the result versions the officer saw."""
        agreeing, versions = {}, {}
        for case in self.village_cases(form):
            raw = (self.request.POST.get(f"agree-{case.pk}") or "").strip()
            if raw == "":
                continue
            agreeing[case.pk] = int(raw) if raw.isdigit() else None
            seen = self.request.POST.get(f"ver-{case.pk}", "")
            versions[case.pk] = int(seen) if seen.isdigit() else None
        return agreeing, versions

    def post(self, request, pk):
        form = self.get_form(request.POST)
        if form.is_valid():
            return super().post(request, pk)
        # Report the votes and the service's own checks together with the form's errors, not one kind per round.
        agreeing, _versions = self.votes(form)
        problems = services.village_meeting_problems(round=self.get_round(), meeting=form.instance, agreeing=agreeing)
        for field, texts in problems.items():
            if field in form.fields and not form.fields[field].widget.is_hidden:
                if field not in form.errors:  # the form's own message about this field comes first
                    form.add_error(field, texts)
            else:
                for text in texts:
                    form.add_error(None, text)
        return self.render_to_response(self.get_context_data(form=form))

    def perform(self, form):
        agreeing, versions = self.votes(form)
        services.village_meeting_record(
            round=self.get_round(),
            meeting=form.instance,
            agreeing=agreeing,
            case_versions=versions,
            user=self.request.user,
            expected_version=form.cleaned_data["version"],
        )


class PostingStartView(RoundActionMixin, TemplateView):
    allowed_roles = OFFICERS
    template_name = "reviews/posting_form.html"
    form_class = PostingForm
    action = Action.POSTING_START
    success_message = _("Đã bắt đầu niêm yết công khai.")

    def perform(self, form):
        services.posting_start(
            round=self.get_round(),
            starts_on=form.cleaned_data["starts_on"],
            places=form.cleaned_data["places"],
            signer_name=form.cleaned_data["signer_name"],
            signer_form=form.cleaned_data["signer_form"],
            user=self.request.user,
            expected_version=form.cleaned_data["version"],
        )


class RoundFormOnPageView(RoundDetailView):
    """A form that sits on the round page (complaint, re-check, reopening): after success back to the page; after
    a refusal the page again with the form as typed and the reason, so nothing typed is lost."""

    http_method_names = ["post"]
    success_message = ""

    def post(self, request, pk):
        form = self.bound_form()
        if form.is_valid() and form_write(form, self.perform):
            messages.success(request, self.success_message)
            return redirect("reviews:detail", pk=self.get_round().pk)
        messages.error(request, self.refused_message(form))
        return self.render_to_response(self.get_context_data(**self.context_for(form)))

    def refused_message(self, form) -> str:
        errors = [str(e) for e in form.non_field_errors()] or [
            f"{form.fields[name].label}: {' '.join(errors)}"
            for name, errors in form.errors.items()
            if name in form.fields
        ]
        return _("Chưa lưu được: %(why)s") % {"why": " ".join(errors)}


class ComplaintCreateView(RoundFormOnPageView):
    allowed_roles = OFFICERS
    success_message = _("Đã ghi nhận khiếu nại.")

    def bound_form(self):
        return ComplaintForm(self.request.POST, round=self.get_round())

    def perform(self, form):
        services.complaint_record(round=self.get_round(), user=self.request.user, **form.cleaned_data)

    def context_for(self, form):
        return {"complaint_form": form}


class ComplaintRecheckView(RoundFormOnPageView):
    allowed_roles = OFFICERS
    success_message = _("Đã ghi kết quả phúc tra.")

    def get_complaint(self) -> Complaint:
        if not hasattr(self, "_complaint"):
            self._complaint = get_object_or_404(
                Complaint.objects.visible_to(self.request.user).select_related("posting__round__commune__parent"),
                pk=self.kwargs["pk"],
            )
            self._round = self._complaint.posting.round  # the page shown is the complaint's round (same scope)
        return self._complaint

    def get_round(self):
        self.get_complaint()
        return self._round

    def bound_form(self):
        return RecheckForm(self.request.POST)

    def perform(self, form):
        services.complaint_recheck(
            complaint=self.get_complaint(),
            rechecked_on=form.cleaned_data["rechecked_on"],
            result=form.cleaned_data["recheck_result"],
            result_class=form.cleaned_data["result_class"],
            user=self.request.user,
        )

    def context_for(self, form):
        return {"recheck": (self.get_complaint().pk, form)}


class RoundSubmitView(RoleRequiredMixin, RoundScopeMixin, View):
    allowed_roles = OFFICERS
    http_method_names = ["post"]

    def post(self, request, pk):
        round = self.get_round()
        form = VersionForm(request.POST)
        try:
            with unique_violations_as_errors():
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
    action = Action.RECOGNISE
    success_message = _("Đã ghi quyết định công nhận, cấp giấy chứng nhận và khoá đợt rà soát.")

    def get_context_data(self, **kwargs):
        """What saving will do, from the approved lists: the officer sees it before confirming."""
        approved = self.get_round().submissions.filter(state=SubmissionState.APPROVED).first()
        effect = None
        if approved is not None:
            lists = approved.snapshot["lists"]
            effect = {
                "submission": approved,
                "households": len(approved.snapshot["rows"]),
                "certificates": len(lists.get("poor", [])) + len(lists.get("near_poor", [])),
                "poor": len(lists.get("poor", [])),
                "near_poor": len(lists.get("near_poor", [])),
                "escaped": len(lists.get("escaped_poor", [])) + len(lists.get("escaped_near_poor", [])),
            }
        return super().get_context_data(effect=effect, **kwargs)

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


class RoundReopenView(ReasonConfirmMixin, RoundDetailView):
    """Reopen a recognised or approved round with a reason, from the round page; when refused, the round page
    again with the reason as typed, the version the page now shows and why at the top."""

    allowed_roles = APPROVERS
    http_method_names = ["post"]
    form_class = ReopenForm
    form_context_name = "reopen_form"
    refusal_as_message = True
    fresh_version_after_refusal = True

    def get_confirmed(self):
        return self.get_round()

    def perform(self, form) -> None:
        services.review_round_reopen(
            round=self.get_round(),
            user=self.request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )

    def get_success_message(self) -> str:
        return _("Đã mở lại đợt rà soát (lần %(n)s).") % {"n": self.get_round().revision}

    def get_success_url(self) -> str:
        return reverse("reviews:detail", kwargs={"pk": self.get_round().pk})
