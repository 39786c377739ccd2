from django.urls import path

from . import views, views_bulk

app_name = "programs"

urlpatterns = [
    path("", views.ProgrammeIndexView.as_view(), name="index"),
    path("so-lieu/", views.FiguresView.as_view(), name="figures"),
    path("chinh-sach/<int:pk>/", views.ProgrammeDetailView.as_view(), name="programme"),
    path("ho/<int:pk>/", views.HouseholdSupportView.as_view(), name="household"),
    path("ho/<int:pk>/ghi-nhan/", views.BenefitCreateView.as_view(), name="benefit_create"),
    path("ho-tro/<int:pk>/", views.BenefitDetailView.as_view(), name="benefit"),
    path("ho-tro/<int:pk>/sua/", views.BenefitUpdateView.as_view(), name="benefit_update"),
    path("ho-tro/<int:pk>/huy/", views.BenefitCancelView.as_view(), name="benefit_cancel"),
    path("ho-tro/<int:pk>/anh/", views.BenefitPhotoView.as_view(), name="benefit_photo"),
    path("anh/<int:pk>/", views.PhotoFileView.as_view(), name="photo"),
    path("bao-phu/ho-ngheo-chua-ho-tro/", views_bulk.UnsupportedView.as_view(), name="coverage_unsupported"),
    path("bao-phu/chua-co-the-bhyt/", views_bulk.UninsuredView.as_view(), name="coverage_uninsured"),
    path("bao-phu/nha-o/", views_bulk.HousingGapView.as_view(), name="coverage_housing"),
    path("bao-phu/dang-ky-thoat-ngheo/", views_bulk.EscapeSupportView.as_view(), name="coverage_escape"),
    path("bhyt/", views_bulk.BhytListView.as_view(), name="bhyt_list"),
    path("bhyt/nhap/", views_bulk.BhytImportView.as_view(), name="bhyt_import"),
    path("tien-dien/", views_bulk.ElectricityView.as_view(), name="electricity"),
    path("tien-dien/chi-tra/", views_bulk.ElectricityPayView.as_view(), name="electricity_pay"),
    path("dao-tao/nhap/", views_bulk.TrainingImportView.as_view(), name="training_import"),
]
