"""District and province staff: the communes' submissions, their summaries and diffs, approve or return."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.choices import Role
from accounts.permissions import RoleRequiredMixin
from core.confirm import ReasonConfirmMixin
from core.exports import BackgroundExportMixin, write_bytes
from households.choices import HouseholdClass

from .. import excel, selectors, services
from ..choices import RoundState
from ..forms import (
    CommentForm,
)
from ..models import Submission
from .common import APPROVERS, READERS

# --- district and province: submissions ---------------------------------------------------------------
SHOWN_ROWS = 100  # rows of each list, and households of each change, shown on a submission's page
# Listed households (the lists' counts added up) of a submission whose workbook is written inside the request at
# most; a larger one is a background job (core.exports). Measured on the 1.000.017-household database, 2 cores
# (docs/performance.md § "Exports in the request decided by their size"): 0,24–0,38 ms per listed household, its row
# in the sheet of every reviewed household included (14.870 listed, 12.434 reviewed: 3,5–5,7 s), so 6.000 listed
# households answer in 1,5–2,3 s. The counts are kept beside the snapshot: the size costs no query.
LISTED_IN_REQUEST = 6_000


def _shown(diffs: list[selectors.ListDiff]) -> list[tuple[str, list, int, list, int]]:
    """Each change between two versions of the lists as (title, first households added, how many more were added,
    first households removed, how many more were removed)."""
    return [
        (
            d.title,
            d.added[:SHOWN_ROWS],
            max(0, len(d.added) - SHOWN_ROWS),
            d.removed[:SHOWN_ROWS],
            max(0, len(d.removed) - SHOWN_ROWS),
        )
        for d in diffs
    ]


class SubmissionListView(RoleRequiredMixin, ListView):
    allowed_roles = READERS
    template_name = "reviews/submission_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.with_list_counts(selectors.submission_list_for(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submissions = list(context["object_list"])
        last_years = selectors.last_year_counts({s.round for s in submissions})  # a fixed number of queries
        context["rows"] = [
            (s, {"lists": selectors.list_items(selectors.counts_of(s), last_years[s.round_id])}) for s in submissions
        ]
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
        last_year = selectors.last_year_snapshot(round, members=False)  # counted below for the rows shown
        summary = selectors.submission_summary(submission, last_year)
        diff_last_year = _shown(selectors.snapshot_diff(submission.snapshot, last_year))
        selectors.fill_members([row for change in diff_last_year for row in change[3]])
        return super().get_context_data(
            submission=submission,
            round=round,
            summary=summary,
            # A commune's lists hold thousands of households: the page shows the first rows of each list and of
            # each change, with how many there are; the Excel file holds every row.
            lists=[
                (item["title"], selectors.rows_of(submission.snapshot, item["key"])[:SHOWN_ROWS], item["count"])
                for item in summary["lists"]
            ],
            shown_rows=SHOWN_ROWS,
            diff_previous=_shown(selectors.snapshot_diff(submission.snapshot, previous.snapshot if previous else None)),
            previous=previous,
            diff_last_year=diff_last_year,
            can_approve=pending and services.may_approve(self.request.user, submission),
            comment_form=kwargs.pop("comment_form", None) or CommentForm(initial={"version": round.version}),
            log=submission.actions.select_related("user"),
            classes=dict(HouseholdClass.choices),
            **kwargs,
        )


class SubmissionExcelView(RoleRequiredMixin, BackgroundExportMixin, View):
    """The submitted lists as a workbook (one sheet per list), scoped like the page; a large commune's lists are
    written by a background job, which finds the submission through the same ``visible_to`` as its requester."""

    allowed_roles = READERS

    def get(self, request, pk):
        # The snapshot (every reviewed household, megabytes for a large commune) is read only by the workbook: the
        # lists' counts kept beside it tell the size.
        submission = get_object_or_404(
            Submission.objects.visible_to(request.user).select_related("round__commune").defer("snapshot"), pk=pk
        )
        # One row per household of each list's sheet (new and relapsed households are also on the poor and
        # near-poor sheets, so they count twice, as they are written twice); LISTED_IN_REQUEST was measured so.
        self.listed = sum(submission.counts.get("lists", {}).values())

        def write(target, progress):
            progress(5, _("Đang đọc danh sách đã trình"))
            write_bytes(target, excel.submission_workbook(submission))

        return self.export_response(write, excel.submission_filename(submission))

    def export_rows_limit(self) -> int:
        return LISTED_IN_REQUEST

    def export_size(self, limit: int) -> int:
        return self.listed


class SubmissionDecideView(ReasonConfirmMixin, SubmissionDetailView):
    """Approve or return (with a mandatory comment) one submission; when refused, the page again with the comment
    as typed and the version of the submission as it is now."""

    allowed_roles = APPROVERS
    http_method_names = ["post"]
    form_class = CommentForm
    form_context_name = "comment_form"
    reason_field = "comment"
    refusal_as_message = True
    fresh_version_after_refusal = True

    def get_confirmed(self) -> Submission:
        if not hasattr(self, "_submission"):
            self._submission = self.get_submission()
        return self._submission

    def version_of(self, submission) -> int:
        return submission.round.version  # a submission is locked with its round

    def current_version(self) -> int:
        return Submission.objects.filter(pk=self.kwargs["pk"]).values_list("round__version", flat=True).first()

    def decide(self, **kwargs) -> None:
        raise NotImplementedError

    def perform(self, form) -> None:
        self.decide(
            submission=self.get_confirmed(),
            user=self.request.user,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )

    def refused_message(self, form) -> str:
        return " ".join(message for errors in form.errors.values() for message in errors)

    def get_success_url(self) -> str:
        return reverse("reviews:submissions")


class SubmissionApproveView(SubmissionDecideView):
    def decide(self, **kwargs) -> None:
        services.submission_approve(**kwargs)

    def get_success_message(self) -> str:
        return _("Đã duyệt danh sách của %(commune)s.") % {"commune": self.get_confirmed().round.commune}


class SubmissionReturnView(SubmissionDecideView):
    def decide(self, **kwargs) -> None:
        services.submission_return(**kwargs)

    def get_success_message(self) -> str:
        return _("Đã trả lại danh sách cho %(commune)s.") % {"commune": self.get_confirmed().round.commune}
