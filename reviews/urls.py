from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.RoundListView.as_view(), name="list"),
    path("mo-dot/", views.RoundOpenView.as_view(), name="create"),
    path("<int:pk>/", views.RoundDetailView.as_view(), name="detail"),
    path("<int:pk>/nhat-ky/", views.RoundLogView.as_view(), name="log"),
    path("<int:pk>/them-ho/", views.CaseAddView.as_view(), name="case_add"),
    path("<int:pk>/hop-dan/", views.MeetingCreateView.as_view(), name="meeting"),
    path("<int:pk>/niem-yet/", views.PostingStartView.as_view(), name="posting"),
    path("<int:pk>/khieu-nai/", views.ComplaintCreateView.as_view(), name="complaint"),
    path("<int:pk>/trinh/", views.RoundSubmitView.as_view(), name="submit"),
    path("<int:pk>/cong-nhan/", views.RecognitionView.as_view(), name="recognise"),
    path("<int:pk>/mo-lai/", views.RoundReopenView.as_view(), name="reopen"),
    path("<int:pk>/niem-yet.pdf", views.PostingPdfView.as_view(), name="posting_pdf"),
    path("<int:pk>/niem-yet/in/", views.PostingPdfJobView.as_view(), name="posting_pdf_job"),
    path("ho/<int:pk>/", views.CaseSurveyView.as_view(), name="case"),
    path("ho/<int:pk>/tinh/", views.CasePreviewView.as_view(), name="case_preview"),
    path("khieu-nai/<int:pk>/phuc-tra/", views.ComplaintRecheckView.as_view(), name="recheck"),
    path("hop-dan/<int:pk>/bien-ban.pdf", views.MinutesPdfView.as_view(), name="minutes_pdf"),
    path("hop-dan/<int:pk>/bien-ban/in/", views.MinutesPdfJobView.as_view(), name="minutes_pdf_job"),
    path("duyet/", views.SubmissionListView.as_view(), name="submissions"),
    path("lan-trinh/<int:pk>/", views.SubmissionDetailView.as_view(), name="submission"),
    path("lan-trinh/<int:pk>/danh-sach.xlsx", views.SubmissionExcelView.as_view(), name="submission_xlsx"),
    path("lan-trinh/<int:pk>/duyet/", views.SubmissionApproveView.as_view(), name="approve"),
    path("lan-trinh/<int:pk>/tra-lai/", views.SubmissionReturnView.as_view(), name="return"),
    path("quyet-dinh/<int:pk>/", views.DecisionPdfView.as_view(), name="decision_pdf"),
    path("quyet-dinh/<int:pk>/in/", views.DecisionPdfJobView.as_view(), name="decision_pdf_job"),
    path("quyet-dinh/<int:pk>/giay-chung-nhan/", views.CertificatesPdfView.as_view(), name="certificates_pdf"),
    path(
        "quyet-dinh/<int:pk>/giay-chung-nhan/in/", views.CertificatesPdfJobView.as_view(), name="certificates_pdf_job"
    ),
    path("giay-chung-nhan/<int:pk>/", views.CertificatePdfView.as_view(), name="certificate_pdf"),
    path("de-nghi/", views.RequestListView.as_view(), name="requests"),
    path("de-nghi/them/", views.RequestCreateView.as_view(), name="request_create"),
]
