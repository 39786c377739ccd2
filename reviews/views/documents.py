"""PDF downloads of the review documents: scoped like every page, rendered by reports.documents.render.

A decision with its lists, its certificates, a posted list and minutes are printed inside the request while small;
larger ones, and the whole commune's from the round page, by a background job (reviews/jobs.py) started with a POST
from a page that says why, whose page shows the progress and then the file.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from areas.models import AdministrativeUnit
from core.downloads import download_name
from core.downloads import pdf_response as _pdf_response
from core.models import JobStatus
from reports.documents import render as render_pdf

from .. import documents, jobs
from ..models import Certificate, RecognitionDecision, ReviewRound, VillageMeeting


def pdf_response(content: bytes, *name_parts) -> HttpResponse:
    """ "quyet-dinh-125-qd-ubnd.pdf": the shared download name rule (core.downloads)."""
    return _pdf_response(content, download_name(*name_parts, ext="pdf"))


class MinutesPdfView(RoleRequiredMixin, View):
    """A meeting's minutes at once when it voted on up to ``IMMEDIATE_MINUTES_ROWS`` households; larger ones ask
    to print in the background (a GET never starts a job)."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        meeting = get_object_or_404(
            VillageMeeting.objects.visible_to(request.user).select_related("round__commune", "village"), pk=pk
        )
        votes = meeting.votes.count()
        if votes > jobs.IMMEDIATE_MINUTES_ROWS:
            return _ask_to_print(
                request,
                round=meeting.round,
                title=_("Biên bản họp dân – %(village)s") % {"village": meeting.village.name},
                size=_("kết quả biểu quyết của %(n)s hộ") % {"n": jobs.number_text(votes)},
                action="reviews:minutes_pdf_job",
                action_pk=meeting.pk,
            )
        return pdf_response(
            render_pdf.minutes_pdf(documents.minutes_data(meeting)), "bien-ban-hop-dan", meeting.village.name
        )


class MinutesPdfJobView(RoleRequiredMixin, View):
    """Start printing a meeting's minutes in the background."""

    allowed_roles = ALL_ROLES
    http_method_names = ["post"]

    def post(self, request, pk):
        meeting = get_object_or_404(VillageMeeting.objects.visible_to(request.user), pk=pk)
        return _job_started(request, jobs.minutes_job_start(user=request.user, meeting=meeting))


class PostingScopeMixin:
    def get_round_and_village(self, pk, village_pk):
        round = get_object_or_404(
            ReviewRound.objects.visible_to(self.request.user).filter(postings__isnull=False).distinct(), pk=pk
        )
        village = None
        if str(village_pk or "").isdigit():
            village = get_object_or_404(AdministrativeUnit.objects.filter(parent=round.commune), pk=village_pk)
        return round, village


def _ask_to_print(request, *, round, title, size, action, action_pk, village=None):
    """The page a long document's link opens: why it is printed in the background, and the button that starts it."""
    context = {"round": round, "title": title, "size": size, "action": action, "action_pk": action_pk}
    return render(request, "reviews/pdf_job_confirm.html", {**context, "village": village})


def _job_started(request, job):
    if job.status == JobStatus.FAILED:  # the queue refused it: the job page says why and offers to run it again
        messages.error(request, job.error)
    else:
        messages.info(
            request,
            _("Tệp PDF đang được in trong nền. Trang này cho biết tiến độ; khi xong, bấm “Tải tệp PDF”."),
        )
    return redirect("core:job_detail", pk=job.pk)


