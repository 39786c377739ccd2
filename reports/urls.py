"""Periodic reports: the unit's reports, their generation and workflow, typed indicators, the download centre."""

from django.urls import path

from . import views, views_centre, views_indicators

app_name = "reports"

urlpatterns: list = [
    path("", views.ReportListView.as_view(), name="list"),
    path("tao/", views.ReportCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/cap-nhat-so-lieu/", views.ReportRegenerateView.as_view(), name="regenerate"),
    path("<int:pk>/ban-hanh/", views.ReportFinaliseView.as_view(), name="finalise"),
    path("<int:pk>/ban-sua-doi/", views.ReportNewVersionView.as_view(), name="new_version"),
    path("<int:pk>/tai/<str:file_kind>/", views.ReportDownloadView.as_view(), name="download"),
    path("trung-tam-tai/", views_centre.ReportCentreView.as_view(), name="centre"),
    path("trung-tam-tai/zip/", views_centre.ReportBundleView.as_view(), name="bundle"),
    path("tep-zip/<int:pk>/", views_centre.BundleJobView.as_view(), name="bundle_job"),
    path("tep-zip/<int:pk>/tai/", views_centre.BundleDownloadView.as_view(), name="bundle_download"),
    path("nhat-ky-tai/", views_centre.DownloadLogView.as_view(), name="downloads"),
    path("so-lieu-nhap-tay/", views_indicators.IndicatorValuesView.as_view(), name="indicators"),
]
