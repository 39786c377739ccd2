"""Review screens: commune officers run their rounds; district (and province) staff approve; all read the log."""

from .documents import (
    CertificatePdfView,
    CertificatesPdfJobView,
    CertificatesPdfView,
    DecisionPdfJobView,
    DecisionPdfView,
    MinutesPdfJobView,
    MinutesPdfView,
    PostingPdfJobView,
    PostingPdfView,
)
from .requests import RequestCreateView, RequestListView
from .rounds import (
    CaseAddView,
    ComplaintCreateView,
    ComplaintRecheckView,
    MeetingCreateView,
    PostingStartView,
    RecognitionView,
    RoundDetailView,
    RoundListView,
    RoundLogView,
    RoundOpenView,
    RoundReopenView,
    RoundSubmitView,
)
from .submissions import (
    SubmissionApproveView,
    SubmissionDetailView,
    SubmissionExcelView,
    SubmissionListView,
    SubmissionReturnView,
)
from .survey import CasePreviewView, CaseSurveyView

__all__ = [
    "CaseAddView",
    "CasePreviewView",
    "CaseSurveyView",
    "CertificatePdfView",
    "CertificatesPdfJobView",
    "CertificatesPdfView",
    "ComplaintCreateView",
    "ComplaintRecheckView",
    "DecisionPdfJobView",
    "DecisionPdfView",
    "MeetingCreateView",
    "MinutesPdfJobView",
    "MinutesPdfView",
    "PostingPdfJobView",
    "PostingPdfView",
    "PostingStartView",
    "RecognitionView",
    "RequestCreateView",
    "RequestListView",
    "RoundDetailView",
    "RoundListView",
    "RoundLogView",
    "RoundOpenView",
    "RoundReopenView",
    "RoundSubmitView",
    "SubmissionApproveView",
    "SubmissionDetailView",
    "SubmissionExcelView",
    "SubmissionListView",
    "SubmissionReturnView",
]