class PostingPdfView(PostingScopeMixin, RoleRequiredMixin, View):
    """A posted list of up to ``IMMEDIATE_POSTING_ROWS`` households at once; a larger one asks to print it in the
    background (a GET never starts a job). The lists are worked out, to count their rows, only when the households
    reviewed there are at most ``POSTING_CASES_WORKED_OUT`` (≈ 0,4 s); past that the page asks without working them
    out (a commune of 12.000 cases took 4,8 s to work them out only to say they were too long), saying how many
    households were reviewed."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        round, village = self.get_round_and_village(pk, request.GET.get("thon"))
        cases = round.cases.filter(household__village=village) if village else round.cases.all()
        reviewed = cases.count()
        size = None
        if reviewed > jobs.POSTING_CASES_WORKED_OUT:
            size = _("danh sách của %(n)s hộ được rà soát") % {"n": jobs.number_text(reviewed)}
        else:
            posting = documents.posting_data(round, village)
            if (rows := jobs.posting_rows(posting)) > jobs.IMMEDIATE_POSTING_ROWS:
                size = _("%(n)s hộ") % {"n": jobs.number_text(rows)}
        if size is not None:
            return _ask_to_print(
                request,
                round=round,
                title=_("Danh sách niêm yết – %(unit)s") % {"unit": (village or round.commune).name},
                size=size,
                action="reviews:posting_pdf_job",
                action_pk=round.pk,
                village=village,
            )
        return pdf_response(render_pdf.posting_list_pdf(posting), "niem-yet", (village or round.commune).name)


class PostingPdfJobView(PostingScopeMixin, RoleRequiredMixin, View):
    """Start printing the posted list (whole commune, or the village of ``thon``) in the background."""

    allowed_roles = ALL_ROLES
    http_method_names = ["post"]

    def post(self, request, pk):
        round, village = self.get_round_and_village(pk, request.POST.get("thon"))
        return _job_started(request, jobs.posting_job_start(user=request.user, round=round, village=village))


class DecisionPdfView(RoleRequiredMixin, View):
    """The recognition decision with its lists at once when they name up to ``IMMEDIATE_DECISION_ROWS``
    households; a larger one asks to print it in the background (a GET never starts a job)."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        decisions = RecognitionDecision.objects.visible_to(request.user).select_related("round__commune__parent")
        decision = get_object_or_404(decisions.select_related("submission").defer("submission__snapshot"), pk=pk)
        rows = documents.decision_rows(decision)
        if rows > jobs.IMMEDIATE_DECISION_ROWS:
            return _ask_to_print(
                request,
                round=decision.round,
                title=_("Quyết định số %(n)s") % {"n": decision.number},
                size=_("danh sách kèm theo %(n)s hộ") % {"n": jobs.number_text(rows)},
                action="reviews:decision_pdf_job",
                action_pk=decision.pk,
            )
        decision = get_object_or_404(decisions.select_related("submission"), pk=pk)  # with the lists' snapshot
        return pdf_response(render_pdf.decision_pdf(documents.decision_data(decision)), "quyet-dinh", decision.number)


class DecisionPdfJobView(RoleRequiredMixin, View):
    """Start printing a decision with its lists in the background."""

    allowed_roles = ALL_ROLES
    http_method_names = ["post"]

    def post(self, request, pk):
        decision = get_object_or_404(RecognitionDecision.objects.visible_to(request.user), pk=pk)
        return _job_started(request, jobs.decision_job_start(user=request.user, decision=decision))


class CertificatesPdfView(RoleRequiredMixin, View):
    """Every certificate of a decision in one PDF, one per page, for printing in one go: at once up to
    ``IMMEDIATE_CERTIFICATES``; more ask to print them in the background (a GET never starts a job)."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        decision = get_object_or_404(RecognitionDecision.objects.visible_to(request.user), pk=pk)
        certificates = decision.certificates.select_related("decision__round__commune").order_by("pk")
        count = certificates.count()
        if not count:
            return HttpResponse(status=404)
        if count > jobs.IMMEDIATE_CERTIFICATES:
            return _ask_to_print(
                request,
                round=decision.round,
                title=_("Giấy chứng nhận của Quyết định số %(n)s") % {"n": decision.number},
                size=_("%(n)s giấy chứng nhận") % {"n": jobs.number_text(count)},
                action="reviews:certificates_pdf_job",
                action_pk=decision.pk,
            )
        data = [documents.certificate_data(c) for c in certificates]
        return pdf_response(render_pdf.certificates_pdf(data), "giay-chung-nhan", decision.number)


class CertificatesPdfJobView(RoleRequiredMixin, View):
    """Start printing every certificate of a decision in the background."""

    allowed_roles = ALL_ROLES
    http_method_names = ["post"]

    def post(self, request, pk):
        decision = get_object_or_404(RecognitionDecision.objects.visible_to(request.user), pk=pk)
        if not decision.certificates.exists():
            messages.error(request, _("Quyết định này không có giấy chứng nhận nào để in."))
            return redirect("reviews:detail", pk=decision.round_id)
        return _job_started(request, jobs.certificates_job_start(user=request.user, decision=decision))


class CertificatePdfView(RoleRequiredMixin, View):
    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        certificate = get_object_or_404(
            Certificate.objects.visible_to(request.user).select_related("decision__round__commune"), pk=pk
        )
        return pdf_response(
            render_pdf.certificates_pdf([documents.certificate_data(certificate)]),
            "giay-chung-nhan",
            certificate.number,
        )
