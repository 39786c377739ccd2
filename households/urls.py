from django.urls import path

from . import views, views_excel, views_opening, views_targets

app_name = "households"

urlpatterns = [
    path("", views.HouseholdListView.as_view(), name="list"),
    path("them/", views.HouseholdCreateView.as_view(), name="create"),
    path("xuat-excel/", views_excel.HouseholdExportView.as_view(), name="export"),
    path("nhap-excel/", views_excel.HouseholdImportView.as_view(), name="import"),
    path("nhap-excel/mau/", views_excel.ImportTemplateView.as_view(), name="import_template"),
    path("so-lieu-dau-ky/", views_opening.OpeningBalanceView.as_view(), name="opening"),
    path("so-lieu-dau-ky/mau/", views_opening.OpeningTemplateView.as_view(), name="opening_template"),
    path("chuan-ngheo/", views.StandardListView.as_view(), name="standards"),
    path("<int:pk>/", views.HouseholdDetailView.as_view(), name="detail"),
    path("<int:pk>/sua/", views.HouseholdUpdateView.as_view(), name="update"),
    path("<int:pk>/luu-tru/", views.HouseholdArchiveView.as_view(), name="archive"),
    path("<int:pk>/lich-su/", views.HouseholdHistoryView.as_view(), name="history"),
    path("<int:pk>/chi-so/", views.IndicatorOverrideView.as_view(), name="override"),
    path("<int:pk>/trang-thai/", views.StatusRecordCreateView.as_view(), name="status_add"),
    path("thanh-vien/<int:pk>/chuyen-ho/", views.MemberMoveView.as_view(), name="member_move"),
    path("bien-dong/", views_targets.TransitionsView.as_view(), name="transitions"),
    path("bien-dong/xuat-excel/", views_targets.TransitionsExportView.as_view(), name="transitions_export"),
    path("muc-tieu/", views_targets.TargetsView.as_view(), name="targets"),
    path("muc-tieu/dang-ky/", views_targets.EscapeRegistrationCreateView.as_view(), name="escape_register"),
    path(
        "muc-tieu/dang-ky/<int:pk>/rut/",
        views_targets.EscapeRegistrationWithdrawView.as_view(),
        name="escape_withdraw",
    ),
]
