"""PDF downloads of the review documents: scoped like every page, rendered by reports.documents.render."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from areas.models import AdministrativeUnit
from core.downloads import download_name
from core.downloads import pdf_response as _pdf_response
from reports.documents import render

from .. import documents
from ..models import Certificate, RecognitionDecision, ReviewRound, VillageMeeting


def pdf_response(content: bytes, *name_parts) -> HttpResponse:
    """ "quyet-dinh-125-qd-ubnd.pdf": the shared download name rule (core.downloads)."""
    return _pdf_response(content, download_name(*name_parts, ext="pdf"))


class MinutesPdfView(RoleRequiredMixin, View):
    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        meeting = get_object_or_404(
            VillageMeeting.objects.visible_to(request.user).select_related("round__commune", "village"), pk=pk
        )
        return pdf_response(
            render.minutes_pdf(documents.minutes_data(meeting)), "bien-ban-hop-dan", meeting.village.name
        )


class PostingPdfView(RoleRequiredMixin, View):
    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        round = get_object_or_404(
            ReviewRound.objects.visible_to(request.user).filter(postings__isnull=False).distinct(), pk=pk
        )
        village = None
        if request.GET.get("thon", "").isdigit():
            village = get_object_or_404(AdministrativeUnit.objects.filter(parent=round.commune), pk=request.GET["thon"])
        return pdf_response(
            render.posting_list_pdf(documents.posting_data(round, village)), "niem-yet", (village or round.commune).name
        )


class DecisionPdfView(RoleRequiredMixin, View):
    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        decision = get_object_or_404(
            RecognitionDecision.objects.visible_to(request.user).select_related("round__commune__parent", "submission"),
            pk=pk,
        )
        return pdf_response(render.decision_pdf(documents.decision_data(decision)), "quyet-dinh", decision.number)


class CertificatesPdfView(RoleRequiredMixin, View):
    """Every certificate of a decision in one PDF, one per page, for printing in one go."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        decision = get_object_or_404(RecognitionDecision.objects.visible_to(request.user), pk=pk)
        certificates = [
            documents.certificate_data(c) for c in decision.certificates.select_related("decision__round__commune")
        ]
        if not certificates:
            return HttpResponse(status=404)
        return pdf_response(render.certificates_pdf(certificates), "giay-chung-nhan", decision.number)


class CertificatePdfView(RoleRequiredMixin, View):
    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        certificate = get_object_or_404(
            Certificate.objects.visible_to(request.user).select_related("decision__round__commune"), pk=pk
        )
        return pdf_response(
            render.certificates_pdf([documents.certificate_data(certificate)]), "giay-chung-nhan", certificate.number
        )
