from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("cong-viec/", views.JobListView.as_view(), name="job_list"),
    path("cong-viec/<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("cong-viec/<int:pk>/tien-do/", views.JobProgressView.as_view(), name="job_progress"),
    path("cong-viec/<int:pk>/tep/", views.JobDownloadView.as_view(), name="job_download"),
    path("cong-viec/<int:pk>/chay-lai/", views.JobRetryView.as_view(), name="job_retry"),
    path("he-thong/", views.SystemStatusView.as_view(), name="system_status"),
    path("he-thong/kiem-tra/", views.SystemCheckStartView.as_view(), name="system_check"),
]
